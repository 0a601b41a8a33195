"""Helpers for the interop tests: example requests, the fixed clock they are written for, R4 checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backspasm.interop.fhir import check, dump

EXAMPLES = Path(__file__).parent / "examples"
# The example requests' dates are written as of this moment.
EXAMPLE_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def valid_r4(resource: dict[str, Any]) -> dict[str, Any]:
    """Validate against the R4B model and return the model's R4 JSON (round-tripped)."""
    return dump(check(resource))
