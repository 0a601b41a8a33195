"""The interactive questionnaire behind `backspasm assess` on a terminal.

Order matters for safety: the person's own words first (confirmed one by one, emergency
signs first), then the emergency questions, then the other red flags, then the rest.
Questions the confirmed text already settled are not asked again. An emergency sign that
is confirmed, answered yes, or left unsure ends the questions at once: pain and timing do
not change "call 911".

Every yes/no question takes yes, no or not sure in plain words (`replies.parse_reply`).
"Not sure" about a sign opens the one concrete follow-up the knowledge base gives for it;
still unsure, the sign counts as present (the contract's `unsure` list) and the result's
notes say so.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from gettext import NullTranslations
from typing import Any, Literal, Protocol

from rich.console import Console
from rich.text import Text

from .. import i18n
from ..codes import CONDITION_CODES, DEFAULT_LOCALE
from ..contract import MAX_HOURS, Assessment, BadInput, parse_assessment
from ..engine import assess
from ..findings import NOT_IMPROVING_AFTER_HOURS
from ..knowledge import load
from ..knowledge.schema import Finding
from ..present import N_
from ..result import EvidenceSpan, Result
from ..text.reading import EMPTY, Reading
from .render import render_compact, render_result
from .replies import AgeMention, Reply, age_in_text, parse_age, parse_duration, parse_onset, parse_pain, parse_reply, word_number

__all__ = [
    "Answers", "Asker", "LineAsker", "RichAsker", "excerpt", "gather", "highlight", "parse_duration", "run_questionnaire",
]

Outcome = Literal["present", "denied", "unsure"]
LONG_TEXT = 600  # characters: a longer description is echoed as the passages around what was read
CONTEXT = 70  # characters shown on each side of a passage that was read
_RANK = {"emergency": 0, "urgent": 1, "soon": 2}
PAIN_QUESTION = N_("Pain right now, from 0 (none) to 10 (worst imaginable)")
ONSET_QUESTION = N_("How long ago did this spasm start?")


class Asker(Protocol):
    """The questions the flow can put; words on a terminal, a script in tests."""

    def say(self, message: Text | str) -> None: ...
    def reply(self, question: str, default: Reply | None = None) -> Reply: ...
    def confirm(self, question: str, default: bool | None = None) -> bool: ...
    def integer(self, question: str, low: int, high: int, default: int | None = None) -> int: ...
    def pain(self, question: str, default: int | None = None) -> int: ...
    def hours(self, question: str, default: float | None = None) -> float: ...
    def age(self, question: str) -> int | None: ...
    def text(self, question: str) -> str: ...


class LineAsker:
    """Puts each question as one line and reads the answer in words, asking again with a hint until it can.

    `read_line` and `say` are the only ties to a terminal; `clock` gives the local time that
    answers such as "since yesterday morning" count back from.
    """

    def __init__(self, locale: str = DEFAULT_LOCALE, clock: Callable[[], datetime] | None = None):
        self.locale = locale
        self.clock = clock or datetime.now
        self._ = i18n.translations(locale)

    def read_line(self, prompt: Text) -> str:
        raise NotImplementedError

    def say(self, message: Text | str) -> None:
        raise NotImplementedError

    def _hint(self, message: str) -> None:
        self.say(Text(message, style="red"))

    def _prompt(self, question: str, choices: str | None = None, default: str | None = None) -> str:
        prompt = Text(question)
        if choices:
            prompt.append(f" [{choices}]", style="prompt.choices")
        if default:
            prompt.append(f" ({default})", style="prompt.default")
        prompt.append(": ")
        return self.read_line(prompt)

    def reply(self, question: str, default: Reply | None = None) -> Reply:
        g = self._.gettext
        shown = {"yes": g("yes"), "no": g("no"), "unsure": g("not sure")}
        while True:
            raw = self._prompt(question, g("yes/no/not sure"), shown[default] if default else None)
            if not raw.strip() and default is not None:
                return default
            answer = parse_reply(raw)
            if answer is not None:
                return answer
            self._hint(g("Please answer yes, no or not sure."))

    def confirm(self, question: str, default: bool | None = None) -> bool:
        g = self._.gettext
        shown = None if default is None else g("yes") if default else g("no")
        while True:
            raw = self._prompt(question, g("yes/no"), shown)
            if not raw.strip() and default is not None:
                return default
            answer = parse_reply(raw)
            if answer in ("yes", "no"):
                return answer == "yes"
            self._hint(g("Please answer yes or no."))

    def integer(self, question: str, low: int, high: int, default: int | None = None) -> int:
        while True:
            raw = self._prompt(question, default=None if default is None else str(default))
            if not raw.strip() and default is not None:
                return default
            value = word_number(raw.strip().lower())
            if value is not None and value == int(value) and low <= value <= high:
                return int(value)
            self._hint(self._.gettext("Please give a whole number from {low} to {high}.").format(low=low, high=high))

    def pain(self, question: str, default: int | None = None) -> int:
        while True:
            raw = self._prompt(question, default=None if default is None else str(default))
            if not raw.strip() and default is not None:
                return default
            value = parse_pain(raw)
            if value is not None:
                return value
            self._hint(self._.gettext(
                "Please give a number from 0 (no pain) to 10 (the worst you can imagine), such as 4, 8/10 or eight."))

    def hours(self, question: str, default: float | None = None) -> float:
        g = self._.gettext
        shown = None if default is None else describe_hours(default, self.locale)
        while True:
            raw = self._prompt(question + " " + g("(e.g. 6 hours, about a day, since yesterday morning)"), default=shown)
            if not raw.strip() and default is not None:
                return default
            onset = parse_onset(raw, self.clock())
            if onset is None:
                self._hint(g("I could not read that as a time. Try '6 hours', '2 days', 'about a day' or "
                             "'since yesterday morning'."))
                continue
            if onset.hours < 0:
                self._hint(g("That time has not come yet. When did it start: this morning, last night, "
                             "or how many hours ago?"))
                continue
            if onset.hours > MAX_HOURS:
                self.say(g("Counted as one year, the longest time this tool counts."))
                return MAX_HOURS
            if onset.relative:
                self.say(Text(describe_ago(onset.hours, self.locale), style="dim"))
            return onset.hours

    def age(self, question: str) -> int | None:
        while True:
            raw = self._prompt(question)
            if not raw.strip():
                return None
            value = parse_age(raw)
            if value is not None:
                return value
            self._hint(self._.gettext("Please give your age in years (0 to 120), or press Enter to skip."))

    def text(self, question: str) -> str:
        return self._prompt(question)


class RichAsker(LineAsker):
    """Asks on the terminal through a Rich console (line editing as the terminal provides it)."""

    def __init__(self, console: Console, locale: str = DEFAULT_LOCALE, clock: Callable[[], datetime] | None = None):
        super().__init__(locale, clock)
        self.console = console

    def read_line(self, prompt: Text) -> str:
        return self.console.input(prompt)

    def say(self, message: Text | str) -> None:
        self.console.print(message)


def describe_hours(hours: float, locale: str = DEFAULT_LOCALE) -> str:
    """'30 hours', '3 days', 'under an hour': a length of time as the questionnaire shows it."""
    _ = _gettext(locale)
    if hours < 1:
        return _("under an hour")
    if round(hours) == 1:
        return _("an hour")
    if hours < 48:
        return _("{n} hours").format(n=round(hours))
    return _("{n} days").format(n=round(hours / 24))  # two or more


def describe_ago(hours: float, locale: str = DEFAULT_LOCALE) -> str:
    """What a time counted back from the clock came to: 'That is about 30 hours ago.'"""
    return i18n.translations(locale).gettext("That is about {time} ago.").format(time=describe_hours(hours, locale))


@dataclass
class Answers:
    """What the questionnaire has gathered so far."""

    findings: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    text: str | None = None
    pain: int | None = None
    hours: float | None = None
    age: int | None = None
    locale: str = DEFAULT_LOCALE

    def record(self, code: str, outcome: Outcome) -> None:
        {"present": self.findings, "denied": self.denied, "unsure": self.unsure}[outcome].append(code)

    def assessment(self) -> Assessment:
        data: dict[str, Any] = {"hours_since_onset": self.hours or 0.0, "pain": self.pain or 0}
        if self.locale != DEFAULT_LOCALE:
            data["locale"] = self.locale
        for key in ("findings", "denied", "unsure", "conditions"):
            if getattr(self, key):
                data[key] = list(dict.fromkeys(getattr(self, key)))
        if self.age is not None:
            data["age"] = self.age
        if self.text:
            data["text"] = self.text
        return parse_assessment(data)


def highlight(text: str, reading: Reading) -> Text:
    """The person's words with every span the reader matched in bold reverse video."""
    return excerpt(text, tuple((s.start, s.end) for s in reading.evidence), limit=len(text))


