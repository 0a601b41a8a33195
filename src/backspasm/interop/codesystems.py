"""backspasm's own vocabulary as FHIR CodeSystem resources, so every code we send can be looked up.

Generated from the knowledge base: the urgency levels (lowest first), findings,
conditions, plan items, professional and prevention options, and the sources cited.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..knowledge import load
from ..knowledge.schema import PlanRule, PreventionRule, ProfessionalRule
from .narrative import div
from .systems import CODE_SYSTEMS


def _concepts(kind: str) -> list[dict[str, Any]]:
    kb = load()
    if kind == "urgency":
        return [{"code": c, "display": lv.label, "definition": lv.summary} for c, lv in kb.levels.items()]
    if kind == "finding":
        return [{"code": c, "display": f.label, "definition": f"{f.text} (sets: {f.level})"} for c, f in kb.findings.items()]
    if kind == "condition":
        return [{"code": c, "display": x.label, "definition": x.caution} for c, x in kb.conditions.items()]
    if kind == "source":
        return [{"code": ref, "display": s.title} for ref, s in kb.sources.items()]
    rules: tuple[PlanRule | ProfessionalRule | PreventionRule, ...]
    if kind == "plan":
        rules = kb.plan
    elif kind == "professional":
        rules = kb.professional
    else:
        rules = kb.prevention
    return [{"code": r.code, "display": r.title, "definition": r.text} for r in rules]


def code_system(kind: str) -> dict[str, Any] | None:
    """The CodeSystem for one of CODE_SYSTEMS' ids, or None for an unknown id."""
    if kind not in CODE_SYSTEMS:
        return None
    url, title = CODE_SYSTEMS[kind]
    concepts = _concepts(kind)
    return {
        "resourceType": "CodeSystem",
        "id": kind,
        "text": div(f"{title}: {len(concepts)} codes.", items=tuple(f"{c['code']}: {c['display']}" for c in concepts)),
        "url": url,
        "version": __version__,
        "name": f"Backspasm{kind.capitalize()}",
        "title": title,
        "status": "active",
        "publisher": "backspasm",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }


__all__ = ["code_system"]
