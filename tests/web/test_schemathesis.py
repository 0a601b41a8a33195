"""Schemathesis against the app's own OpenAPI schema: no generated input gets a 5xx.

Generated bodies include negative cases (wrong types, missing fields, unknown
keys), so this also checks that bad input is always a 4xx, never a crash.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from backspasm.web import create_app

_TMP = Path(tempfile.mkdtemp(prefix="backspasm-schemathesis-"))
APP = create_app(f"sqlite:///{_TMP / 'st.sqlite'}", secret_key="schemathesis", include_optional=False)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_generated_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
