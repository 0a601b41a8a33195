"""Findings -> urgency and reasons: the highest level any present finding sets wins."""

from __future__ import annotations

from functools import cache

from .codes import FINDING_CODES, URGENCY_LEVELS, URGENCY_RANK
from .knowledge import load
from .result import Cited


@cache
def _table() -> dict[str, tuple[int, Cited, Cited]]:
    """code -> (rank, reason, reason marked as read from text), built once."""
    out: dict[str, tuple[int, Cited, Cited]] = {}
    for code in FINDING_CODES:
        f = load().findings[code]
        args = (code, f.label, f.text, f.source.ref, f.source.note)
        out[code] = (
            URGENCY_RANK[f.level],
            Cited.make(*args, level=f.level, from_text=False),
            Cited.make(*args, level=f.level, from_text=True),
        )
    return out


_ORDER: dict[str, int] = {code: i for i, code in enumerate(FINDING_CODES)}


def level_of(code: str) -> str:
    """The urgency a finding sets."""
    return URGENCY_LEVELS[_table()[code][0]]


def urgency_of(findings: frozenset[str] | set[str]) -> str:
    """The highest level any of the findings sets (self_care when none does)."""
    table = _table()
    return URGENCY_LEVELS[max((table[c][0] for c in findings), default=0)]


def triage(findings: frozenset[str], from_text: frozenset[str] = frozenset()) -> tuple[str, tuple[Cited, ...]]:
    """Urgency and the reasons for it: every present finding, most urgent first."""
    table = _table()
    rank = 0
    rows = []
    for code in findings:
        r, reason, text_reason = table[code]
        if r > rank:
            rank = r
        rows.append((-r, _ORDER[code], text_reason if code in from_text else reason))
    rows.sort(key=lambda row: (row[0], row[1]))
    return URGENCY_LEVELS[rank], tuple(row[2] for row in rows)
