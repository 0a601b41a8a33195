"""Schemathesis against the app's own OpenAPI schema: no generated input gets a 5xx.

Generated bodies include negative cases (wrong types, missing fields, unknown
keys), so this also checks that bad input is always a 4xx, never a crash. The
diary endpoints run twice: signed out (401s) and signed in with a CSRF token.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from backspasm.web import create_app

_TMP = Path(tempfile.mkdtemp(prefix="backspasm-schemathesis-"))
atexit.register(shutil.rmtree, _TMP, True)
APP = create_app(f"sqlite:///{_TMP / 'st.sqlite'}", secret_key="schemathesis", include_optional=False,
                 password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
CHECKS = [not_a_server_error, response_schema_conformance]


def _signed_in() -> tuple[dict[str, str], dict[str, str]]:
    """A user with one episode: (cookies, headers) for signed-in calls."""
    with TestClient(APP) as c:
        info = c.post("/api/v1/users", json={"email": "fuzz@example.org", "password": "a long enough password"})
        assert info.status_code == 201, info.text
        token = info.json()["csrf_token"]
        started = c.post("/api/v1/episodes", json={"hours_since_onset": 3, "pain": 5}, headers={"x-csrf-token": token})
        assert started.status_code == 201, started.text
        return dict(c.cookies), {"x-csrf-token": token}


COOKIES, HEADERS = _signed_in()


@schema.parametrize()
@SETTINGS
def test_no_generated_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.include(tag="diary").exclude(path="/api/v1/me", method="DELETE").parametrize()
@SETTINGS
def test_no_generated_signed_in_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS, cookies=COOKIES, headers=HEADERS)