def _word_edge(text: str, i: int, back: bool) -> int:
    """`i` moved to the nearest space outward, so an excerpt never cuts a word (at most 15 characters)."""
    step = -1 if back else 1
    for _ in range(15):
        if i <= 0 or i >= len(text) or text[i - 1 if back else i].isspace():
            break
        i += step
    return max(0, min(len(text), i))


def excerpt(text: str, spans: tuple[tuple[int, int], ...], limit: int = LONG_TEXT, context: int = CONTEXT) -> Text:
    """The words with the spans read highlighted; a text longer than `limit` shows only the passages
    around the spans (each with `context` characters either side), joined by ' … '."""
    if len(text) <= limit:
        out = Text(text)
        for start, end in spans:
            out.stylize("bold reverse", start, end)
        return out
    windows: list[list[int]] = [] if spans else [[0, _word_edge(text, limit, back=False)]]
    for start, end in sorted(spans):
        a = _word_edge(text, max(0, start - context), back=True)
        b = _word_edge(text, min(len(text), end + context), back=False)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    out = Text()
    for a, b in windows:
        if a > 0:
            out.append("… ", style="dim")
        piece = Text(" ".join(text[a:b].split("\n")))
        for start, end in spans:
            if start < b and end > a:
                piece.stylize("bold reverse", max(start, a) - a, min(end, b) - a)
        out.append_text(piece)
        out.append(" " if b < len(text) else "")
    if windows[-1][1] < len(text):
        out.append("…", style="dim")
    return out


