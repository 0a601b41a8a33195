"""The workspace and lifting self-checks: yes/no answers in, what to change out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..contract import BadInput
from .library import load
from .schema import Checklist, ChecklistItem


def get_checklist(name: str) -> Checklist:
    """A checklist by name ('workspace' or 'lifting'); BadInput for any other name."""
    lists = load().checklists
    if name not in lists:
        raise BadInput([("checklist", f"unknown checklist '{name}'; choose one of: {', '.join(lists)}")])
    return lists[name]


@dataclass(frozen=True)
class ChecklistResult:
    """Which items passed, and for each one that did not, what to change."""

    checklist: Checklist
    answers: dict[str, bool]

    @property
    def to_change(self) -> list[ChecklistItem]:
        return [i for i in self.checklist.items if not self.answers[i.code]]

    @property
    def score(self) -> int:
        return sum(1 for i in self.checklist.items if self.answers[i.code])

    def summary(self) -> str:
        total = len(self.checklist.items)
        if not self.to_change:
            return f"All {total} checks pass: keep it up."
        n = len(self.to_change)
        return f"{self.score} of {total} checks pass; {n} thing{'s' if n > 1 else ''} to change."

    def as_dict(self) -> dict[str, Any]:
        return {
            "checklist": self.checklist.code,
            "title": self.checklist.title,
            "score": self.score,
            "total": len(self.checklist.items),
            "summary": self.summary(),
            "answers": self.answers,
            "to_change": [
                {"code": i.code, "text": i.fix, "source": i.source.model_dump(exclude_none=True)} for i in self.to_change
            ],
        }


def evaluate(name: str, answers: Any) -> ChecklistResult:
    """Check a complete set of answers ({item code: true/false}); unknown, missing or non-boolean ones are refused."""
    checklist = get_checklist(name)
    if not isinstance(answers, dict):
        raise BadInput([("", "answers must be a JSON object of item code: true or false")])
    codes = [i.code for i in checklist.items]
    errors = [(str(k), f"unknown item; items are: {', '.join(codes)}") for k in answers if k not in codes]
    errors += [(c, "required answer is missing (true or false)") for c in codes if c not in answers]
    errors += [(c, "must be true or false") for c in codes if c in answers and not isinstance(answers[c], bool)]
    if errors:
        raise BadInput(errors)
    return ChecklistResult(checklist, {c: answers[c] for c in codes})


def evaluate_json(name: str, raw: str | bytes) -> ChecklistResult:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadInput([("", f"input is not valid JSON: {e}")]) from None
    return evaluate(name, data)
