"""The pathway as data: YAML files beside this module, validated once at load.

`load()` returns the whole knowledge base; a file with an unknown key, an unknown
code, a missing or duplicated entry fails with the file and the entry named.
`load(locale)` returns it in another locale's wording: the en-US sentences are the
message ids of the gettext catalogs (see `backspasm.i18n`).
`vocabulary()` exports the rule set as plain JSON-ready data, the one registry that
the CLI's `knowledge` command, the API and the FHIR Questionnaire read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .. import i18n
from ..codes import (
    CONDITION_CODES,
    DEFAULT_LOCALE,
    FINDING_CODES,
    PLAN_CODES,
    PREVENTION_CODES,
    PROFESSIONAL_CODES,
    SOURCE_REFS,
    URGENCY_LEVELS,
)
from .schema import (
    Condition,
    Disclaimer,
    Finding,
    Level,
    PlanRule,
    PreventionRule,
    ProfessionalRule,
    ScheduleRule,
    Source,
)

M = TypeVar("M", bound=BaseModel)


class KnowledgeError(RuntimeError):
    """A knowledge file does not match its schema."""


@dataclass(frozen=True)
class KnowledgeBase:
    sources: dict[str, Source]
    levels: dict[str, Level]
    findings: dict[str, Finding]
    conditions: dict[str, Condition]
    plan: tuple[PlanRule, ...]
    professional: tuple[ProfessionalRule, ...]
    prevention: tuple[PreventionRule, ...]
    schedule: tuple[ScheduleRule, ...]
    disclaimer: str

    def source(self, ref: str) -> Source:
        """The record a ref resolves to (KeyError for an unknown ref)."""
        return self.sources[ref]

    def citations(self) -> list[tuple[str, str, str]]:
        """(section, code, ref) for every rule, for the 'every rule has a source' checks."""
        rows: list[tuple[str, str, str]] = [("finding", f.code, f.source.ref) for f in self.findings.values()]
        rows += [("condition", c.code, c.source.ref) for c in self.conditions.values()]
        rows += [("plan", p.code, p.source.ref) for p in self.plan]
        rows += [("professional", p.code, p.source.ref) for p in self.professional]
        rows += [("prevention", p.code, p.source.ref) for p in self.prevention]
        return rows


def read_yaml(name: str, package: str = __name__) -> Any:
    """Read one YAML resource file shipped inside the package."""
    try:
        text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError(f"{name}: knowledge file is missing") from None
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise KnowledgeError(f"{name}: not valid YAML: {e}") from None


def parse_entries(name: str, model: type[M], data: Any) -> tuple[M, ...]:
    """Validate a list of entries against `model`, naming the file and entry on failure."""
    if not isinstance(data, list):
        raise KnowledgeError(f"{name}: expected a list of entries")
    out = []
    for i, raw in enumerate(data):
        label = raw.get("code", raw.get("ref", f"#{i}")) if isinstance(raw, dict) else f"#{i}"
        try:
            out.append(model.model_validate(raw))
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or '(entry)'}: {err['msg']}"
                + (f" (got {err['input']!r})" if isinstance(err.get("input"), str | int | float) else "")
                for err in e.errors()
            )
            raise KnowledgeError(f"{name}: entry {i} ({label}): {problems}") from None
    return tuple(out)


def _exactly_once(name: str, codes: Sequence[str], expected: Sequence[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise KnowledgeError(f"{name}: '{code}' is described more than once")
        seen.add(code)
    missing = [c for c in expected if c not in seen]
    if missing:
        raise KnowledgeError(f"{name}: no entry for {', '.join(missing)}")


def _load(name: str, model: type[M], expected: Sequence[str] | None = None, key: str = "code") -> tuple[M, ...]:
    entries = parse_entries(name, model, read_yaml(name))
    if expected is not None:
        _exactly_once(name, [getattr(e, key) for e in entries], expected)
    return entries


# Fields that hold user-facing sentences, in every model that has them; source records and
# citation notes are references for clinicians and are not translated.
TEXT_FIELDS = frozenset(
    {"label", "headline", "summary", "watch_heading", "question", "text", "watch", "deviation", "caution", "title", "age_text"}
)
_UNTRANSLATED: tuple[type[BaseModel], ...] = (Source,)


def texts(model: BaseModel) -> list[str]:
    """Every user-facing sentence of one entry (nested entries included), for the catalogs."""
    if isinstance(model, _UNTRANSLATED):
        return []
    out: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, str) and name in TEXT_FIELDS:
            out.append(value)
        elif isinstance(value, BaseModel):
            out += texts(value)
    return out


def _localised(model: M, locale: str) -> M:
    if isinstance(model, _UNTRANSLATED):
        return model
    update: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, str) and name in TEXT_FIELDS:
            update[name] = i18n.gettext(locale, value)
        elif isinstance(value, BaseModel):
            update[name] = _localised(value, locale)
    return model.model_copy(update=update)


def all_texts() -> list[str]:
    """Every user-facing sentence of the knowledge base, in file order (the catalogs' message ids)."""
    kb = load()
    out: list[str] = []
    for group in (kb.levels.values(), kb.findings.values(), kb.conditions.values(), kb.plan, kb.professional,
                  kb.prevention, kb.schedule):
        for entry in group:
            out += texts(entry)
    out.append(kb.disclaimer)
    return list(dict.fromkeys(out))


@cache
def load(locale: str = DEFAULT_LOCALE) -> KnowledgeBase:
    """The knowledge base in `locale`'s wording (each locale checked and built once per process)."""
    if locale != DEFAULT_LOCALE:
        return _translate(load(), i18n.normalise(locale))
    return _load_all()


def _translate(kb: KnowledgeBase, locale: str) -> KnowledgeBase:
    def each(entries: Sequence[M]) -> tuple[M, ...]:
        return tuple(_localised(e, locale) for e in entries)

    return KnowledgeBase(
        sources=kb.sources,
        levels={k: _localised(v, locale) for k, v in kb.levels.items()},
        findings={k: _localised(v, locale) for k, v in kb.findings.items()},
        conditions={k: _localised(v, locale) for k, v in kb.conditions.items()},
        plan=each(kb.plan),
        professional=each(kb.professional),
        prevention=each(kb.prevention),
        schedule=each(kb.schedule),
        disclaimer=i18n.gettext(locale, kb.disclaimer),
    )


def _load_all() -> KnowledgeBase:
    """Load and check every knowledge file."""
    sources = _load("sources.yaml", Source, SOURCE_REFS, key="ref")
    levels = _load("levels.yaml", Level, URGENCY_LEVELS)
    findings = _load("findings.yaml", Finding, FINDING_CODES)
    for f in findings:  # "not sure" on a red flag always opens a concrete follow-up
        if f.level in ("emergency", "urgent") and f.kind != "derived" and f.unsure is None:
            raise KnowledgeError(f"findings.yaml: {f.code}: a red flag needs an 'unsure' follow-up question")
    conditions = _load("conditions.yaml", Condition, CONDITION_CODES)
    plan = _load("plan.yaml", PlanRule, PLAN_CODES)
    professional = _load("professional.yaml", ProfessionalRule, PROFESSIONAL_CODES)
    prevention = _load("prevention.yaml", PreventionRule, PREVENTION_CODES)
    schedule = _load("schedule.yaml", ScheduleRule)
    try:
        disclaimer = Disclaimer.model_validate(read_yaml("disclaimer.yaml")).text
    except ValidationError as e:
        raise KnowledgeError(f"disclaimer.yaml: {e.errors()[0]['msg']}") from None
    return KnowledgeBase(
        sources={s.ref: s for s in sources},
        levels={lv.code: lv for lv in levels},
        findings={f.code: f for f in findings},
        conditions={c.code: c for c in conditions},
        plan=plan,
        professional=professional,
        prevention=prevention,
        schedule=schedule,
        disclaimer=disclaimer,
    )


def vocabulary(locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    """The whole rule set as JSON-ready data: levels, findings, conditions, rules, sources."""
    kb = load(locale)

    def dump(entries: Sequence[BaseModel]) -> list[dict[str, Any]]:
        return [e.model_dump(mode="json", exclude_none=True) for e in entries]

    return {
        "version": 1,
        "contract": "1.1",
        "locale": i18n.normalise(locale),
        "levels": dump(list(kb.levels.values())),
        "findings": dump(list(kb.findings.values())),
        "conditions": dump(list(kb.conditions.values())),
        "plan": dump(kb.plan),
        "professional": dump(kb.professional),
        "prevention": dump(kb.prevention),
        "schedule": dump(kb.schedule),
        "sources": dump(list(kb.sources.values())),
        "disclaimer": kb.disclaimer,
    }


__all__ = ["KnowledgeBase", "KnowledgeError", "all_texts", "load", "parse_entries", "read_yaml", "texts", "vocabulary"]
