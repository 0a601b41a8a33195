"""Fixtures for the attack tests: fresh apps on SQLite or PostgreSQL, with any settings."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from backspasm.web import create_app

# Cheap Argon2 parameters: the tests exercise the flow, not the hash's cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def make_app(database_url: Callable[[str], str]) -> Iterator[Callable[..., FastAPI]]:
    """Call with a backend ("sqlite" or "postgres") and any create_app settings for a fresh app."""
    apps: list[FastAPI] = []

    def make(backend: str = "sqlite", url: str | None = None, **settings: object) -> FastAPI:
        settings.setdefault("secret_key", "test-secret")
        settings.setdefault("password_hasher", FAST_HASHER)
        settings.setdefault("login_limit", 3)
        app = create_app(url or database_url(backend), **settings)  # type: ignore[arg-type]
        apps.append(app)
        return app

    yield make
    for app in apps:
        if app.state.store is not None:
            app.state.store.close()


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """`backspasm serve` passes its settings to workers through the environment: undo that after each test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
