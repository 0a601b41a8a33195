"""The pipeline as one call: assess(Assessment) -> Result. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .codes import CONDITION_CODES, FINDING_CODES
from .contract import Assessment
from .findings import collect
from .knowledge import load
from .plan import plan_items, prevention_items, professional_items, schedule_steps
from .result import Result
from .text.reading import EMPTY, Reading
from .triage import triage

TextReader = Callable[[str], Reading]


def _default_reader(text: str) -> Reading:
    from .text import read  # the NLP pipeline loads only when some text is present

    return read(text)


def assess(a: Assessment, read_text: TextReader | None = None) -> Result:
    """Assess one validated input: findings, urgency and reasons, the plan and the options."""
    reading = (read_text or _default_reader)(a.text) if a.text and a.text.strip() else EMPTY
    found = collect(a, reading)
    urgency, reasons = triage(found.present, found.from_text)
    hours = a.hours_since_onset
    kb = load()
    present = found.present
    return Result(
        urgency=urgency,
        headline=kb.levels[urgency].headline,
        findings=tuple(c for c in FINDING_CODES if c in present),
        reasons=reasons,
        plan=plan_items(urgency, hours, present, found.conditions, a.age),
        professional=professional_items(urgency, hours, present),
        prevention=prevention_items(urgency, hours, present),
        disclaimer=kb.disclaimer,
        conditions=tuple(c for c in CONDITION_CODES if c in found.conditions),
        evidence=reading.evidence,
        schedule=schedule_steps(urgency, hours, present),
        hours_since_onset=hours,
    )


def assess_many(items: Iterable[Assessment], read_text: TextReader | None = None) -> list[Result]:
    """Assess a batch, in order."""
    return [assess(a, read_text) for a in items]