def _gettext(locale: str) -> Callable[[str], str]:
    t: NullTranslations = i18n.translations(locale)
    return t.gettext


def settle(ask: Asker, finding: Finding, answer: Reply, locale: str = DEFAULT_LOCALE) -> Outcome:
    """A yes/no/not sure answer about a sign as the flow counts it; "not sure" asks the sign's follow-up."""
    _ = _gettext(locale)
    if answer == "yes":
        return "present"
    if answer == "no":
        return "denied"
    follow = finding.unsure
    if follow is not None:
        ask.say(Text(_("Then perhaps this is easier to answer:"), style="dim"))
        again = ask.reply(follow.question)
        if again != "unsure":
            return "present" if again == follow.present_if else "denied"
    ask.say(Text(_("Still not sure, so it counts as present: when in doubt, the safer reading is taken."), style="yellow"))
    return "unsure"


def ask_finding(ask: Asker, finding: Finding, locale: str = DEFAULT_LOCALE) -> Outcome:
    """Ask about one sign, with the follow-up when the person is not sure."""
    return settle(ask, finding, ask.reply(finding.question), locale)


def _confirm_reading(
    ask: Asker, answers: Answers, text: str, reading: Reading, age: AgeMention | None, locale: str = DEFAULT_LOCALE
) -> tuple[Reading, bool]:
    """Show what was understood (emergency signs first) and keep only what the person confirms.

    Returns the confirmed reading and whether an emergency sign was confirmed (the questions stop there).
    "Not sure" about a sign asks its follow-up; a denial there settles it, still unsure keeps it (and lists
    it as unsure). "Not sure" about a condition keeps it: the pain-relief advice then takes the careful side.
    """
    kb = load(locale)
    _ = _gettext(locale)
    spans = sorted(reading.evidence, key=lambda s: (_RANK.get(kb.findings[s.code].level, 3)
                                                   if s.code in kb.findings else 3, s.start))
    if not spans and age is None and not reading.findings:
        ask.say(_("Nothing in what you wrote points to a warning sign. The questions below cover the rest."))
        return reading, False  # no span and no finding: nothing to confirm
    ask.say(Text(_("Here is what I understood:"), style="bold"))
    ask.say(excerpt(text, tuple((s.start, s.end) for s in spans) + (((age.start, age.end),) if age else ())))
    kept_findings: set[str] = set()
    kept_conditions: set[str] = set()
    kept_spans: list[EvidenceSpan] = []
    labels = {code: f.label for code, f in kb.findings.items()} | {code: c.label for code, c in kb.conditions.items()}
    emergency = False

    def keep(code: str, answer: Reply) -> bool:
        """Whether a reading of `code` stands after the person's answer (recording what the follow-up settles)."""
        if answer == "no":
            return False
        if code not in kb.findings:
            if answer == "unsure":
                ask.say(Text(_("Counted, to be safe: the pain-relief advice takes the careful side."), style="yellow"))
            return True
        outcome = settle(ask, kb.findings[code], answer, locale)
        if outcome != "present":
            answers.record(code, outcome)
        return outcome != "denied"

    for span in spans:
        if span.code not in labels:
            continue
        kept = kept_findings if span.code in kb.findings else kept_conditions
        if span.code in kept:
            kept_spans.append(span)
            continue
        words = " ".join(span.text.split())
        question = (_('"{words}" may mean: {label}. Is that right?') if span.uncertain
                    else _('"{words}" -> {label}. Is that right?')).format(words=words, label=labels[span.code])
        if keep(span.code, ask.reply(question, "yes")):
            kept.add(span.code)
            kept_spans.append(span)
            if span.code in kb.findings and kb.findings[span.code].level == "emergency":
                emergency = True
                break
    # A code read without a span of its own still needs the person's word.
    if not emergency:
        for code in sorted(reading.findings - kept_findings - {s.code for s in reading.evidence}):
            answer = ask.reply(_("I understood: {label}. Is that right?").format(label=kb.findings[code].label), "yes")
            if keep(code, answer):
                kept_findings.add(code)
                if kb.findings[code].level == "emergency":
                    emergency = True
                    break
    confirm_age = _("You said you are {age}. Is that right?")
    if age is not None and not emergency and ask.reply(confirm_age.format(age=age.age), "yes") == "yes":
        answers.age = age.age  # anything but yes: the age question comes later, as for anyone
    if not emergency and not kept_findings and not answers.unsure:
        ask.say(_("Nothing in what you wrote points to a warning sign."))
    confirmed = Reading(
        findings=frozenset(kept_findings),
        conditions=frozenset(kept_conditions) | (reading.conditions - {s.code for s in reading.evidence}),
        evidence=tuple(sorted(kept_spans, key=lambda s: s.start)),
        pain=reading.pain,
        hours_since_onset=reading.hours_since_onset,
        ruled_out=reading.ruled_out - kept_findings,
    )
    return confirmed, emergency


