"""What every surface shows of a result, decided once: safety-net groups, source names, status words.

Dates and times are written by `backspasm.clock` (Babel), for every surface alike.

The CLI, the web pages and the doctor's report lay these out in their own way; none of
them decides how the safety net is grouped, what a plan status is called, or how a
source is named (people see titles and links, never raw refs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import i18n
from .codes import DEFAULT_LOCALE, URGENCY_RANK
from .knowledge import load
from .result import Cited, Result


def N_(message: str) -> str:
    """Mark a sentence for the catalogs; it is translated where it is shown."""
    return message


# What a plan status means to the person, as the card's heading says it.
STATUS_WORDS = {
    "ask_first": N_("Ask a pharmacist or doctor first"),
    "avoid": N_("Do not take unless a doctor prescribes it"),
}


@dataclass(frozen=True, slots=True)
class WatchGroup:
    """Signs that would set one level, opened by that level's action ("Call 911 now if")."""

    level: str
    heading: str
    signs: tuple[Cited, ...]


@dataclass(frozen=True, slots=True)
class SourceLink:
    """A source as people see it: its title (with the section for an article), address, one-line citation."""

    name: str
    url: str | None
    citation: str
    kind: str


def watch_groups(result: Result) -> tuple[WatchGroup, ...]:
    """The result's safety net grouped by the level each sign would set, most urgent group first."""
    return _groups(result.watch_for, result.locale)


@cache
def _groups(items: tuple[Cited, ...], locale: str) -> tuple[WatchGroup, ...]:
    levels = load(locale).levels
    by_level: dict[str, list[Cited]] = {}
    for item in items:
        by_level.setdefault(str(item.get("level")), []).append(item)
    ordered = sorted(by_level, key=lambda lv: -URGENCY_RANK[lv])
    return tuple(WatchGroup(lv, levels[lv].watch_heading or levels[lv].label, tuple(by_level[lv])) for lv in ordered)


@cache
def source_link(ref: str) -> SourceLink:
    """The record a ref names, as a title and an address (every ref in a result resolves: checked at load)."""
    src = load().source(ref)
    return SourceLink(src.name, src.url, src.citation(), src.kind)


# A source ref as it may appear inside a citation note ("... (study:farrar-2001)").
REF_PATTERN = re.compile(r"\b(?:article|guideline|label|study):[a-z0-9-]+\b")


@cache
def readable_note(note: str) -> str:
    """A citation note with any ref it mentions ("study:farrar-2001") replaced by that source's title."""

    def name(m: re.Match[str]) -> str:
        src = load().sources.get(m.group(0))
        return src.name if src else m.group(0)

    return REF_PATTERN.sub(name, note)


def status_words(status: str | None, locale: str = DEFAULT_LOCALE) -> str | None:
    """The heading words of a plan item that is not simply recommended, in the locale's wording."""
    words = STATUS_WORDS.get(status or "")
    return i18n.gettext(locale, words) if words else None


def not_asked(result: Result) -> tuple[str, ...]:
    """Labels of the red flags the input never covered (empty for an emergency: nothing lower to trust)."""
    if result.urgency == "emergency" or not result.to_ask:
        return ()
    findings = load(result.locale).findings
    return tuple(findings[code].label for code in result.to_ask)


__all__ = [
    "REF_PATTERN", "STATUS_WORDS", "SourceLink", "WatchGroup",
    "not_asked", "readable_note", "source_link", "status_words", "watch_groups",
]
