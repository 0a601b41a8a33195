"""Assessment -> the set of findings that count: listed, derived from numbers, read from text.

Presence wins (CONTRACT.md): a finding listed, derived, read from the text or answered
"not sure" counts even when it is also denied, because the safe reading is the one that
raises urgency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .contract import Assessment, DiaryEntry
from .text.reading import EMPTY, Reading

SEVERE_PAIN = 7
MEANINGFUL_CHANGE = 2  # points on the 0-10 scale (Farrar et al., 2001)
NOT_IMPROVING_AFTER_HOURS = 72
LONG_DURATION_HOURS = 1008  # six weeks


@dataclass(frozen=True, slots=True)
class Findings:
    """The findings that count, which of them came from text, the conditions, and what was asked.

    `covered` holds every finding the input settles either way: listed, denied, read from
    the text as present, or ruled out by a negated mention (CONTRACT.md v1.1 `to_ask`).
    """

    present: frozenset[str]
    from_text: frozenset[str]
    conditions: frozenset[str]
    reading: Reading
    covered: frozenset[str] = frozenset()


def earliest(diary: list[DiaryEntry]) -> DiaryEntry:
    """The diary's earliest entry: smallest hours_since_onset, ties to the lowest pain."""
    return min(diary, key=lambda e: (e.hours_since_onset, e.pain))


def diary_basis(entries: Iterable[tuple[float, int]]) -> list[tuple[float, int]]:
    """The (hours, pain) entries the derived findings read: the earliest (ties: lowest pain) and the lowest.

    `derived()` reaches the same findings from these as from the whole diary, and the
    basis of (basis + one more entry) is the basis of the longer diary, so a diary of any
    length can be carried forward as at most two entries.
    """
    items = list(entries)
    if not items:
        return []
    first = min(items, key=lambda e: (e[0], e[1]))
    lowest = min(items, key=lambda e: (e[1], e[0]))
    return [first] if lowest == first else [first, lowest]


def derived(hours: float, pain: int, diary: list[DiaryEntry] | None) -> set[str]:
    """The findings the numbers alone establish."""
    out = set()
    if pain >= SEVERE_PAIN:
        out.add("severe_pain")
    if hours >= LONG_DURATION_HOURS:
        out.add("long_duration")
    if diary:
        if hours >= NOT_IMPROVING_AFTER_HOURS and pain > earliest(diary).pain - MEANINGFUL_CHANGE:
            out.add("not_improving")
        if pain >= min(e.pain for e in diary) + MEANINGFUL_CHANGE:
            out.add("worsening")
    return out


def collect(a: Assessment, reading: Reading = EMPTY) -> Findings:
    """Every finding that counts for this assessment."""
    present = derived(a.hours_since_onset, a.pain, a.diary)
    if a.findings:
        present.update(a.findings)
    if a.unsure:  # not sure even after the follow-up: the safer reading counts it
        present.update(a.unsure)
    text_codes = set(reading.findings)
    if reading.pain is not None and reading.pain >= SEVERE_PAIN:
        text_codes.add("severe_pain")
    from_text = frozenset(text_codes - present)
    present |= text_codes
    conditions = frozenset(a.conditions or ()) | reading.conditions
    covered = present | reading.ruled_out
    if a.denied:
        covered = covered.union(a.denied)
    return Findings(frozenset(present), from_text, conditions, reading, frozenset(covered))
