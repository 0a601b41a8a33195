"""The questionnaire as data from the knowledge base, and a posted form turned into an assessment.

No rule lives here: the questions come from `knowledge.load()`, the answers go
through `parse_assessment` like any JSON, and `assess()` decides everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..codes import DEFAULT_LOCALE, URGENCY_RANK
from ..contract import MAX_HOURS, MAX_TEXT, BadInput, parse_assessment
from ..knowledge import load

ANSWERS = ("yes", "no")
# Plain decimal numbers in ASCII digits, a comma allowed for the decimal point: not '²', '1e400' or '1_000'.
NUMBER = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,6})?")


@dataclass(frozen=True)
class Question:
    """One yes/no question about a finding."""

    code: str
    level: str
    label: str
    text: str

    @property
    def field(self) -> str:
        return f"f_{self.code}"


def red_flag_questions(locale: str = DEFAULT_LOCALE) -> list[Question]:
    """The questions whose yes means an emergency: asked first, on a page of their own."""
    return [Question(f.code, f.level, f.label, f.question) for f in load(locale).findings.values()
            if f.level == "emergency" and f.kind != "derived"]


def other_questions(locale: str = DEFAULT_LOCALE) -> list[Question]:
    """The remaining findings a person can answer, most urgent first (severe pain comes from the 0-10 score)."""
    found = [f for f in load(locale).findings.values()
             if f.level != "emergency" and f.kind != "derived" and f.code != "severe_pain"]
    found.sort(key=lambda f: -URGENCY_RANK[f.level])
    return [Question(f.code, f.level, f.label, f.question) for f in found]


def condition_questions(locale: str = DEFAULT_LOCALE) -> list[tuple[str, str, str]]:
    """(code, label, question) for each health condition that changes pain-relief advice."""
    return [(c.code, c.label, c.question) for c in load(locale).conditions.values()]


def _answers(form: Mapping[str, Any], questions: list[Question], errors: dict[str, str]) -> tuple[list[str], list[str]]:
    present, denied = [], []
    for q in questions:
        value = form.get(q.field)
        if value == "yes":
            present.append(q.code)
        elif value == "no":
            denied.append(q.code)
        else:
            errors[q.field] = "Please answer yes or no."
    return present, denied


def read_red_flags(form: Mapping[str, Any]) -> tuple[list[str], list[str], dict[str, str]]:
    """(present, denied, errors) for the red-flag page; every question must be answered."""
    errors: dict[str, str] = {}
    present, denied = _answers(form, red_flag_questions(), errors)
    return present, denied, errors


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
    red_present, red_denied, red_errors = read_red_flags(form)
    errors.update(red_errors)
    present, denied = _answers(form, other_questions(), errors)
    data: dict[str, Any] = {"findings": red_present + present, "denied": red_denied + denied}
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
