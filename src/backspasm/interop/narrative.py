"""Clinician wording for cards and FHIR narratives, and the escaping both need.

The knowledge base speaks to the person ("A numb leg ... A doctor should examine you
today"); a card or a resource narrative is read by a clinician, so it says what the
patient reports and what it is a flag for, with short source names (clinician.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Any

from ..codes import FINDING_CODES, SOURCE_REFS
from ..knowledge import KnowledgeError, load, read_yaml
from .systems import XHTML

# Markdown that could change a card: emphasis, code, links, images, HTML, tables. Record text
# is always put mid-line after our own prefix, so line-start markers (-, 1.) need no escape.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


@dataclass(frozen=True)
class _Wording:
    levels: dict[str, str]
    sources: dict[str, str]
    findings: dict[str, dict[str, Any]]


@cache
def _wording() -> _Wording:
    name = "clinician.yaml"
    raw = read_yaml(name, __package__ or "backspasm.interop")
    levels, sources, findings = raw["levels"], raw["sources"], raw["findings"]
    missing = [c for c in FINDING_CODES if c not in findings] + [r for r in SOURCE_REFS if r not in sources]
    if missing:
        raise KnowledgeError(f"{name}: no clinician wording for {missing[0]}")
    for code, entry in findings.items():
        if set(entry) - {"reports", "concern", "also"} or not {"reports", "concern"} <= set(entry):
            raise KnowledgeError(f"{name}: {code} needs 'reports' and 'concern' (and optional 'also')")
        unknown = [r for r in entry.get("also", ()) if r not in sources]
        if unknown:
            raise KnowledgeError(f"{name}: {code} cites unknown source {unknown[0]}")
    return _Wording(levels, sources, findings)


def short_source(ref: str) -> str:
    """A source's short name for a clinician ('NICE NG59'), or its title when it has none."""
    return _wording().sources.get(ref) or load().sources[ref].name


def sources_of(code: str, ref: str) -> list[str]:
    """The refs behind a finding's flag: its own source, then any the wording adds."""
    return list(dict.fromkeys([ref, *_wording().findings[code].get("also", ())]))


def finding_sentence(code: str, level: str, ref: str, subject: str = "Patient reports") -> str:
    """'Patient reports saddle numbness: emergency assessment for possible cauda equina syndrome (NHS back pain; GIRFT 2023)'."""
    w = _wording()
    entry = w.findings[code]
    cited = "; ".join(short_source(r) for r in sources_of(code, ref))
    return f"{subject} {entry['reports']}: {w.levels[level]} for {entry['concern']} ({cited})"


def action(level: str) -> str:
    """What a level asks of the clinician ('same-day assessment')."""
    return str(_wording().levels[level])


def reports(code: str) -> str:
    """The finding as a clinician would write it ('saddle numbness')."""
    return str(_wording().findings[code]["reports"])


def md(text: str) -> str:
    """Text from a record, safe inside CDS Hooks card markdown: one line, every markup character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def div(*paragraphs: str, items: tuple[str, ...] = ()) -> dict[str, str]:
    """A resource's narrative (`text`): escaped paragraphs and an optional list, in a generated XHTML div."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)
    if items:
        body += "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{body}</div>'}


__all__ = ["action", "div", "finding_sentence", "md", "reports", "short_source", "sources_of"]
