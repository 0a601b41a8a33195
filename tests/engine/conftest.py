"""Fixtures for the engine tests: one factory for assessments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backspasm import Result, assess, parse_assessment


@pytest.fixture
def run() -> Callable[..., Result]:
    """run(hours, pain, **fields) -> Result, through the same validation as the CLI."""

    def _run(hours: float = 10, pain: int = 3, **fields: Any) -> Result:
        return assess(parse_assessment({"hours_since_onset": hours, "pain": pain, **fields}))

    return _run
