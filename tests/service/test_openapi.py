"""The OpenAPI document says what the service does, and the docs pages load nothing from elsewhere."""

from __future__ import annotations

import re

import pytest

from tests.service.conftest import AUTH


@pytest.fixture
def spec(client):
    return client.get("/openapi.json").json()


def test_bearer_security_scheme_on_every_v1_operation(spec):
    schemes = spec["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(iter(schemes.values())).items()
    for path, ops in spec["paths"].items():
        if path.startswith("/v1/"):
            for op in ops.values():
                assert op.get("security"), (path, op.get("operationId"))


@pytest.mark.parametrize("path", ["/v1/classify", "/v1/audit", "/v1/audit/batch"])
def test_error_responses_use_the_real_error_shape(spec, path):
    responses = spec["paths"][path]["post"]["responses"]
    for status in ("400", "401", "413", "415", "422", "429", "503", "504"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
        assert "error" in responses[status]["content"]["application/json"]["example"]
    error = spec["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "details"}
    assert "HTTPValidationError" not in str(responses)


def test_requests_have_examples_and_offsets_are_documented_as_code_points(spec):
    assert spec["components"]["schemas"]["AuditRequest"]["examples"]
    assert spec["components"]["schemas"]["ClassifyRequest"]["examples"]
    assert "code point" in spec["info"]["description"]
    assert "code point" in spec["components"]["schemas"]["FeedbackRequest"]["properties"]["start"]["description"]


def test_page_and_static_files(client):
    page = client.get("/")
    assert page.status_code == 200 and "audit-form" in page.text
    assert client.get("/static/app.js").status_code == 200


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets(client, path):
    html = client.get(path).text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200 and len(resp.content) > 100, url
    assert "<script>" not in html  # no inline script: the CSP forbids it


def test_a_v1_call_documented_in_the_spec_works_with_the_documented_auth(client, spec):
    example = spec["components"]["schemas"]["AuditRequest"]["examples"][0]
    assert client.post("/v1/audit", json=example, headers=AUTH).status_code == 200