def _preload_reader() -> None:
    """Load the text reader ahead of use; a failure here shows up, with its message, on the real read."""
    with contextlib.suppress(Exception):
        from ..text.reader import load as load_reader

        load_reader()


def gather(
    ask: Asker, read_text: Callable[[str], Reading] | None = None, locale: str = DEFAULT_LOCALE
) -> tuple[Answers, Reading, bool]:
    """Run the questions. Returns the answers, the confirmed reading, and whether it stopped early at an emergency.

    When it stops early, pain and timing are what the words stated (else left unset: 0 in the assessment);
    they do not change an emergency answer.
    """
    kb = load(locale)
    _ = _gettext(locale)
    answers = Answers(locale=locale)
    reading = EMPTY
    # Build the text pipeline (about a second) while the person is still typing.
    loader = threading.Thread(target=_preload_reader, daemon=True) if read_text is None else None
    if loader is not None:
        loader.start()
    words = ask.text(_("Describe what happened in your own words (or press Enter to skip)")).strip()
    if loader is not None:
        loader.join()
    emergency = False
    if words:
        if len(words) > 5000:
            words = words[:5000]
            ask.say(_("(Only the first 5,000 characters are read.)"))
        if read_text is None:
            from ..text import read

            read_text = read
        reading, emergency = _confirm_reading(ask, answers, words, read_text(words), age_in_text(words), locale)
        answers.text = words

    def stop() -> tuple[Answers, Reading, bool]:
        ask.say(Text(_("Stop here: what you describe is an emergency sign. Get help now; the details follow."),
                     style="bold red"))
        answers.pain, answers.hours = reading.pain, reading.hours_since_onset
        return answers, reading, True

    if emergency:
        return stop()
    # What the person confirmed from their words, or settled in a follow-up, is not asked again.
    settled = set(reading.findings) | set(answers.denied) | set(answers.unsure)
    for level in ("emergency", "urgent"):
        for f in kb.findings.values():
            if f.level != level or f.kind == "derived" or f.code in settled:
                continue
            outcome = ask_finding(ask, f, locale)
            answers.record(f.code, outcome)
            if level == "emergency" and outcome != "denied":
                return stop()
    answers.pain = ask.pain(_(PAIN_QUESTION), reading.pain)
    answers.hours = ask.hours(_(ONSET_QUESTION), reading.hours_since_onset)
    # The other signs that call for a visit, as the knowledge base lists them; severe pain comes from the
    # score, and "not improving" means something only after a few days of home care.
    for f in kb.findings.values():
        if f.level != "soon" or f.kind == "derived" or f.code == "severe_pain" or f.code in settled:
            continue
        if f.code == "not_improving" and answers.hours < NOT_IMPROVING_AFTER_HOURS:
            continue
        answers.record(f.code, ask_finding(ask, f, locale))
    if answers.age is None:
        answers.age = ask.age(_("How old are you? (press Enter to skip)"))
    ask.say(_("A few questions about your health decide which pain relievers are safe without advice."))
    for code in CONDITION_CODES:
        if code in reading.conditions:
            continue
        answer = ask.reply(kb.conditions[code].question, "no")
        if answer == "unsure":
            ask.say(Text(_("Counted, to be safe: the pain-relief advice takes the careful side."), style="yellow"))
        if answer != "no":
            answers.conditions.append(code)
    return answers, reading, False


