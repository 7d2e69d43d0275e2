"""A real uvicorn server on loopback with the shipped model, hit over HTTP, and the page in Chromium."""

from __future__ import annotations

import json
import shutil
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from classifier.model import DEFAULT_MODEL_DIR
from tests.conftest import ServerProcess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "config.json").exists(), reason="no shipped model"),
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
MISLEADING = (Path(__file__).resolve().parent.parent / "examples" / "misleading_article.txt").read_text(
    encoding="utf-8"
)


def post(url: str, payload: dict, headers: dict | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(
        url, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("server"), "--no-auth")
    srv.wait_ready()
    yield srv
    srv.stop()


def test_audit_over_http_with_the_shipped_model(server):
    status, body = post(server.url + "/v1/audit", {"text": MISLEADING})
    assert status == 200
    assert body["verdict"] == "misleading"
    flagged = [p for p in body["passages"] if p["flagged"]]
    assert flagged and all(p["citations"] for p in flagged)
    assert all(MISLEADING[p["start"] : p["end"]] == p["text"] for p in body["passages"])
    status, err = post(server.url + "/v1/audit", {"text": ""})
    assert status == 422 and err["error"]["code"] == "validation_error"


def test_auth_is_enforced_by_a_real_server(tmp_path):
    key = "integration-key-0123456789"
    srv = ServerProcess(tmp_path, env={"MEDCASH_SERVICE_API_KEYS": json.dumps([key])})
    try:
        srv.wait_ready()
        status, body = post(srv.url + "/v1/classify", {"texts": ["高价回收医保卡"]})
        assert status == 401 and body["error"]["code"] == "missing_api_key"
        status, body = post(srv.url + "/v1/classify", {"texts": ["高价回收医保卡"]}, {"Authorization": f"Bearer {key}"})
        assert status == 200 and body["results"][0]["label"] in (
            "advertises_cashout",
            "presents_withdrawal_legitimate",
            "accurate",
            "neutral",
        )
    finally:
        srv.stop()


def test_start_without_keys_fails_clearly(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "service", "--port", "1"], capture_output=True, timeout=60, env={"PATH": "/usr/bin:/bin"}
    )
    assert proc.returncode == 2
    assert b"no API key" in proc.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")
def test_moderator_page_in_a_real_browser(server):
    playwright = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.goto(server.url + "/")
        page.fill("#text", MISLEADING)
        page.click("#submit")
        page.wait_for_selector("mark.presents_withdrawal_legitimate", timeout=60_000)
        assert page.inner_text("#verdict") == "misleading"
        citation = page.locator("details.citation").first
        citation.locator("summary").click()
        assert citation.evaluate("el => el.open")
        assert page.locator("details.citation .statute").first.inner_text().strip()
        page.locator(".flag .agree").first.click()
        page.wait_for_selector(".flag .done:has-text('已记录')", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "moderator-page.png"), full_page=True)
        browser.close()
    rows = sqlite3.connect(server.db).execute("select target, decision, predicted_label from feedback").fetchall()
    assert ("passage", "agree", "presents_withdrawal_legitimate") in rows
