"""Re-assessment with the diary, and the pain trend as a sparkline.

The engine's own rules derive `not_improving` and `worsening` from the diary this
module builds; nothing here re-implements a clinical rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..contract import MAX_HOURS, Assessment, parse_assessment
from ..engine import assess
from ..result import EvidenceSpan, Result
from ..text.reading import EMPTY, Reading

SPARK = "▁▂▃▄▅▆▇█"


def hours_between(start: datetime, end: datetime) -> float:
    """Hours from start to end, never negative."""
    return max(0.0, (end - start).total_seconds() / 3600.0)


def reading_to_dict(reading: Reading) -> dict[str, Any]:
    """A text reading as JSON, stored with the episode so re-assessment never re-runs the NLP."""
    return {
        "findings": sorted(reading.findings),
        "conditions": sorted(reading.conditions),
        "evidence": [[e.code, e.start, e.end, e.text] for e in reading.evidence],
        "pain": reading.pain,
        "hours_since_onset": reading.hours_since_onset,
    }


def reading_from_dict(data: dict[str, Any], *, current: bool) -> Reading:
    """The stored reading; a pain score stated in the words is dropped once newer ratings exist."""
    if not data:
        return EMPTY
    return Reading(
        findings=frozenset(data.get("findings", ())),
        conditions=frozenset(data.get("conditions", ())),
        evidence=tuple(EvidenceSpan(c, s, e, t) for c, s, e, t in data.get("evidence", ())),
        pain=data.get("pain") if current else None,
        hours_since_onset=data.get("hours_since_onset"),
    )


def diary_assessment(
    first: dict[str, Any],
    hours_now: float,
    pain_now: int,
    earlier: Sequence[tuple[float, int]],
    reported: Sequence[str],
    locale: str | None = None,
) -> Assessment:
    """The Assessment for a moment in the episode: the first answers, the clock, the ratings so far.

    `first` is the stored first assessment, `earlier` the (hours since onset, pain) of
    the check-ins before this moment, `reported` the findings given at check-ins; the
    wording is `locale` when given, else the one the episode was started in.
    """
    hours_now = min(hours_now, MAX_HOURS)
    diary = [dict(e) for e in first.get("diary") or ()]
    diary.append({"hours_since_onset": first["hours_since_onset"], "pain": first["pain"]})
    diary.extend({"hours_since_onset": h, "pain": p} for h, p in earlier)
    for entry in diary:
        entry["hours_since_onset"] = float(min(entry["hours_since_onset"], hours_now))
    findings = list(dict.fromkeys([*(first.get("findings") or ()), *reported]))
    data: dict[str, Any] = {"hours_since_onset": float(hours_now), "pain": pain_now, "diary": diary}
    if findings:
        data["findings"] = findings
    for key in ("age", "denied", "conditions", "text", "locale"):
        if first.get(key) is not None:
            data[key] = first[key]
    if locale is not None:
        data["locale"] = locale
    return parse_assessment(data)


def reassess(a: Assessment, reading: Reading) -> Result:
    """Run the engine with the words already read (the stored reading stands in for the NLP)."""
    return assess(a, read_text=lambda _text: reading)


def sparkline(pains: Sequence[int]) -> str:
    """Pain ratings 0-10 as block characters, one per rating."""
    return "".join(SPARK[min(len(SPARK) - 1, round(p * (len(SPARK) - 1) / 10))] for p in pains)
