"""Fixtures for the interop tests: the router mounted on a bare FastAPI app, a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from fhirhelpers import EXAMPLE_NOW, PUBLIC_URL

from backspasm.interop import cds, service
from backspasm.interop.config import InteropConfig
from backspasm.interop.routes import router


def make_app(config: InteropConfig | None = None) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    app.state.interop_config = config or InteropConfig(public_url=PUBLIC_URL)
    return app


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cds, "now", lambda: EXAMPLE_NOW)
    monkeypatch.setattr(service, "now", lambda: EXAMPLE_NOW)


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A client on this machine (unsigned CDS requests are accepted from loopback)."""
    with TestClient(make_app(), base_url="http://127.0.0.1:8000", client=("127.0.0.1", 50000)) as c:
        yield c
