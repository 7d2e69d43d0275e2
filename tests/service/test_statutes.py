"""Compact citations over the API: statute texts once per response, ids only on request, and
GET /v1/statutes for the full map."""

from __future__ import annotations

from classifier.legal import all_provisions, rules_version
from tests.service.conftest import AUTH

AD_TEXT = "高价回收医保卡，余额八折，当天结算"


def test_audit_carries_each_cited_statute_once(client):
    body = client.post("/v1/audit", json={"text": AD_TEXT}, headers=AUTH).json()
    cited = [c["provision_id"] for p in body["passages"] for c in p["citations"]]
    assert cited and set(body["statutes"]) == set(cited)
    for c in (c for p in body["passages"] for c in p["citations"]):
        assert set(c) == {"provision_id", "reason", "claim_kinds"}  # no statute text under a passage
    assert body["rules_version"] == rules_version()


def test_ids_only_leaves_out_the_texts_but_keeps_the_citations(client):
    full = client.post("/v1/audit", json={"text": AD_TEXT}, headers=AUTH).json()
    ids = client.post("/v1/audit", json={"text": AD_TEXT, "statutes": False}, headers=AUTH).json()
    assert ids["statutes"] == {}
    assert [p["citations"] for p in ids["passages"]] == [p["citations"] for p in full["passages"]]
    classify = client.post("/v1/classify", json={"texts": [AD_TEXT], "statutes": False}, headers=AUTH).json()
    assert classify["statutes"] == {} and classify["results"][0]["citations"]
    batch = client.post(
        "/v1/audit/batch",
        json={"articles": [{"id": "a", "text": AD_TEXT, "statutes": False}, {"id": "b", "text": AD_TEXT}]},
        headers=AUTH,
    ).json()
    first, second = batch["results"]
    assert first["result"]["statutes"] == {} and second["result"]["statutes"]


def test_statutes_endpoint_serves_every_provision(client):
    resp = client.get("/v1/statutes", headers=AUTH)
    assert resp.status_code == 200
    body = resp.json()
    assert set(body["statutes"]) == set(all_provisions())
    assert body["statutes"]["SIL-28"]["law"] == "中华人民共和国社会保险法"
    assert body["rules_version"] == rules_version()


def test_statutes_endpoint_needs_auth(client):
    assert client.get("/v1/statutes").status_code == 401
