"""Request-level behaviour: 500s, request ids, methods, media types, body limits, security headers."""

from __future__ import annotations

import asyncio

import pytest

from service.middleware import BodyLimit
from tests.service.conftest import AUTH, assert_error, make_app, make_client


def test_an_escaping_exception_is_a_500_with_request_id_and_counted(tmp_path):
    app = make_app(tmp_path)

    @app.get("/v1/boom")
    async def boom():
        raise RuntimeError("bug")

    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        resp = c.get("/v1/boom", headers={**AUTH, "X-Request-ID": "trace-42"})
        assert_error(resp, 500, "internal_error")
        assert resp.headers["X-Request-ID"] == "trace-42"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        metrics = c.get("/metrics").text
    assert 'medcash_requests_total{path="/v1/boom",status="500"} 1.0' in metrics


@pytest.mark.parametrize("given", ["x" * 8000, "<script>alert(1)</script>", "a b", ""])
def test_unfit_request_ids_are_replaced(client, given):
    resp = client.get("/healthz", headers={"X-Request-ID": given})
    echoed = resp.headers["X-Request-ID"]
    assert echoed != given and 1 <= len(echoed) <= 64 and echoed.isalnum()


def test_a_plain_request_id_is_echoed(client):
    assert client.get("/healthz", headers={"X-Request-ID": "req-1.2_3"}).headers["X-Request-ID"] == "req-1.2_3"


def test_405_names_the_allowed_methods(client):
    resp = client.delete("/v1/audit", headers=AUTH)
    assert_error(resp, 405, "method_not_allowed")
    assert resp.headers["Allow"] == "POST"


def test_head_healthz(client):
    resp = client.head("/healthz")
    assert resp.status_code == 200 and resp.content == b""


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_non_json_bodies_get_415(client, content_type):
    headers = dict(AUTH)
    if content_type:
        headers["Content-Type"] = content_type
    resp = client.post("/v1/audit", content=b'{"text": "x"}', headers=headers)
    assert_error(resp, 415, "unsupported_media_type")


def test_json_with_charset_is_accepted(client):
    headers = {**AUTH, "Content-Type": "application/json; charset=utf-8"}
    assert client.post("/v1/audit", content='{"text": "回收医保卡"}'.encode(), headers=headers).status_code == 200


def test_security_headers_on_page_and_api(client):
    for resp in (client.get("/"), client.get("/v1/model", headers=AUTH), client.get("/nothing")):
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp


def _asgi_call(app, headers: list[tuple[bytes, bytes]], chunks: list[bytes]):
    """Drive an ASGI app directly: lets a test send headers and body chunks an HTTP client would not."""
    sent: list[dict] = []
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/audit", "headers": headers, "query_string": b"",
             "client": ("127.0.0.1", 1), "server": ("t", 80), "scheme": "http", "http_version": "1.1",
             "root_path": "", "raw_path": b"/v1/audit"}  # fmt: skip
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body


async def _echo(scope, receive, send):
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.parametrize("length", [b"-1", b"abc", b"1e3", b" 12"])
def test_bad_content_length_is_a_400_in_the_error_shape(length):
    status, body = _asgi_call(BodyLimit(_echo, 1024), [(b"content-length", length)], [b"x"])
    assert status == 400 and b'"bad_content_length"' in body


def test_huge_content_length_is_413():
    status, body = _asgi_call(BodyLimit(_echo, 1024), [(b"content-length", b"99999999999999999999999")], [b"x"])
    assert status == 413 and b'"body_too_large"' in body


def test_chunked_body_over_the_limit_is_413_not_malformed_json(tmp_path):
    app = make_app(tmp_path, max_body_bytes=2048)
    headers = [(b"authorization", AUTH["Authorization"].encode()), (b"content-type", b"application/json"),
               (b"transfer-encoding", b"chunked")]  # fmt: skip
    chunks = [b'{"text": "' + b"a" * 1000, b"a" * 1000, b"a" * 1000 + b'"}']
    status, body = _asgi_call(app, headers, chunks)
    assert status == 413 and b'"body_too_large"' in body


def test_cors_allows_only_configured_origins(tmp_path):
    with make_client(tmp_path, cors_origins="https://moderation.example.org") as c:
        ok = c.options("/v1/audit", headers={"Origin": "https://moderation.example.org",
                                              "Access-Control-Request-Method": "POST"})  # fmt: skip
        bad = c.options(
            "/v1/audit", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "https://moderation.example.org"
    assert "access-control-allow-origin" not in bad.headers


def test_no_cors_headers_by_default(client):
    resp = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in resp.headers
