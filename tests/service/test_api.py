"""The API's main paths with TestClient and the keyword stub model."""

from __future__ import annotations

import json

import pytest

from tests.service.conftest import AUTH, assert_error, make_client


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


def test_unknown_route_and_method(client):
    assert_error(client.get("/v1/nothing", headers=AUTH), 404, "not_found")
    # Without a key, /v1/ paths answer 401 whether or not they exist.
    assert_error(client.get("/v1/nothing"), 401, "missing_api_key")
    resp = client.get("/v1/classify", headers=AUTH)
    assert_error(resp, 405, "method_not_allowed")
    assert resp.headers["Allow"] == "POST"


def test_openapi_and_page(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/classify", "/v1/audit", "/v1/audit/batch", "/v1/model", "/v1/feedback"} <= set(spec["paths"])
    page = client.get("/")
    assert page.status_code == 200 and "audit-form" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_offsets_count_code_points_after_an_emoji(client):
    # An emoji is one code point but two UTF-16 units; the API's offsets index the Python string.
    text = "好消息😀😀！本店高价回收医保卡，当天结算。\n医保卡的钱不能提现。"
    body = client.post("/v1/audit", json={"text": text}, headers=AUTH).json()
    flagged = [p for p in body["passages"] if p["flagged"]]
    assert flagged
    for p in body["passages"]:
        assert text[p["start"] : p["end"]] == p["text"]


def test_batch_runs_one_shared_model_pass(tmp_path):
    with make_client(tmp_path, batch_audit=False) as c:
        engine_auditor = c.app.state.service.auditor
        calls = []
        original = engine_auditor.audit_prepared

        def counting(articles, evidence=True):
            calls.append(len(articles))
            return original(articles, evidence)

        engine_auditor.audit_prepared = counting
        articles = [{"id": f"a{i}", "text": "高价回收医保卡，当天结算"} for i in range(5)]
        body = c.post("/v1/audit/batch", json={"articles": articles}, headers=AUTH).json()
    assert [r["result"]["verdict"] for r in body["results"]] == ["cashout_ad"] * 5
    assert calls == [5]


def test_default_body_limit_admits_the_documented_maximum(tmp_path):
    # 32 articles of 20,000 characters, every character escaped in the JSON (6 bytes each).
    text = "医" * 19_999 + "卡"
    body = json.dumps({"articles": [{"id": str(i), "text": text} for i in range(32)]}, ensure_ascii=True)
    with make_client(tmp_path, inference_timeout_s=0.001) as c:
        resp = c.post("/v1/audit/batch", content=body.encode(), headers={**AUTH, "Content-Type": "application/json"})
    # Accepted past the body limit (the tiny timeout then answers each article with its own error).
    assert resp.status_code == 200, resp.text[:300]
    assert len(resp.json()["results"]) == 32


def test_classify_carries_the_text_of_each_cited_statute_once(client):
    body = client.post(
        "/v1/classify", json={"texts": ["高价回收医保卡", "高价回收医保卡，当天结算"]}, headers=AUTH
    ).json()
    cited = {c["provision_id"] for r in body["results"] for c in r["citations"]}
    assert cited and set(body["statutes"]) == cited
    assert all(s["text"] and s["law"] for s in body["statutes"].values())
