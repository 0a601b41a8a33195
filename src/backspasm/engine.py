"""The pipeline as one call: assess(Assessment) -> Result. Pure: no I/O.

Everything after the findings depends only on a small key (which findings, which
conditions, which interval between the rules' hour thresholds, which age thresholds
are reached, which locale), so that part, the safety net included, is decided once per
key and cached; `to_ask` is a cached lookup on the red flags the input covered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from .codes import CONDITION_CODES, DEFAULT_LOCALE, FINDING_CODES
from .contract import Assessment
from .findings import collect
from .knowledge import load
from .notes import notes
from .plan import (
    plan_items,
    prevention_items,
    professional_items,
    representative,
    schedule_steps,
    tables,
)
from .result import Cited, EvidenceSpan, Fragments, Note, Result, Step, decision_fragments
from .safetynet import to_ask, watch_for
from .text.reading import EMPTY, Reading
from .triage import triage

TextReader = Callable[[str], Reading]


def _default_reader(text: str) -> Reading:
    from .text import read  # the NLP pipeline loads only when some text is present

    return read(text)


@dataclass(frozen=True, slots=True)
class Decision:
    """The part of a result that does not depend on the exact hour or the words."""

    urgency: str
    headline: str
    findings: tuple[str, ...]
    reasons: tuple[Cited, ...]
    plan: tuple[Cited, ...]
    professional: tuple[Cited, ...]
    prevention: tuple[Cited, ...]
    conditions: tuple[str, ...]
    disclaimer: str
    now: tuple[tuple[str, str], ...]
    ahead: tuple[Step, ...]
    watch_for: tuple[Cited, ...]
    locale: str = DEFAULT_LOCALE
    fragments: Fragments | None = None  # the decision's JSON, so a result serialises with a few joins


@lru_cache(maxsize=65536)
def decide(
    present: frozenset[str],
    from_text: frozenset[str],
    conditions: frozenset[str],
    bucket: int,
    age_flags: tuple[bool, ...],
    locale: str = DEFAULT_LOCALE,
) -> Decision:
    """Urgency, reasons, plan, options, schedule and safety net for one key of the rule set."""
    hours, age = representative(tables(), bucket, age_flags)
    urgency, reasons = triage(present, from_text, hours, locale)
    now, ahead = schedule_steps(urgency, hours, present, locale)
    kb = load(locale)
    d = Decision(
        urgency=urgency,
        headline=kb.levels[urgency].headline,
        findings=tuple(c for c in FINDING_CODES if c in present),
        reasons=reasons,
        plan=plan_items(urgency, hours, present, conditions, age, locale),
        professional=professional_items(urgency, hours, present, locale),
        prevention=prevention_items(urgency, hours, present, locale),
        conditions=tuple(c for c in CONDITION_CODES if c in conditions),
        disclaimer=kb.disclaimer,
        now=now,
        ahead=ahead,
        watch_for=watch_for(urgency, present, locale),
        locale=locale,
    )
    return _with_fragments(d, hours)


def _with_fragments(d: Decision, hours: float) -> Decision:
    """The decision with its JSON cut into fragments from a representative result."""
    sample = _result(d, hours, (), ())
    object.__setattr__(d, "fragments", decision_fragments(sample))
    return d


def _result(
    d: Decision, hours: float, evidence: tuple[EvidenceSpan, ...], asked: tuple[str, ...], noted: tuple[Note, ...] = ()
) -> Result:
    return Result(
        d.urgency,
        d.headline,
        d.findings,
        d.reasons,
        d.plan,
        d.professional,
        d.prevention,
        d.disclaimer,
        d.conditions,
        evidence,
        tuple([Step(hours, text, ref) for text, ref in d.now]) + d.ahead if d.now else d.ahead,
        hours,
        d.watch_for,
        asked,
        d.locale,
        d.fragments,
        noted,
    )


def assess(a: Assessment, read_text: TextReader | None = None) -> Result:
    """Assess one validated input: findings, urgency and reasons, the plan and the options."""
    reading = (read_text or _default_reader)(a.text) if a.text and a.text.strip() else EMPTY
    found = collect(a, reading)
    t = tables()
    hours = a.hours_since_onset
    locale = a.locale or DEFAULT_LOCALE
    d = decide(found.present, found.from_text, found.conditions, t.hour_bucket(hours), t.age_flags(a.age), locale)
    return _result(d, hours, reading.evidence, to_ask(found.covered), notes(a, reading, found.from_text, locale))


def assess_many(items: Iterable[Assessment], read_text: TextReader | None = None) -> list[Result]:
    """Assess a batch, in order."""
    return [assess(a, read_text) for a in items]
