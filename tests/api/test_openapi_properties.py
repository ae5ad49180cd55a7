"""Property-based tests of /api/v1/ against its own OpenAPI description (schemathesis):
whatever a client sends within the description, the API answers without a 5xx and with
a response the description allows."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def api_schema(app, demo):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_within_its_description(case):
    # Uncompressed: the WSGI transport hands schemathesis the body as sent.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
