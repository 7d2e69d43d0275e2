"""Property-based fuzzing of the OpenAPI schema (schemathesis): no input yields a 500."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from classifier import Auditor  # noqa: E402
from service.app import create_app  # noqa: E402
from service.settings import ServiceSettings  # noqa: E402
from tests.conftest import KeywordModel  # noqa: E402

KEY = "fuzz-key-0123456789abcdef"
app = create_app(
    ServiceSettings(api_keys=[KEY], database_url="sqlite:///:memory:", rate_limit_per_minute=100_000),
    auditor=Auditor(KeywordModel()),
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_yields_a_server_error(case):
    for headers in ({"Authorization": f"Bearer {KEY}"}, {}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.path, response.text[:300])
        if response.status_code >= 400:
            body = response.json()
            assert set(body["error"]) == {"code", "message", "details"}
