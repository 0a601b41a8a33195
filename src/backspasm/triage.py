"""Findings -> urgency and reasons: the highest level any present finding sets wins."""

from __future__ import annotations

from functools import cache

from .codes import DEFAULT_LOCALE, FINDING_CODES, URGENCY_LEVELS, URGENCY_RANK
from .knowledge import load
from .result import Cited

_ORDER: dict[str, int] = {code: i for i, code in enumerate(FINDING_CODES)}
_ALWAYS = -1.0  # the hour from which a finding sets its level, for the ones that do not wait


@cache
def _table(locale: str = DEFAULT_LOCALE) -> dict[str, tuple[int, float, Cited, Cited]]:
    """code -> (rank, hour its level starts, reason, reason marked as read from text), built once."""
    out: dict[str, tuple[int, float, Cited, Cited]] = {}
    for code in FINDING_CODES:
        f = load(locale).findings[code]
        args = (code, f.label, f.text, f.source.ref, f.source.note)
        out[code] = (
            URGENCY_RANK[f.level],
            _ALWAYS if f.persistent_from_hour is None else f.persistent_from_hour,
            Cited.make(*args, level=f.level, from_text=False),
            Cited.make(*args, level=f.level, from_text=True),
        )
    return out


def level_of(code: str, hours: float | None = None) -> str:
    """The urgency a finding sets (at `hours` since onset; at any hour when None: its full level)."""
    rank, from_hour, _, _ = _table()[code]
    return URGENCY_LEVELS[rank if hours is None or hours >= from_hour else 0]


def urgency_of(findings: frozenset[str] | set[str], hours: float | None = None) -> str:
    """The highest level any of the findings sets (self_care when none does)."""
    return triage(frozenset(findings), hours=float("inf") if hours is None else hours)[0]


def triage(
    findings: frozenset[str],
    from_text: frozenset[str] = frozenset(),
    hours: float = float("inf"),
    locale: str = DEFAULT_LOCALE,
) -> tuple[str, tuple[Cited, ...]]:
    """Urgency and the reasons for it: every present finding that sets a level, most urgent first."""
    table = _table(locale)
    rank = 0
    rows = []
    for code in findings:
        r, from_hour, reason, text_reason = table[code]
        if hours < from_hour:
            continue  # counts, but sets self_care until the pain has persisted
        if r > rank:
            rank = r
        rows.append((-r, _ORDER[code], text_reason if code in from_text else reason))
    rows.sort(key=lambda row: (row[0], row[1]))
    return URGENCY_LEVELS[rank], tuple(row[2] for row in rows)
