"""A real uvicorn server on loopback with the shipped model, hit over HTTP (the page in Chromium:
tests/service/test_page_browser.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from classifier.model import DEFAULT_MODEL_DIR
from tests.processes import ServerProcess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "config.json").exists(), reason="no shipped model"),
]
MISLEADING = (Path(__file__).resolve().parents[2] / "examples" / "misleading_article.txt").read_text(encoding="utf-8")


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
