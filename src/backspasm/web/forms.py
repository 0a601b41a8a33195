"""The questionnaire as data from the knowledge base, and a posted form turned into an assessment.

No rule lives here: the questions come from `knowledge.load()`, the answers go
through `parse_assessment` like any JSON, and `assess()` decides everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..codes import DEFAULT_LOCALE, URGENCY_RANK
from ..contract import MAX_HOURS, MAX_TEXT, BadInput, parse_assessment
from ..knowledge import load

ANSWERS = ("yes", "no")
UNSURE = "unsure"  # the third answer to a question with a follow-up, and to the follow-up itself
# Plain decimal numbers in ASCII digits, a comma allowed for the decimal point: not '²', '1e400' or '1_000'.
NUMBER = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,6})?")


@dataclass(frozen=True)
class Question:
    """One question about a finding: yes or no, and "not sure" when the knowledge base has a follow-up for it."""

    code: str
    level: str
    label: str
    text: str
    followup: str | None = None  # the one concrete question asked after "not sure"
    present_if: str | None = None  # the follow-up answer that means the finding is there

    @property
    def field(self) -> str:
        return f"f_{self.code}"

    @property
    def followup_field(self) -> str:
        return f"u_{self.code}"


def _question(f: Any) -> Question:
    up = f.unsure
    return Question(f.code, f.level, f.label, f.question, up.question if up else None, up.present_if if up else None)


def red_flag_questions(locale: str = DEFAULT_LOCALE) -> list[Question]:
    """The questions whose yes means an emergency: asked first, on a page of their own."""
    return [_question(f) for f in load(locale).findings.values() if f.level == "emergency" and f.kind != "derived"]


def other_questions(locale: str = DEFAULT_LOCALE) -> list[Question]:
    """The remaining findings a person can answer, most urgent first (severe pain comes from the 0-10 score)."""
    found = [f for f in load(locale).findings.values()
             if f.level != "emergency" and f.kind != "derived" and f.code != "severe_pain"]
    found.sort(key=lambda f: -URGENCY_RANK[f.level])
    return [_question(f) for f in found]


@dataclass
class Answers:
    """How a page's questions were answered.

    A "not sure" is settled by its follow-up: the answer the knowledge base names makes the
    finding present, the other denies it, and "still not sure" puts it in `unsure` (it counts as
    present). `pending` holds the questions answered "not sure" whose follow-up is not answered yet.
    """

    present: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    pending: list[Question] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def doubted(self) -> list[str]:
        """The findings left "not sure": still not sure after the follow-up, or with the follow-up not asked
        yet. Each counts as present (the safer reading)."""
        return self.unsure + [q.code for q in self.pending]

    @property
    def counted(self) -> list[str]:
        """Every finding that counts as present, a pending "not sure" included (the safer reading)."""
        return self.present + self.doubted


def condition_questions(locale: str = DEFAULT_LOCALE) -> list[tuple[str, str, str]]:
    """(code, label, question) for each health condition that changes pain-relief advice."""
    return [(c.code, c.label, c.question) for c in load(locale).conditions.values()]


def read_answers(form: Mapping[str, Any], questions: list[Question], *, followups_asked: bool = False) -> Answers:
    """The answers to `questions`. With `followups_asked` (the follow-up page was shown), an unanswered
    follow-up is an error to show again; otherwise it is pending, for the follow-up page to ask."""
    out = Answers()
    for q in questions:
        value = form.get(q.field)
        if value == "yes":
            out.present.append(q.code)
        elif value == "no":
            out.denied.append(q.code)
        elif value == UNSURE and q.present_if is not None:
            after = form.get(q.followup_field)
            if after in ANSWERS:
                (out.present if after == q.present_if else out.denied).append(q.code)
            elif after == UNSURE:
                out.unsure.append(q.code)
            else:
                out.pending.append(q)
                if followups_asked or after not in (None, ""):
                    out.errors[q.followup_field] = "Please answer yes, no or still not sure."
        elif value == UNSURE:  # a question without a follow-up: not sure counts as present, and the result says so
            out.unsure.append(q.code)
        else:
            out.errors[q.field] = "Please answer yes, no or not sure." if q.present_if else "Please answer yes or no."
    return out


def read_red_flags(form: Mapping[str, Any], *, followups_asked: bool = False) -> Answers:
    """The red-flag page's answers; every question must be answered."""
    return read_answers(form, red_flag_questions(), followups_asked=followups_asked)


def _number(raw: Any, name: str, errors: dict[str, str], *, integer: bool, required: bool) -> float | int | None:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        if required:
            errors[name] = "Please fill this in."
        return None
    if not NUMBER.fullmatch(text):
        errors[name] = "Please enter a number."
        return None
    value = float(text.replace(",", "."))
    if integer:
        if value != int(value):
            errors[name] = "Please enter a whole number."
            return None
        return int(value)
    return value


def read_assessment(form: Mapping[str, Any], conditions: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON-shaped assessment the form describes, and field errors in plain words."""
    errors: dict[str, str] = {}
    red = read_red_flags(form)
    rest = read_answers(form, other_questions())
    errors.update(red.errors | rest.errors)
    # A "not sure" whose follow-up was not asked (yet) counts as still not sure: the safer reading.
    unsure = red.doubted + rest.doubted
    data: dict[str, Any] = {"findings": red.present + rest.present, "denied": red.denied + rest.denied}
    if unsure:
        data["unsure"] = unsure
    amount = _number(form.get("onset_amount"), "onset_amount", errors, integer=False, required=True)
    unit = form.get("onset_unit", "hours")
    if unit not in ("hours", "days"):
        errors["onset_amount"] = "Choose hours or days."
    elif amount is not None:
        hours = amount * 24 if unit == "days" else amount
        if not 0 <= hours <= MAX_HOURS:
            errors["onset_amount"] = "Enter a time between now and one year ago."
        data["hours_since_onset"] = hours
    pain = _number(form.get("pain"), "pain", errors, integer=True, required=True)
    if pain is not None:
        data["pain"] = pain
    age = _number(form.get("age"), "age", errors, integer=True, required=False)
    if age is not None:
        data["age"] = age
    known = {c for c, _, _ in condition_questions()}
    chosen = [c for c in conditions if c in known]
    if len(chosen) != len(conditions):
        errors["conditions"] = "Unknown health condition."
    data["conditions"] = list(dict.fromkeys(chosen))
    text = form.get("text")
    if isinstance(text, str) and text.strip():
        if len(text) > MAX_TEXT:
            errors["text"] = f"Please keep this under {MAX_TEXT} characters."
        data["text"] = text
    return data, errors


_FIELD_OF = {"hours_since_onset": "onset_amount", "pain": "pain", "age": "age", "text": "text",
             "conditions": "conditions"}


def contract_errors(exc: BadInput) -> dict[str, str]:
    """BadInput's (loc, msg) pairs mapped onto the form's field names."""
    out: dict[str, str] = {}
    for loc, msg in exc.errors:
        head = loc.split("[", 1)[0].split(".", 1)[0]
        out.setdefault(_FIELD_OF.get(head, "form"), msg)
    return out


def validate(data: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """(Assessment or None, errors): the contract's own checks, in form terms."""
    try:
        return parse_assessment(data), {}
    except BadInput as e:
        return None, contract_errors(e)
