"""Fixtures for the interop tests: the router mounted on a bare FastAPI app, a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from fhirhelpers import EXAMPLE_NOW, make_app

from backspasm.interop import cds, service


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cds, "now", lambda: EXAMPLE_NOW)
    monkeypatch.setattr(service, "now", lambda: EXAMPLE_NOW)


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A client on this machine (unsigned CDS requests are accepted from loopback)."""
    with TestClient(make_app(), base_url="http://127.0.0.1:8000", client=("127.0.0.1", 50000)) as c:
        yield c
