"""Urgency, findings, clock and conditions -> plan, professional options, prevention, schedule.

The knowledge base's `when` rules are compiled once into plain tuples, grouped by
urgency level, so that choosing items is a short loop of number and set tests.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from .codes import DEFAULT_LOCALE, URGENCY_LEVELS
from .knowledge import load
from .knowledge.schema import AskFirstWhen, AvoidWhen, When
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
    avoid: AvoidWhen | None = None

    def applies(self, hours: float, findings: frozenset[str]) -> bool:
        if hours < self.hours_from or hours >= self.hours_below:
            return False
        if self.any_of and self.any_of.isdisjoint(findings):
            return False
        return not (self.none_of and not self.none_of.isdisjoint(findings))


Rule = tuple[When, Cited, AskFirstWhen | None, float, AvoidWhen | None]


def _by_level(rules: Iterable[Rule]) -> dict[str, tuple[Compiled, ...]]:
    table: dict[str, list[Compiled]] = {level: [] for level in URGENCY_LEVELS}
    for when, item, ask_first, at_hour, avoid in rules:
        compiled = Compiled(
            when.hours_since_onset_at_least or 0.0,
            _INF if when.hours_since_onset_below is None else when.hours_since_onset_below,
            frozenset(when.findings_any or ()),
            frozenset(when.findings_none or ()),
            item,
            ask_first,
            at_hour,
            avoid,
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
    hour_marks: tuple[float, ...]
    age_marks: tuple[int, ...]

    def hour_bucket(self, hours: float) -> int:
        """Which interval between the rules' hour thresholds `hours` falls in.

        Every hour test of every rule gives the same answer inside one interval, so
        the bucket (not the exact hour) is what a cached decision depends on.
        """
        return bisect_right(self.hour_marks, hours)

    def age_flags(self, age: int | None) -> tuple[bool, ...]:
        """For each age threshold of the rules, whether `age` reaches it."""
        if age is None:
            return (False,) * len(self.age_marks)
        return tuple([age >= mark for mark in self.age_marks])


@cache
def tables(locale: str = DEFAULT_LOCALE) -> Tables:
    """Compile every rule of the knowledge base (once per process and locale)."""
    kb = load(locale)
    plan = _by_level(
        (
            r.when,
            Cited.make(r.code, r.title, r.text, r.source.ref, r.source.note, status="recommended", cautions=()),
            r.ask_first_when,
            0.0,
            r.avoid_when,
        )
        for r in kb.plan
    )
    professional = _by_level(
        (r.when, Cited.make(r.code, r.title, r.text, r.source.ref, r.source.note), None, 0.0, None)
        for r in kb.professional
    )
    prevention = _by_level(
        (r.when, Cited.make(r.code, r.title, r.text, r.source.ref, r.source.note), None, 0.0, None)
        for r in kb.prevention
    )
    schedule = _by_level(
        (r.when, Cited.make("step", "", r.text, r.source.ref, r.source.note), None, r.at_hour, None)
        for r in kb.schedule
    )
    # Findings whose level waits for the pain to persist change the triage at their hour too.
    marks: set[float] = {f.persistent_from_hour for f in kb.findings.values() if f.persistent_from_hour}
    for table in (plan, professional, prevention, schedule):
        for rules in table.values():
            for r in rules:
                marks.update(m for m in (r.hours_from, r.hours_below, r.at_hour) if 0 < m < _INF)
    ages = {r.ask_first_when.age_at_least for r in kb.plan if r.ask_first_when and r.ask_first_when.age_at_least}
    return Tables(plan, professional, prevention, schedule, tuple(sorted(marks)), tuple(sorted(ages)))


@cache
def _cautioned_item(item: Cited, status: str, text: str, cautions: tuple[str, ...]) -> Cited:
    """A pain-relief item turned ask_first or avoid, led by its reasons (cached per combination)."""
    return Cited.make(item.code, item.title, text, item.ref, item.note, status=status, cautions=cautions)


def _status(rule: Compiled, conditions: frozenset[str], age: int | None, locale: str) -> Cited:
    """The item as this person may take it: avoid wins over ask_first, which wins over recommended."""
    af, av = rule.ask_first, rule.avoid
    if af is None and av is None:
        return rule.item
    avoid_hits = [c for c in av.conditions_any if c in conditions] if av and conditions else []
    ask_hits = [c for c in af.conditions_any if c in conditions] if af and conditions else []
    old = af is not None and af.age_at_least is not None and age is not None and age >= af.age_at_least
    if not avoid_hits and not ask_hits and not old:
        return rule.item
    kb_conditions = load(locale).conditions
    cautions = tuple(kb_conditions[c].caution for c in (*avoid_hits, *ask_hits))
    if old and af is not None and af.age_text:
        cautions += (af.age_text,)
    if av is not None and avoid_hits:
        return _cautioned_item(rule.item, "avoid", av.text, cautions)
    text = af.text if af is not None and af.text else rule.item.text
    return _cautioned_item(rule.item, "ask_first", text, cautions)


def choose(
    rules: Sequence[Compiled], hours: float, findings: frozenset[str]
) -> tuple[Compiled, ...]:
    """The rules whose hour window and finding tests hold."""
    return tuple(r for r in rules if r.applies(hours, findings))


def plan_items(
    urgency: str,
    hours: float,
    findings: frozenset[str],
    conditions: frozenset[str],
    age: int | None,
    locale: str = DEFAULT_LOCALE,
) -> tuple[Cited, ...]:
    return tuple(_status(r, conditions, age, locale) for r in choose(tables(locale).plan[urgency], hours, findings))


def professional_items(
    urgency: str, hours: float, findings: frozenset[str], locale: str = DEFAULT_LOCALE
) -> tuple[Cited, ...]:
    return tuple(r.item for r in choose(tables(locale).professional[urgency], hours, findings))


def prevention_items(
    urgency: str, hours: float, findings: frozenset[str], locale: str = DEFAULT_LOCALE
) -> tuple[Cited, ...]:
    return tuple(r.item for r in choose(tables(locale).prevention[urgency], hours, findings))


@cache
def _future_step(at_hour: float, text: str, ref: str) -> Step:
    step = Step(at_hour, text, ref)
    object.__setattr__(step, "json", _dumps(step.as_dict()))
    return step


def schedule_steps(
    urgency: str, hours: float, findings: frozenset[str], locale: str = DEFAULT_LOCALE
) -> tuple[tuple[tuple[str, str], ...], tuple[Step, ...]]:
    """Steps of the plan by the clock: (text, source) of what applies now, and the steps still ahead."""
    now: list[tuple[str, str]] = []
    ahead: list[Step] = []
    for rule in tables(locale).schedule[urgency]:
        if not rule.applies(hours, findings):
            continue
        if rule.at_hour <= 0:
            now.append((rule.item.text, rule.item.ref))
        elif rule.at_hour > hours:
            ahead.append(_future_step(rule.at_hour, rule.item.text, rule.item.ref))
    ahead.sort(key=lambda s: s.at_hour)
    return tuple(now), tuple(ahead)


def representative(tables: Tables, bucket: int, age_flags: tuple[bool, ...]) -> tuple[float, int | None]:
    """An hour and an age that fall in the given bucket and age flags (for cached decisions)."""
    hours = tables.hour_marks[bucket - 1] if bucket else 0.0
    reached = [mark for mark, flag in zip(tables.age_marks, age_flags, strict=True) if flag]
    return hours, (max(reached) if reached else None)
