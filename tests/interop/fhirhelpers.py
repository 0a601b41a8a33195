"""Helpers for the interop tests: example requests, the fixed clock they are written for, R4 checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from r4schema import assert_schema_valid

from backspasm.interop.config import InteropConfig
from backspasm.interop.fhir import check, dump
from backspasm.interop.routes import router

EXAMPLES = Path(__file__).parent / "examples"
# The example requests' dates are written as of this moment.
EXAMPLE_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PUBLIC_URL = "https://backspasm.example.org"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def valid_r4(resource: dict[str, Any]) -> dict[str, Any]:
    """Valid against the official R4 JSON schema and the R4B model; the model's R4 JSON back (round-tripped)."""
    assert_schema_valid(resource)
    return dump(check(resource))


def references(resource: Any) -> list[str]:
    """Every Reference.reference string anywhere in a resource."""
    out: list[str] = []
    if isinstance(resource, dict):
        for key, value in resource.items():
            if key == "reference" and isinstance(value, str):
                out.append(value)
            else:
                out += references(value)
    elif isinstance(resource, list):
        for value in resource:
            out += references(value)
    return out


def make_app(config: InteropConfig | None = None) -> FastAPI:
    """The interop router on a bare app, with links from the test public URL."""
    app = FastAPI()
    app.include_router(router)
    app.state.interop_config = config or InteropConfig(public_url=PUBLIC_URL)
    return app
