"""Every source record and where it is cited: `backspasm sources`, `GET /api/v1/sources` and the docs.

A clinician checking a rule needs the record (what it is, who published it, where,
which version and section) and, the other way round, every rule that leans on it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from .knowledge import load
from .present import REF_PATTERN


def _rows() -> list[tuple[str, str, str, str | None]]:
    """(section, code, ref, note) for every cited item: the rules, the plan by the clock, prevention data."""
    kb = load()
    rows: list[tuple[str, str, str, str | None]] = []
    rows += [("finding", f.code, f.source.ref, f.source.note) for f in kb.findings.values()]
    rows += [("condition", c.code, c.source.ref, c.source.note) for c in kb.conditions.values()]
    rows += [("plan", p.code, p.source.ref, p.source.note) for p in kb.plan]
    rows += [("professional", p.code, p.source.ref, p.source.note) for p in kb.professional]
    rows += [("prevention", p.code, p.source.ref, p.source.note) for p in kb.prevention]
    rows += [("schedule", f"hour {s.at_hour:g} #{i}", s.source.ref, s.source.note) for i, s in enumerate(kb.schedule)]
    from .prevent.library import load as load_prevention

    rows += [(f"prevent.{section}", code, ref, None) for section, code, ref in load_prevention().citations()]
    return rows


def _named_in(note: str) -> set[str]:
    """The refs a citation note names: as a ref ("study:farrar-2001") or by its name in words ("ACP 2017")."""
    named = set(REF_PATTERN.findall(note))
    for ref, pattern in _aliases().items():
        if pattern.search(note):
            named.add(ref)
    return named


@cache
def _aliases() -> dict[str, re.Pattern[str]]:
    """A ref's name in words, from its slug: guideline:acp-2017 -> "ACP 2017", guideline:nice-ng59 -> "NICE NG59"."""
    return {ref: re.compile(r"\b" + re.escape(ref.split(":", 1)[1].replace("-", " ")) + r"\b", re.I)
            for ref in load().sources}


@cache
def cited_by() -> dict[str, tuple[tuple[str, str], ...]]:
    """ref -> ((section, code), ...): every item that cites it, or names it in its citation note."""
    index: dict[str, list[tuple[str, str]]] = {ref: [] for ref in load().sources}
    for section, code, ref, note in _rows():
        index[ref].append((section, code))
        for mentioned in sorted(_named_in(note or "") - {ref}):
            index[mentioned].append((f"{section} (note)", code))
    return {ref: tuple(dict.fromkeys(items)) for ref, items in index.items()}


def listing() -> list[dict[str, Any]]:
    """Every source record as JSON-ready data: the record, its name and one-line citation, and where it is cited."""
    index = cited_by()
    out = []
    for src in load().sources.values():
        record = src.model_dump(mode="json", exclude_none=True)
        record["name"] = src.name
        record["citation"] = src.citation()
        record["cited_by"] = [{"section": s, "code": c} for s, c in index[src.ref]]
        out.append(record)
    return out


__all__ = ["cited_by", "listing"]
