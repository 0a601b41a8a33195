"""Fixtures for the web tests: a fresh app per test on its own SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backspasm.web import create_app


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    monkeypatch.setenv("BACKSPASM_DATA_DIR", str(tmp_path / "data"))
    return create_app(f"sqlite:///{tmp_path / 'web.sqlite'}", secret_key="test-secret", login_limit=3)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c
