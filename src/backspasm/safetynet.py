"""What a result says about what it did not find: `watch_for` (the safety net) and `to_ask`.

`watch_for` (CONTRACT.md v1.1): every finding that would raise the urgency above the
result's, is not present, and can still appear during the episode, most urgent first,
each as a sentence that opens with the action ("Call 911 now if ..."). Empty for an
emergency. The two persistent findings count at their full level here: their sentence
says "past the third day".

`to_ask`: the red flags (codes that set urgent or emergency; none is derived) that the
input neither listed, denied, nor settled in its text, most urgent first.
"""

from __future__ import annotations

from functools import cache

from .codes import DEFAULT_LOCALE, FINDING_CODES, URGENCY_RANK
from .knowledge import load
from .result import Cited

_RED_FLAG_RANK = URGENCY_RANK["urgent"]


@cache
def _signs(locale: str) -> tuple[tuple[str, int, Cited], ...]:
    """(code, rank, item) for every finding that can still appear during an episode, most urgent first."""
    kb = load(locale)
    rows = []
    for i, code in enumerate(FINDING_CODES):
        f = kb.findings[code]
        if not f.arises_during_episode:
            continue
        heading = kb.levels[f.level].watch_heading or ""
        sentence = f"{heading} {f.watch}."
        item = Cited.make(code, f.label, sentence, f.source.ref, f.source.note, level=f.level, sign=f.watch)
        rows.append((i, code, URGENCY_RANK[f.level], item))
    rows.sort(key=lambda row: (-row[2], row[0]))
    return tuple((code, rank, item) for _, code, rank, item in rows)


def watch_for(urgency: str, present: frozenset[str], locale: str = DEFAULT_LOCALE) -> tuple[Cited, ...]:
    """The safety net of a result at `urgency` with `present` findings."""
    above = URGENCY_RANK[urgency]
    return tuple(item for code, rank, item in _signs(locale) if rank > above and code not in present)


@cache
def red_flags() -> tuple[str, ...]:
    """The codes that set urgent or emergency, most urgent first (the questions `to_ask` can name)."""
    kb = load()
    codes = [c for c in FINDING_CODES if URGENCY_RANK[kb.findings[c].level] >= _RED_FLAG_RANK]
    return tuple(sorted(codes, key=lambda c: -URGENCY_RANK[kb.findings[c].level]))


@cache
def _red_set() -> frozenset[str]:
    return frozenset(red_flags())


def to_ask(covered: frozenset[str]) -> tuple[str, ...]:
    """The red flags not in `covered` (listed, denied, or settled by the text), most urgent first."""
    return _unasked(covered & _red_set())


@cache
def _unasked(covered: frozenset[str]) -> tuple[str, ...]:
    return tuple(c for c in red_flags() if c not in covered)
