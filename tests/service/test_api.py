"""API tests with TestClient; the auditor is swapped through the dependency override."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from classifier import Auditor, AuditorSettings
from service.app import create_app, get_auditor
from service.settings import ServiceSettings
from tests.conftest import KeywordModel

KEY = "test-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}


def make_client(tmp_path, **overrides):
    overrides.setdefault("batch_audit", True)  # exercise both batchers
    settings = ServiceSettings(api_keys=[KEY], database_url=f"sqlite:///{tmp_path}/fb.db", **overrides)
    auditor = Auditor(KeywordModel(), AuditorSettings())
    app = create_app(settings, auditor=auditor)
    app.dependency_overrides[get_auditor] = lambda: auditor
    return TestClient(app)


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


def test_classify(client):
    resp = client.post("/v1/classify", json={"texts": ["高价回收医保卡", "今天天气很好"]}, headers=AUTH)
    assert resp.status_code == 200
    body = resp.json()
    assert body["flagged"] is True
    first, second = body["results"]
    assert first["label"] == "advertises_cashout" and first["citations"] and first["evidence"]
    assert second["label"] == "neutral" and not second["flagged"]
    assert abs(sum(first["scores"].values()) - 1) < 1e-3


def test_audit_and_offsets(client):
    text = "医保卡的钱不能提现。\n本店医.保.套.现，速来"
    body = client.post("/v1/audit", json={"text": text}, headers=AUTH).json()
    assert body["verdict"] == "cashout_ad" and body["suggestion"] in ("block", "review")
    for p in body["passages"]:
        assert text[p["start"] : p["end"]] == p["text"]
        for ev in p["evidence"]:
            assert text[ev["start"] : ev["end"]] == ev["text"]


def test_audit_html(client):
    html = (
        "<html><body><article><p>退休以后医保卡的钱可以全部取出来，直接去社保大厅办理就行。</p></article></body></html>"
    )
    body = client.post("/v1/audit", json={"text": html, "content_type": "html"}, headers=AUTH).json()
    assert body["verdict"] == "misleading"


def test_batch_echoes_ids_and_isolates_bad_articles(client):
    articles = [
        {"id": "a1", "text": "高价回收医保卡"},
        {"id": "a2", "text": "   "},
        {"id": "a3", "text": "医保卡的钱不能提现"},
    ]
    body = client.post("/v1/audit/batch", json={"articles": articles}, headers=AUTH).json()
    assert [r["id"] for r in body["results"]] == ["a1", "a2", "a3"]
    assert body["results"][0]["result"]["verdict"] == "cashout_ad"
    assert body["results"][1]["error"]["code"] == "empty_text"
    assert body["results"][2]["result"]["verdict"] == "accurate"


def test_model_info_and_health(client):
    info = client.get("/v1/model", headers=AUTH).json()
    assert info["labels"] == ["advertises_cashout", "presents_withdrawal_legitimate", "accurate", "neutral"]
    assert info["statutes_version"] and "block_threshold" in info
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200


def test_metrics_count_requests_and_flags(client):
    client.post("/v1/classify", json={"texts": ["高价回收医保卡"]}, headers=AUTH)
    text = client.get("/metrics").text
    assert 'medcash_requests_total{path="/v1/classify",status="200"}' in text
    assert 'medcash_flags_total{label="advertises_cashout"} 1.0' in text
    assert "medcash_request_seconds_bucket" in text


@pytest.mark.parametrize(
    ("path", "payload", "code"),
    [
        ("/v1/classify", {"texts": ["\udfff收医保卡"]}, "invalid_unicode"),
        # The audit request's schema already refuses a lone surrogate in its text field.
        ("/v1/audit", {"text": "收医保卡\ud800"}, "validation_error"),
        ("/v1/audit", {"text": "\udfff收医保卡，当天结算"}, "validation_error"),
    ],
)
def test_unpaired_surrogates_get_a_422_not_a_500(client, path, payload, code):
    # json.dumps escapes the surrogate as \\udfff, which is how such a body arrives over the wire.
    headers = {**AUTH, "Content-Type": "application/json"}
    assert_error(client.post(path, content=json.dumps(payload), headers=headers), 422, code)


def test_feedback_is_stored_and_exported(client, tmp_path):
    body = {"target": "passage", "decision": "disagree", "predicted_label": "advertises_cashout",
            "corrected_label": "neutral", "text": "信用卡套现违规", "start": 0, "end": 7, "note": "credit card"}  # fmt: skip
    resp = client.post("/v1/feedback", json=body, headers=AUTH)
    assert resp.status_code == 201 and resp.json()["id"] == 1
    assert_error(
        client.post("/v1/feedback", json={**body, "corrected_label": None}, headers=AUTH), 422, "validation_error"
    )
    # An offset too large for any article (and for the database column) is a 422, not a 500.
    assert_error(
        client.post("/v1/feedback", json={**body, "end": 9223372036854775808}, headers=AUTH), 422, "validation_error"
    )
    from training.export_feedback import export

    out = tmp_path / "fb.jsonl"
    assert export(f"sqlite:///{tmp_path}/fb.db", out) == 1
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["label"] == "neutral" and row["text"] == "信用卡套现违规"


@pytest.mark.parametrize(
    ("path", "payload", "status", "code"),
    [
        ("/v1/classify", {"texts": []}, 422, "validation_error"),
        ("/v1/classify", {"texts": [""]}, 422, "empty_text"),
        ("/v1/classify", {"texts": ["x"] * 65}, 422, "too_many_items"),
        ("/v1/classify", {"texts": ["字" * 2001]}, 422, "text_too_long"),
        ("/v1/classify", {"texts": "not a list"}, 422, "validation_error"),
        ("/v1/classify", {"texts": [1, 2]}, 422, "validation_error"),
        ("/v1/classify", {"text": ["x"]}, 422, "validation_error"),
        ("/v1/audit", {"text": ""}, 422, "validation_error"),
        ("/v1/audit", {"text": "字" * 20001}, 422, "text_too_long"),
        ("/v1/audit", {"text": "ok", "content_type": "pdf"}, 422, "validation_error"),
        ("/v1/audit", {"text": "a\u0000b"}, 422, "binary_text"),
        ("/v1/audit/batch", {"articles": [{"id": str(i), "text": "x"} for i in range(33)]}, 422, "too_many_items"),
        ("/v1/audit/batch", {"articles": [{"text": "x"}]}, 422, "validation_error"),
    ],
)
def test_bad_input_gets_the_error_shape(client, path, payload, status, code):
    assert_error(client.post(path, json=payload, headers=AUTH), status, code)


def test_malformed_json_and_invalid_utf8(client):
    headers = {**AUTH, "Content-Type": "application/json"}
    assert_error(client.post("/v1/audit", content=b'{"text": ', headers=headers), 400, "malformed_json")
    assert_error(client.post("/v1/audit", content=b'{"text": "\xff\xfe"}', headers=headers), 400, "malformed_json")


def test_body_too_large_is_refused_before_parsing(tmp_path):
    with make_client(tmp_path, max_body_bytes=2048) as c:
        big = json.dumps({"text": "字" * 5000})
        assert_error(
            c.post("/v1/audit", content=big.encode(), headers={**AUTH, "Content-Type": "application/json"}),
            413,
            "body_too_large",
        )


def test_missing_and_wrong_key(client):
    assert_error(client.post("/v1/classify", json={"texts": ["x"]}), 401, "missing_api_key")
    assert_error(
        client.post("/v1/classify", json={"texts": ["x"]}, headers={"Authorization": "Bearer wrong-key-000000000"}),
        401,
        "invalid_api_key",
    )
    assert_error(
        client.post("/v1/classify", json={"texts": ["x"]}, headers={"Authorization": "Basic abc"}),
        401,
        "missing_api_key",
    )


def test_rate_limit(tmp_path):
    with make_client(tmp_path, rate_limit_per_minute=3) as c:
        for _ in range(3):
            assert c.get("/v1/model", headers=AUTH).status_code == 200
        resp = c.get("/v1/model", headers=AUTH)
        assert_error(resp, 429, "rate_limited")
        assert int(resp.headers["Retry-After"]) >= 1


def test_unknown_route_and_method(client):
    assert_error(client.get("/v1/nothing"), 404, "not_found")
    assert_error(client.get("/v1/classify", headers=AUTH), 405, "method_not_allowed")


def test_openapi_and_page(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/classify", "/v1/audit", "/v1/audit/batch", "/v1/model", "/v1/feedback"} <= set(spec["paths"])
    page = client.get("/")
    assert page.status_code == 200 and "audit-form" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_settings_refuse_auth_without_keys():
    with pytest.raises(ValueError, match="no API key"):
        ServiceSettings(api_keys=[])
    with pytest.raises(ValueError, match="16 characters"):
        ServiceSettings(api_keys=["short"])
    assert ServiceSettings(auth_enabled=False).auth_enabled is False


def test_no_auth_mode_still_rate_limits_by_address(tmp_path):
    settings = ServiceSettings(auth_enabled=False, database_url=f"sqlite:///{tmp_path}/fb.db", rate_limit_per_minute=2)
    auditor = Auditor(KeywordModel())
    with TestClient(create_app(settings, auditor=auditor)) as c:
        assert c.get("/v1/model").status_code == 200
        assert c.get("/v1/model").status_code == 200
        assert_error(c.get("/v1/model"), 429, "rate_limited")
