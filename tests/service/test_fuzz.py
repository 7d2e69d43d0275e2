"""No input yields a 5xx: schemathesis over the OpenAPI schema, and a property test that sends
arbitrary Unicode (lone surrogates, noncharacters, RTL marks, emoji, NUL) to every text field."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import Auditor
from service.app import create_app
from service.settings import ServiceSettings
from tests.conftest import KeywordModel

schemathesis = pytest.importorskip("schemathesis")
# Fuzzing costs about 9 s of CPU, more than a third of the fast suite: it runs in the slow suite (make test).
pytestmark = pytest.mark.slow

KEY = "fuzz-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}


def _app():
    return create_app(
        ServiceSettings(
            api_keys=[KEY],
            database_url="sqlite:///:memory:",
            rate_limit="1000000/minute",
            unauthenticated_rate_limit="1000000/minute",
            batch_audit=True,
        ),
        auditor=Auditor(KeywordModel()),
    )


app = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def _assert_shape(status: int, body: dict) -> None:
    assert status < 500, body
    if status >= 400:
        assert set(body["error"]) == {"code", "message", "details"}


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_schema_input_yields_a_server_error(case):
    for headers in (AUTH, {}):
        response = case.call(headers=headers)
        _assert_shape(response.status_code, response.json() if response.content else {})


SPECIAL = ["\ud800", "\udfff", "\ufffe", "\uffff", "\U0010ffff", "\u202e", "\u200f", "\u0000", "😀", "👨‍👩‍👧",
           "\ufeff", "\u0301", "医保卡", "套现", "\r\n"]  # fmt: skip
texts = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=8)), max_size=12).map("".join)


@pytest.fixture(scope="module")
def client():
    with TestClient(_app(), raise_server_exceptions=False) as c:
        yield c


def _post(client, path: str, payload: dict):
    # json.dumps escapes lone surrogates (\udfff), which is how such text arrives over the wire.
    headers = {**AUTH, "Content-Type": "application/json"}
    resp = client.post(path, content=json.dumps(payload).encode(), headers=headers)
    _assert_shape(resp.status_code, resp.json())
    assert resp.headers.get("X-Request-ID")
    return resp


@given(text=texts, content_type=st.sampled_from(["text", "markdown", "html"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_arbitrary_unicode_never_yields_a_5xx(client, text, content_type):
    _post(client, "/v1/classify", {"texts": [text or "x", "医保卡" + text]})
    resp = _post(client, "/v1/audit", {"text": text, "content_type": content_type})
    if resp.status_code == 200:
        body = resp.json()
        for p in body["passages"]:
            assert body["text"][p["start"] : p["end"]] == p["text"]
    _post(client, "/v1/audit/batch", {"articles": [{"id": "a", "text": text}, {"id": "b", "text": "回收医保卡"}]})
    _post(client, "/v1/feedback", {"target": "passage", "decision": "agree", "predicted_label": "neutral",
                                   "text": text or "x", "moderator": text[:200] or None, "note": text})  # fmt: skip
