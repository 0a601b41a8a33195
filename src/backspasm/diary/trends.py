"""The clock and the trend: hours since onset, the first words' reading as JSON, the pain sparkline.

The engine's own rules derive `not_improving` and `worsening` from the diary that
course.py hands it; nothing here re-implements a clinical rule.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..engine import assess
from ..result import Result
from ..text.reading import Reading

SPARK = "▁▂▃▄▅▆▇█"


def hours_between(start: datetime, end: datetime) -> float:
    """Hours from start to end, never negative."""
    return max(0.0, (end - start).total_seconds() / 3600.0)


def reading_to_dict(reading: Reading) -> dict[str, Any]:
    """A text reading as JSON, stored with the episode so re-assessment never re-runs the NLP."""
    return {
        "findings": sorted(reading.findings),
        "conditions": sorted(reading.conditions),
        "evidence": [[e.code, e.start, e.end, e.text, *([True] if e.uncertain else [])] for e in reading.evidence],
        "ruled_out": sorted(reading.ruled_out),
        "pain": reading.pain,
        "hours_since_onset": reading.hours_since_onset,
    }


def result_dict(result: Result) -> dict[str, Any]:
    """A result as the JSON stored beside an episode or a check-in."""
    data: dict[str, Any] = json.loads(result.to_json())
    return data


def reassess(a: Any, reading: Reading) -> Result:
    """Run the engine with the words already read (the stored reading stands in for the NLP)."""
    return assess(a, read_text=lambda _text: reading)


def sparkline(pains: Sequence[int]) -> str:
    """Pain ratings 0-10 as block characters, one per rating."""
    return "".join(SPARK[min(len(SPARK) - 1, round(p * (len(SPARK) - 1) / 10))] for p in pains)
