"""What was read in a person's own words, confirmed by them before it counts.

The reader can be wrong (long-standing foot tingling from diabetes read as "both legs"),
so after a description the page lists each thing read, with the words behind it, and
asks "Yes, that's right" or "No, that's not it". The choices travel in the form, never
on the server: at the end the text is read again and everything the person rejected is
taken out (`Reading.without`), and the engine gets a reader that returns that filtered reading, as
the terminal questionnaire does. Evidence then shows only what counted. A choice left as
it was, or missing, counts: yes is the default, the safer reading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..codes import CONDITION_CODES, FINDING_CODES
from ..knowledge import load
from ..text.reading import Reading

CONFIRMED = "confirmed"  # a form field: the confirmation page was shown, its choices are in the form
REJECTED = "rejected"  # a form field: the codes the person rejected, carried from the result to a diary
_KNOWN = frozenset(FINDING_CODES) | frozenset(CONDITION_CODES)


def field_of(code: str) -> str:
    return f"read_{code}"


@dataclass(frozen=True)
class Item:
    """One thing read: the finding or condition, and the person's words behind it."""

    code: str
    label: str
    level: str | None  # the finding's level; None for a health condition
    words: tuple[str, ...]
    answered_no: bool  # the person answered no to this very question (or said it had gone)

    @property
    def field(self) -> str:
        return field_of(self.code)


def items(reading: Reading, locale: str, denied: Iterable[str] = (), only: Iterable[str] | None = None) -> list[Item]:
    """Each finding and condition the reading holds, in the order its words appear (codes read without
    words of their own last). `only` limits the list to those codes (a check-in asks about new signs)."""
    kb = load(locale)
    wanted = set(reading.findings | reading.conditions)
    if only is not None:
        wanted &= set(only)
    said_no = set(denied)
    first: dict[str, int] = {}
    words: dict[str, list[str]] = {}
    for e in reading.evidence:
        if e.code in wanted:
            first.setdefault(e.code, e.start)
            if e.text not in words.setdefault(e.code, []):
                words[e.code].append(e.text)
    out = []
    for code in sorted(wanted, key=lambda c: (first.get(c, 1 << 30), c)):
        if code in kb.findings:
            label, level = kb.findings[code].label, kb.findings[code].level
        elif code in kb.conditions:
            label, level = kb.conditions[code].label, None
        else:
            continue
        out.append(Item(code, label, level, tuple(words.get(code, ())), code in said_no))
    return out


def rejected(form: Mapping[str, Any], reading: Reading) -> frozenset[str]:
    """The codes of `reading` the person answered "No, that's not it" to."""
    return frozenset(code for code in reading.findings | reading.conditions if form.get(field_of(code)) == "no")


def carried_rejected(raw: object) -> frozenset[str]:
    """The rejected codes a result page carried on (space-separated); unknown words are dropped."""
    if not isinstance(raw, str):
        return frozenset()
    return frozenset(word for word in raw.split()[:len(_KNOWN)] if word in _KNOWN)


def reader_of(reading: Reading) -> Callable[[str], Reading]:
    """A text reader for the engine that answers with the confirmed reading."""
    return lambda _text: reading
