"""Auth (Bearer, before the body is read) and rate limits (per full key, per address, quotas)."""

from __future__ import annotations

import pytest

from tests.service.conftest import AUTH, KEY, OTHER_KEY, assert_error, make_client

OTHER = {"Authorization": f"Bearer {OTHER_KEY}"}


def test_missing_and_wrong_key(client):
    assert_error(client.post("/v1/classify", json={"texts": ["x"]}), 401, "missing_api_key")
    resp = client.post("/v1/classify", json={"texts": ["x"]}, headers={"Authorization": "Bearer wrong-key-000000000"})
    assert_error(resp, 401, "invalid_api_key")
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert_error(
        client.post("/v1/classify", json={"texts": ["x"]}, headers={"Authorization": "Basic abc"}),
        401,
        "missing_api_key",
    )


def test_unauthenticated_requests_are_refused_before_the_body_is_parsed(client):
    headers = {"Content-Type": "application/json"}
    assert_error(client.post("/v1/audit", content=b'{"text": ', headers=headers), 401, "missing_api_key")
    assert_error(client.post("/v1/audit", content=b"x", headers={"Content-Type": "text/plain"}), 401, "missing_api_key")


def test_keys_sharing_a_prefix_have_their_own_limits(tmp_path):
    with make_client(tmp_path, rate_limit="3/minute") as c:
        for _ in range(3):
            assert c.get("/v1/model", headers=AUTH).status_code == 200
        assert_error(c.get("/v1/model", headers=AUTH), 429, "rate_limited")
        # The other key starts with the same 18 characters and still has its whole quota.
        assert c.get("/v1/model", headers=OTHER).status_code == 200


def test_rate_limit_headers(tmp_path):
    with make_client(tmp_path, rate_limit="3/minute") as c:
        first = c.get("/v1/model", headers=AUTH)
        assert first.headers["X-RateLimit-Limit"] == "3"
        assert first.headers["X-RateLimit-Remaining"] == "2"
        assert 1 <= int(first.headers["X-RateLimit-Reset"]) <= 60
        c.get("/v1/model", headers=AUTH)
        c.get("/v1/model", headers=AUTH)
        refused = c.get("/v1/model", headers=AUTH)
    assert_error(refused, 429, "rate_limited")
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_per_key_quota_overrides_the_default(tmp_path):
    with make_client(tmp_path, rate_limit="100/minute", key_rate_limits={OTHER_KEY: "1/minute"}) as c:
        assert c.get("/v1/model", headers=OTHER).headers["X-RateLimit-Limit"] == "1"
        assert_error(c.get("/v1/model", headers=OTHER), 429, "rate_limited")
        assert c.get("/v1/model", headers=AUTH).headers["X-RateLimit-Limit"] == "100"


def test_unauthenticated_requests_are_limited_by_address(tmp_path):
    with make_client(tmp_path, unauthenticated_rate_limit="2/minute") as c:
        bad = {"Authorization": "Bearer guessed-key-000000000"}
        assert_error(c.get("/v1/model", headers=bad), 401, "invalid_api_key")
        assert_error(c.get("/v1/model"), 401, "missing_api_key")
        assert_error(c.get("/v1/model", headers=bad), 429, "rate_limited")
        # A valid key is counted in its own bucket, not the address's.
        assert c.get("/v1/model", headers=AUTH).status_code == 200


def test_no_auth_mode_limits_by_address(tmp_path):
    with make_client(tmp_path, auth_enabled=False, api_keys=[], rate_limit="2/minute") as c:
        assert c.get("/v1/model").status_code == 200
        assert c.get("/v1/model").status_code == 200
        assert_error(c.get("/v1/model"), 429, "rate_limited")


def test_default_limit_allows_a_busy_client():
    from limits import parse

    from service.settings import DEFAULT_RATE_LIMIT

    # Capacity is 26-43 audits/s on 2 cores: one client may use all of it.
    limit = parse(DEFAULT_RATE_LIMIT)
    assert limit.amount / limit.get_expiry() >= 10


@pytest.mark.parametrize("path", ["/metrics"])
def test_metrics_can_be_protected(tmp_path, path):
    with make_client(tmp_path) as open_client:
        assert open_client.get(path).status_code == 200
    with make_client(tmp_path, protect_metrics=True) as c:
        assert_error(c.get(path), 401, "missing_api_key")
        assert c.get(path, headers=AUTH).status_code == 200


def test_docs_can_be_protected(tmp_path):
    with make_client(tmp_path, protect_docs=True) as c:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert_error(c.get(path), 401, "missing_api_key")
        assert c.get("/openapi.json", headers=AUTH).status_code == 200
        assert c.get("/", headers={}).status_code == 200  # the page itself stays open; its calls carry the key


def test_key_is_checked_in_full(tmp_path):
    with make_client(tmp_path) as c:
        assert_error(c.get("/v1/model", headers={"Authorization": f"Bearer {KEY[:-1]}"}), 401, "invalid_api_key")
        assert_error(c.get("/v1/model", headers={"Authorization": f"Bearer {KEY}x"}), 401, "invalid_api_key")
