"""Fixtures for the web tests: a fresh app per test on the shared DB fixture (SQLite, or PostgreSQL
for tests marked `postgres` or parametrised indirectly with "postgres")."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backspasm.web import create_app

# Cheap Argon2 parameters: the tests exercise the flow, not the hash's cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def app(request: pytest.FixtureRequest, database_url: Callable[[str], str]) -> Iterator[FastAPI]:
    backend = getattr(request, "param", None) or ("postgres" if request.node.get_closest_marker("postgres") else "sqlite")
    application = create_app(database_url(backend), secret_key="test-secret", login_limit=3,
                             password_hasher=FAST_HASHER)
    yield application
    if application.state.store is not None:
        application.state.store.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def other_client(app: FastAPI) -> Iterator[TestClient]:
    """A second browser on the same app (another person)."""
    with TestClient(app, base_url="http://testserver") as c:
        yield c
