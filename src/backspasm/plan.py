"""Urgency, findings, clock and conditions -> plan, professional options, prevention, schedule.

The knowledge base's `when` rules are compiled once into plain tuples, grouped by
urgency level, so that choosing items is a short loop of number and set tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from .codes import URGENCY_LEVELS
from .knowledge import load
from .knowledge.schema import AskFirstWhen, When
from .result import Cited, Step, _dumps

_INF = float("inf")
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Compiled:
    """One rule as plain data: hour window, findings required/excluded, and what it yields."""

    hours_from: float
    hours_below: float
    any_of: frozenset[str]
    none_of: frozenset[str]
    item: Cited
    ask_first: AskFirstWhen | None = None
    at_hour: float = 0.0

    def applies(self, hours: float, findings: frozenset[str]) -> bool:
        if hours < self.hours_from or hours >= self.hours_below:
            return False
        if self.any_of and self.any_of.isdisjoint(findings):
            return False
        return not (self.none_of and not self.none_of.isdisjoint(findings))


Rule = tuple[When, Cited, AskFirstWhen | None, float]


def _by_level(rules: Iterable[Rule]) -> dict[str, tuple[Compiled, ...]]:
    table: dict[str, list[Compiled]] = {level: [] for level in URGENCY_LEVELS}
    for when, item, ask_first, at_hour in rules:
        compiled = Compiled(
            when.hours_since_onset_at_least or 0.0,
            _INF if when.hours_since_onset_below is None else when.hours_since_onset_below,
            frozenset(when.findings_any or ()),
            frozenset(when.findings_none or ()),
            item,
            ask_first,
            at_hour,
        )
        for level in when.urgency_in or URGENCY_LEVELS:
            table[level].append(compiled)
    return {level: tuple(rules) for level, rules in table.items()}


@dataclass(frozen=True)
class Tables:
    plan: dict[str, tuple[Compiled, ...]]
    professional: dict[str, tuple[Compiled, ...]]
    prevention: dict[str, tuple[Compiled, ...]]
    schedule: dict[str, tuple[Compiled, ...]]


@cache
def tables() -> Tables:
    """Compile every rule of the knowledge base (once per process)."""
    kb = load()
    plan = _by_level(
        (
            r.when,
            Cited.make(r.code, r.title, r.text, r.source.ref, r.source.note, status="recommended", cautions=()),
            r.ask_first_when,
            0.0,
        )
        for r in kb.plan
    )
    professional = _by_level(
        (r.when, Cited.make(r.code, r.title, r.text, r.source.ref, r.source.note), None, 0.0)
        for r in kb.professional
    )
    prevention = _by_level(
        (r.when, Cited.make(r.code, r.title, r.text, r.source.ref, r.source.note), None, 0.0)
        for r in kb.prevention
    )
    schedule = _by_level(
        (r.when, Cited.make("step", "", r.text, r.source.ref, r.source.note), None, r.at_hour)
        for r in kb.schedule
    )
    return Tables(plan, professional, prevention, schedule)


@cache
def _ask_first_item(item: Cited, cautions: tuple[str, ...]) -> Cited:
    """A pain-relief item turned ask_first, with the cautions that apply (cached per combination)."""
    return Cited.make(
        item.code, item.title, item.text, item.ref, item.note, status="ask_first", cautions=cautions
    )


def _status(rule: Compiled, conditions: frozenset[str], age: int | None) -> Cited:
    af = rule.ask_first
    if af is None:
        return rule.item
    hits = [c for c in af.conditions_any if c in conditions] if conditions else []
    old = af.age_at_least is not None and age is not None and age >= af.age_at_least
    if not hits and not old:
        return rule.item
    kb_conditions = load().conditions
    cautions = tuple(kb_conditions[c].caution for c in hits)
    if old and af.age_text:
        cautions += (af.age_text,)
    return _ask_first_item(rule.item, cautions)


def choose(
    rules: Sequence[Compiled], hours: float, findings: frozenset[str]
) -> tuple[Compiled, ...]:
    """The rules whose hour window and finding tests hold."""
    return tuple(r for r in rules if r.applies(hours, findings))


def plan_items(
    urgency: str, hours: float, findings: frozenset[str], conditions: frozenset[str], age: int | None
) -> tuple[Cited, ...]:
    return tuple(_status(r, conditions, age) for r in choose(tables().plan[urgency], hours, findings))


def professional_items(urgency: str, hours: float, findings: frozenset[str]) -> tuple[Cited, ...]:
    return tuple(r.item for r in choose(tables().professional[urgency], hours, findings))


def prevention_items(urgency: str, hours: float, findings: frozenset[str]) -> tuple[Cited, ...]:
    return tuple(r.item for r in choose(tables().prevention[urgency], hours, findings))


@cache
def _future_step(at_hour: float, text: str) -> Step:
    step = Step(at_hour, text)
    object.__setattr__(step, "json", _dumps(step.as_dict()))
    return step


def schedule_steps(urgency: str, hours: float, findings: frozenset[str]) -> tuple[Step, ...]:
    """Steps of the plan by the clock: what applies now, then what is still ahead."""
    now: list[Step] = []
    ahead: list[Step] = []
    for rule in tables().schedule[urgency]:
        if not rule.applies(hours, findings):
            continue
        at = rule.at_hour
        if at <= 0:
            now.append(Step(hours, rule.item.text))
        elif at > hours:
            ahead.append(_future_step(at, rule.item.text))
    ahead.sort(key=lambda s: s.at_hour)
    return (*now, *ahead)
