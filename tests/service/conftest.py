"""Service test helpers: an app around a stub model, the error-shape check, and fake models."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from classifier import Auditor, AuditorSettings
from service.app import create_app
from service.settings import ServiceSettings
from tests.conftest import KeywordModel

KEY = "test-key-0123456789abcdef"
OTHER_KEY = "test-key-0123456789zzzzzz"  # same first 18 characters as KEY
AUTH = {"Authorization": f"Bearer {KEY}"}


def make_app(tmp_path, model=None, **overrides):
    overrides.setdefault("api_keys", [KEY, OTHER_KEY])
    overrides.setdefault("database_url", f"sqlite:///{tmp_path}/fb.db")
    settings = ServiceSettings(**overrides)
    auditor = Auditor(model or KeywordModel(), AuditorSettings())
    return create_app(settings, auditor=auditor)


def make_client(tmp_path, model=None, **overrides) -> TestClient:
    overrides.setdefault("batch_audit", True)  # exercise both batchers
    return TestClient(make_app(tmp_path, model, **overrides), raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path):
    with make_client(tmp_path) as c:
        yield c


def assert_error(resp, status, code):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert resp.headers.get("X-Request-ID")


class SlowModel(KeywordModel):
    """Takes `delay` seconds per model call and records how many calls ran (and when)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.calls = 0
        self.lock = threading.Lock()

    def logits(self, texts, temperature=None, member_weights=None):
        time.sleep(self.delay)
        with self.lock:
            self.calls += 1
        return super().logits(texts, temperature, member_weights)


class BrokenModel(KeywordModel):
    """Fails on any call that includes a text with BOOM: a text the model cannot handle."""

    BOOM = "炸弹文本"

    def logits(self, texts, temperature=None, member_weights=None):
        if any(self.BOOM in t for t in texts):
            raise RuntimeError("model failure on one text")
        return super().logits(texts, temperature, member_weights)
