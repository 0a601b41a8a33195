"""What the Schemathesis tests share: a throwaway app on SQLite, a signed-up user, the settings and the checks."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from backspasm.web import create_app

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
CHECKS = [not_a_server_error, response_schema_conformance]


def fuzz_app(name: str, **options: Any) -> FastAPI:
    """The app on a SQLite file of its own (removed at exit), with a fast password hash."""
    folder = Path(tempfile.mkdtemp(prefix=f"backspasm-{name}-"))
    atexit.register(shutil.rmtree, folder, True)
    return create_app(f"sqlite:///{folder / 'fuzz.sqlite'}", secret_key=name,
                      password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1), **options)


def signed_in(app: FastAPI, setup: str, path: str, body: dict[str, Any], status: int) -> tuple[dict[str, str], dict[str, str]]:
    """(cookies, headers) of a new user who has sent `body` to `setup` `path` (answered with `status`)."""
    with TestClient(app) as c:
        info = c.post("/api/v1/users", json={"email": "fuzz@example.org", "password": "a long enough password"})
        assert info.status_code == 201, info.text
        headers = {"x-csrf-token": info.json()["csrf_token"]}
        done = c.request(setup, path, json=body, headers=headers)
        assert done.status_code == status, done.text
        return dict(c.cookies), headers
