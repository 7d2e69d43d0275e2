"""The moderators' page in Chromium (Debian chromium through Playwright) against a real uvicorn
server with the keyword stub model: code-point offsets, Chinese labels, per-passage scores, the
error state, feedback on passages and on the page verdict, and one-line citations.
Screenshots: reports/screenshots/service-*.png when MEDCASH_SCREENSHOTS=reports/screenshots."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.processes import chromium_browser
from tests.service.conftest import make_app

pytestmark = pytest.mark.slow
# The committed screenshots are refreshed only on request (MEDCASH_SCREENSHOTS=reports/screenshots);
# an ordinary run writes them to a temporary folder so a test run leaves the checkout unchanged.
SCREENSHOTS = Path(os.environ.get("MEDCASH_SCREENSHOTS") or tempfile.mkdtemp(prefix="medcash-screenshots-"))
FIRST = "今天天气很好，我们一家人一起去公园散步，拍了很多照片😀😀👨‍👩‍👧。"
ARTICLE = FIRST + "\n\n本店高价回收医保卡，当天结算，微信联系。\n\n医保卡的钱不能提现，请勿相信。"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    uvicorn = pytest.importorskip("uvicorn")
    tmp = tmp_path_factory.mktemp("page")
    app = make_app(tmp, auth_enabled=False, api_keys=[])
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}", tmp / "fb.db"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


def test_moderator_page(server, browser):
    url, db = server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1100}, locale="zh-CN")
    csp_errors: list[str] = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url + "/")
    page.fill("#moderator", "王芳")
    page.dispatch_event("#moderator", "change")
    page.fill("#text", ARTICLE)
    page.click("#submit")
    mark = page.wait_for_selector("mark.advertises_cashout", timeout=30_000)

    # Offsets are code points: after the emoji (7 UTF-16 units more than code points) the
    # highlights are exactly the passage and the evidence the API reported.
    api = httpx.post(url + "/v1/audit", json={"text": ARTICLE}, timeout=30).json()
    flagged = next(p for p in api["passages"] if p["flagged"])
    assert api["passages"][0]["text"] == FIRST and flagged["start"] == len(FIRST) + 2
    assert mark.inner_text() == flagged["text"] == "本店高价回收医保卡，当天结算，微信联系。"
    shown = page.locator("mark.advertises_cashout u.evidence").all_inner_texts()
    assert shown == [e["text"] for e in flagged["evidence"]] and shown
    assert page.inner_text("#verdict") == "套现广告"
    body = page.inner_text("body")
    for english in ("advertises_cashout", "cashout_ad", "review", "block", "neutral"):
        assert english not in body

    # Per-passage scores: the side panel shows the selected passage's own figures.
    flagged_scores = page.locator("#detail .scores .value").all_inner_texts()
    page.click("mark.accurate")
    accurate_scores = page.locator("#detail .scores .value").all_inner_texts()
    assert flagged_scores != accurate_scores
    assert page.inner_text("#detail blockquote").startswith("医保卡的钱不能提现")

    # Citations: one line each, the statute text on demand.
    flag = page.locator(".flag").first
    citation = flag.locator("details.citation").first
    assert not citation.evaluate("el => el.open")
    assert citation.locator(".statute").is_hidden()
    citation.locator("summary").click()
    assert citation.locator(".statute").inner_text().strip()
    summary_box = citation.locator("summary").bounding_box()
    assert summary_box["height"] < 60
    page.screenshot(path=str(SCREENSHOTS / "service-page.png"), full_page=True)

    # Feedback on the flagged passage: twice the same, then changed; one row throughout.
    flag.locator(".agree").click()
    page.wait_for_selector(".flag .done:has-text('已记录：同意')")
    flag.locator(".agree").click()
    flag.locator(".disagree").click()
    flag.locator(".corrected").select_option("neutral")
    flag.locator(".send-correction").click()
    page.wait_for_selector(".flag .done:has-text('纠正为')")
    # Feedback on an unflagged passage (selected in the text) and on the page verdict.
    page.click("mark.accurate")
    page.locator("#detail .agree").click()
    page.wait_for_selector("#detail .done:has-text('已记录')")
    page.locator("#page-feedback .disagree").click()
    page.locator("#page-feedback .corrected").select_option("misleading")
    page.locator("#page-feedback .send-correction").click()
    page.wait_for_selector("#page-feedback .done:has-text('误导性内容')")
    page.screenshot(path=str(SCREENSHOTS / "service-feedback.png"), full_page=True)

    rows = (
        sqlite3.connect(db)
        .execute(
            "select target, decision, predicted_label, corrected_label, moderator, audit_id, start from feedback order by id"
        )
        .fetchall()
    )
    assert [r[:4] for r in rows] == [
        ("passage", "disagree", "advertises_cashout", "neutral"),
        ("passage", "agree", "accurate", None),
        ("article", "disagree", "cashout_ad", "misleading"),
    ]
    assert all(r[4] == "王芳" and r[5] for r in rows)
    assert rows[0][6] == flagged["start"]  # the code-point offset, as the API gave it

    # A failed audit clears the previous verdict and says why, in Chinese.
    page.fill("#text", "字" * 20_001)
    page.click("#submit")
    page.wait_for_selector("#status.error")
    assert page.inner_text("#status") == "审核失败：文本过长（上限 20000）"
    assert page.locator("#verdict").count() == 0 and page.locator("#result").is_hidden()
    page.screenshot(path=str(SCREENSHOTS / "service-error.png"))
    assert not [e for e in csp_errors if "Content Security Policy" in e]
    page.close()


def test_docs_page_renders_offline(server, browser):
    url, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator("button.authorize").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "service-docs.png"))
    assert all(r.startswith(url) or r.startswith("data:") for r in requests), requests
    page.close()
