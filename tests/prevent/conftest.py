"""Fixtures for the prevention tests: one factory for program requests, a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from backspasm.prevent.program import Program, build_program, parse_request

NOW = datetime(2026, 11, 25, 18, 0)


@pytest.fixture
def build() -> Callable[..., Program]:
    """build(**fields) -> Program as of NOW, through the same validation as the CLI and the web."""

    def _build(now: datetime = NOW, **fields: Any) -> Program:
        data: dict[str, Any] = {"sitting_hours": 4, "lifting_at_work": False, "activity_level": "inactive"}
        data.update(fields)
        return build_program(parse_request(data), now=now)

    return _build
