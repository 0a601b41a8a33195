"""Schemathesis against the prevention API: no generated request gets a 5xx, signed out or signed in
(with a saved program, so ticking off reaches the store). Bad input is always a 4xx naming the field."""

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

_TMP = Path(tempfile.mkdtemp(prefix="backspasm-prevent-fuzz-"))
atexit.register(shutil.rmtree, _TMP, True)
APP = create_app(f"sqlite:///{_TMP / 'fuzz.sqlite'}", secret_key="fuzz",
                 password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP).include(tag="prevention")
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
CHECKS = [not_a_server_error, response_schema_conformance]


def _signed_in() -> tuple[dict[str, str], dict[str, str]]:
    with TestClient(APP) as c:
        info = c.post("/api/v1/users", json={"email": "fuzz@example.org", "password": "a long enough password"})
        assert info.status_code == 201, info.text
        headers = {"x-csrf-token": info.json()["csrf_token"]}
        kept = c.put("/api/v1/program", json={"sitting_hours": 3, "lifting_at_work": False, "activity_level": "some"},
                     headers=headers)
        assert kept.status_code == 200 and kept.json()["saved"], kept.text
        return dict(c.cookies), headers


COOKIES, HEADERS = _signed_in()


@schema.parametrize()
@SETTINGS
def test_no_generated_prevention_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_no_generated_signed_in_prevention_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS, cookies=COOKIES, headers=HEADERS)
