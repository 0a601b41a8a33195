"""The interactive questionnaire behind `backspasm assess` on a terminal.

Order matters for safety: the person's own words first (confirmed one by one), then
the emergency questions, stopping at the first yes, then the other red flags, then
the rest. Questions the confirmed text already settled are not asked again.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from rich.console import Console
from rich.prompt import Confirm, IntPrompt, Prompt
from rich.text import Text

from ..codes import CONDITION_CODES, DEFAULT_LOCALE
from ..contract import Assessment, BadInput, parse_assessment
from ..engine import assess
from ..findings import NOT_IMPROVING_AFTER_HOURS
from ..knowledge import load
from ..result import Result
from ..text.reading import EMPTY, Reading
from .render import render_result

_UNITS = {
    "m": 1 / 60, "min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60,
    "h": 1, "hr": 1, "hrs": 1, "hour": 1, "hours": 1,
    "d": 24, "day": 24, "days": 24,
    "w": 168, "wk": 168, "wks": 168, "week": 168, "weeks": 168,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*(?:ago)?\s*$")


def parse_duration(answer: str) -> float | None:
    """Hours from '30', '30h', '2 days', '1.5 weeks'; None when it is not a duration."""
    m = _DURATION.match(answer.strip().lower())
    if not m:
        return None
    unit = m.group(2) or "h"
    if unit not in _UNITS:
        return None
    return float(m.group(1)) * _UNITS[unit]


class Asker(Protocol):
    """The questions the flow can put; Rich on a terminal, a script in tests."""

    def say(self, message: Text | str) -> None: ...
    def confirm(self, question: str, default: bool | None = None) -> bool: ...
    def integer(self, question: str, low: int, high: int, default: int | None = None) -> int: ...
    def hours(self, question: str, default: float | None = None) -> float: ...
    def text(self, question: str) -> str: ...


class RichAsker:
    """Asks on the terminal with Rich prompts, re-asking until an answer is valid."""

    def __init__(self, console: Console):
        self.console = console

    def say(self, message: Text | str) -> None:
        self.console.print(message)

    def confirm(self, question: str, default: bool | None = None) -> bool:
        if default is None:
            return Confirm.ask(question, console=self.console)
        return Confirm.ask(question, console=self.console, default=default)

    def integer(self, question: str, low: int, high: int, default: int | None = None) -> int:
        while True:
            if default is None:
                value = IntPrompt.ask(question, console=self.console)
            else:
                value = IntPrompt.ask(question, console=self.console, default=default)
            if low <= value <= high:
                return value
            self.console.print(f"[red]Please enter a whole number from {low} to {high}.[/red]")

    def hours(self, question: str, default: float | None = None) -> float:
        while True:
            kwargs: dict[str, Any] = {"console": self.console}
            if default is not None:
                kwargs["default"] = f"{default:g}"
            answer = Prompt.ask(question + " (e.g. 6, 30h, 2 days)", **kwargs)
            hours = parse_duration(answer)
            if hours is not None and 0 <= hours <= 8760:
                return hours
            self.console.print("[red]Please give a duration such as '6', '30 hours' or '2 days' (at most a year).[/red]")

    def text(self, question: str) -> str:
        return Prompt.ask(question, console=self.console, default="", show_default=False)


@dataclass
class Answers:
    """What the questionnaire has gathered so far."""

    findings: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    text: str | None = None
    pain: int | None = None
    hours: float | None = None
    age: int | None = None
    locale: str = DEFAULT_LOCALE

    def assessment(self) -> Assessment:
        data: dict[str, Any] = {"hours_since_onset": self.hours or 0.0, "pain": self.pain or 0}
        if self.locale != DEFAULT_LOCALE:
            data["locale"] = self.locale
        for key in ("findings", "denied", "conditions"):
            if getattr(self, key):
                data[key] = list(dict.fromkeys(getattr(self, key)))
        if self.age is not None:
            data["age"] = self.age
        if self.text:
            data["text"] = self.text
        return parse_assessment(data)


def highlight(text: str, reading: Reading) -> Text:
    """The person's words with every span the reader matched in bold reverse video."""
    out = Text(text)
    for span in reading.evidence:
        out.stylize("bold reverse", span.start, span.end)
    return out