def run_questionnaire(
    no_color: bool = False,
    console: Console | None = None,
    locale: str = DEFAULT_LOCALE,
    full: bool = False,
    ask: Asker | None = None,
    read_text: Callable[[str], Reading] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Result:
    """Ask, assess and print the answer: the short one (or with `full`, everything), the text as the person confirmed it."""
    console = console or Console(no_color=no_color, highlight=False)
    ask = ask or RichAsker(console, locale, clock)
    _ = _gettext(locale)
    console.print(Text(_("backspasm: a few questions about your back spasm."), style="bold"))
    console.print(_("Answer yes, no or not sure. This is not a diagnosis; if you feel very unwell, call your "
                    "emergency number.") + "\n")
    answers, reading, _early = gather(ask, read_text, locale)
    try:
        a = answers.assessment()
    except BadInput as e:  # the prompts validate each answer, so this means a bug: say it plainly
        console.print(f"[red]Could not assess those answers: {e}[/red]")
        raise
    result = assess(a, read_text=lambda _text: reading)
    now = (clock or datetime.now)()
    console.print()
    if full:
        render_result(result, console, now=now)
        return result
    render_compact(result, console, now=now, words_read=bool(answers.text))
    if result.urgency != "emergency" and ask.confirm(_("Show the whole plan, with what a doctor may offer and the sources?"),
                                                     False):
        console.print()
        render_result(result, console, now=now)
    return result