def _confirm_reading(ask: Asker, text: str, reading: Reading, locale: str = DEFAULT_LOCALE) -> Reading:
    """Show what was understood; keep only what the person confirms."""
    kb = load(locale)
    if not reading.evidence and reading.pain is None and reading.hours_since_onset is None:
        ask.say("I did not find any specific symptom in that; the questions below will cover the rest.")
        return reading
    ask.say(Text("Here is what I understood:", style="bold"))
    ask.say(highlight(text, reading))
    kept_findings: set[str] = set()
    kept_conditions: set[str] = set()
    kept_spans = []
    labels = {code: f.label for code, f in kb.findings.items()} | {code: c.label for code, c in kb.conditions.items()}
    for span in reading.evidence:
        if span.code not in labels:
            continue
        kept = kept_findings if span.code in kb.findings else kept_conditions
        if span.code in kept or ask.confirm(f'"{span.text}" -> {labels[span.code]}. Is that right?', True):
            kept.add(span.code)
            kept_spans.append(span)
    # A code read without a span of its own still needs the person's word.
    for code in sorted(reading.findings - kept_findings - {s.code for s in reading.evidence}):
        if ask.confirm(f"I understood: {kb.findings[code].label}. Is that right?", True):
            kept_findings.add(code)
    return Reading(
        findings=frozenset(kept_findings),
        conditions=frozenset(kept_conditions) | (reading.conditions - {s.code for s in reading.evidence}),
        evidence=tuple(kept_spans),
        pain=reading.pain,
        hours_since_onset=reading.hours_since_onset,
    )


def _preload_reader() -> None:
    """Load the text reader ahead of use; a failure here shows up, with its message, on the real read."""
    with contextlib.suppress(Exception):
        from ..text.reader import load as load_reader

        load_reader()


def gather(
    ask: Asker, read_text: Callable[[str], Reading] | None = None, locale: str = DEFAULT_LOCALE
) -> tuple[Answers, Reading, bool]:
    """Run the questions. Returns the answers, the confirmed reading, and whether it stopped early."""
    kb = load(locale)
    answers = Answers(locale=locale)
    reading = EMPTY
    # Build the text pipeline (about a second) while the person is still typing.
    loader = threading.Thread(target=_preload_reader, daemon=True) if read_text is None else None
    if loader is not None:
        loader.start()
    words = ask.text("Describe what happened in your own words (or press Enter to skip)").strip()
    if loader is not None:
        loader.join()
    if words:
        if len(words) > 5000:
            words = words[:5000]
            ask.say("(Only the first 5,000 characters are read.)")
        if read_text is None:
            from ..text import read

            read_text = read
        reading = _confirm_reading(ask, words, read_text(words), locale)
        answers.text = words
    # What the person confirmed from their words is settled: it is not asked again.
    settled = set(reading.findings)

    def stop_now() -> bool:
        return any(kb.findings[c].level == "emergency" for c in (*answers.findings, *settled))

    if not stop_now():
        for level in ("emergency", "urgent"):
            for f in kb.findings.values():
                if f.level != level or f.kind == "derived" or f.code in settled:
                    continue
                if ask.confirm(f.question):
                    answers.findings.append(f.code)
                    if level == "emergency":
                        break
                else:
                    answers.denied.append(f.code)
            if stop_now():
                break
    early = stop_now()
    if early:
        ask.say(Text("Stop here: what you describe is an emergency sign. Get help now; the details follow.", style="bold red"))
    answers.pain = ask.integer("Pain right now, from 0 (none) to 10 (worst imaginable)", 0, 10, reading.pain)
    answers.hours = ask.hours("How long ago did this spasm start?", reading.hours_since_onset)
    if early:
        return answers, reading, True
    # The other signs that call for a visit, as the knowledge base lists them; severe pain comes from the
    # score, and "not improving" means something only after a few days of home care.
    for f in kb.findings.values():
        if f.level != "soon" or f.kind == "derived" or f.code == "severe_pain" or f.code in settled:
            continue
        if f.code == "not_improving" and answers.hours < NOT_IMPROVING_AFTER_HOURS:
            continue
        (answers.findings if ask.confirm(f.question) else answers.denied).append(f.code)
    if ask.confirm("May I ask your age? It changes the pain-relief advice", True):
        answers.age = ask.integer("Age in years", 0, 120)
    ask.say("A few questions about your health decide which pain relievers are safe without advice.")
    for code in CONDITION_CODES:
        if code not in reading.conditions and ask.confirm(kb.conditions[code].question, False):
            answers.conditions.append(code)
    return answers, reading, False


def run_questionnaire(no_color: bool = False, console: Console | None = None, locale: str = DEFAULT_LOCALE) -> Result:
    """Ask, assess and print the result; the text is assessed as the person confirmed it."""
    console = console or Console(no_color=no_color, highlight=False)
    ask = RichAsker(console)
    console.print(Text("backspasm: a few questions about your back spasm.", style="bold"))
    console.print("Answer y or n. This is not a diagnosis; if you feel very unwell, call your emergency number.\n")
    answers, reading, _ = gather(ask, locale=locale)
    try:
        a = answers.assessment()
    except BadInput as e:  # the prompts validate each answer, so this means a bug: say it plainly
        console.print(f"[red]Could not assess those answers: {e}[/red]")
        raise
    result = assess(a, read_text=lambda _text: reading)
    console.print()
    render_result(result, console)
    return result

