"""The steps between a questionnaire page and its result: the follow-up to each "not sure", and
confirming what was read in the person's words. Shared by the check (/assess) and a new diary
episode (/diary/new), so both ask the same way.

Order matters for safety. On the warning-sign page any sign that counts (a yes, a follow-up
answer that means yes, or "still not sure") shows the emergency page at once. After the
details, the words are confirmed first; a confirmed emergency reading goes straight to the
result, with any follow-up not asked yet counted as "not sure" (the safer reading). Every
answer so far travels in hidden fields, so each page works without JavaScript and nothing
is kept on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..contract import Assessment, parse_assessment
from ..engine import assess
from ..knowledge import load
from ..result import Result
from ..text import EMPTY, Reading
from ..text import read as read_text
from . import confirm, forms
from .deps import LOCALE_FIELD, text_reader_available
from .security import CSRF_FIELD
from .templating import render

FOLLOWUPS = "followups"  # a form field: the follow-up page was shown, so an unanswered follow-up is an error


def carried(form: FormData, drop: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Every answer in `form` but the token, the wording switch and the fields in `drop`: the hidden
    fields that carry the answers so far on to the next page."""
    skip = {CSRF_FIELD, LOCALE_FIELD, *drop}
    return [(name, value) for name, value in form.multi_items() if name not in skip and isinstance(value, str)]


def result_context(result: Result, text: str | None = None, rejected: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What the result template needs: the result, its level, and the person's words with evidence marked."""
    kb = load(result.locale)
    level = kb.levels[result.urgency]
    spans = [(e.start, e.end, e.code) for e in result.evidence]
    labels = {c: f.label for c, f in kb.findings.items()} | {c: k.label for c, k in kb.conditions.items()}
    return {"result": result, "level": level, "text": text or "", "spans": spans, "labels": labels,
            "not_counted": [labels[c] for c in sorted(rejected) if c in labels]}


def emergency_now(present: list[str], locale: str, unsure: list[str] | None = None) -> Result:
    """The result for a warning sign that counts (yes, or not sure), before any other question is asked."""
    data: dict[str, Any] = {"hours_since_onset": 0, "pain": 0, "findings": present, "locale": locale}
    if unsure:
        data["unsure"] = unsure
    return assess(parse_assessment(data))


def emergency_page(request: Request, form: FormData, red: forms.Answers, locale: str) -> HTMLResponse:
    result = emergency_now(red.present, locale, red.doubted)
    said_yes = any(form.get(f"f_{code}") == "yes" for code in red.present)
    early = "yes" if said_yes else "followup" if red.present else "unsure"
    return render(request, "result.html", result_context(result) | {"early": early, "repost": form})


def followup_page(request: Request, form: FormData, pending: list[forms.Question], errors: dict[str, str],
                  action: str, button: str) -> HTMLResponse:
    """One concrete question for each "not sure", each answered yes, no or still not sure."""
    asked = {q.followup_field for q in pending} | {FOLLOWUPS}
    return render(request, "assess_followup.html", {
        "questions": pending, "form": form, "errors": errors, "carry": carried(form, asked), "action": action,
        "button": button, "repost": form}, 400 if errors else 200)


def red_flag_step(request: Request, form: FormData, locale: str, action: str) -> HTMLResponse | None:
    """The page after the warning signs: the emergency page, the same page again, or the follow-ups;
    None when every sign is settled as absent and the details come next."""
    red = forms.read_red_flags(form, followups_asked=form.get(FOLLOWUPS) == "1")
    if red.present or red.unsure:
        # Any sign that counts: the emergency page at once, whatever else is unanswered.
        return emergency_page(request, form, red, locale)
    asked_again = {k: v for k, v in red.errors.items() if k.startswith("f_")}
    if asked_again:
        return render(request, "assess_red_flags.html", {"questions": forms.red_flag_questions(locale), "form": form,
                                                         "errors": asked_again, "action": action, "repost": form}, 400)
    if red.pending:
        return followup_page(request, form, red.pending, red.errors, action, "continue")
    return None


@dataclass(frozen=True)
class Ready:
    """Every answer settled: the assessment, and the reading of the words as the person confirmed it."""

    assessment: Assessment
    reading: Reading
    rejected: frozenset[str]

    def assess(self) -> Result:
        return assess(self.assessment, read_text=confirm.reader_of(self.reading))


async def details_step(request: Request, form: FormData, locale: str, action: str, button: str,
                       details_page: Callable[[dict[str, str], list[str]], HTMLResponse]) -> HTMLResponse | Ready:
    """After the details page: the same page with its errors, the confirmation of the words, the follow-ups,
    or, when all is settled, the assessment ready to run."""
    conditions = [c for c in form.getlist("conditions") if isinstance(c, str)]
    data, errors = forms.read_assessment(form, conditions)
    if data.get("text") and not text_reader_available():
        errors["text"] = "Reading your own words is not available here: please answer the questions instead."
    assessment = None
    if not errors:
        assessment, errors = forms.validate(data | {"locale": locale})
    if errors or assessment is None:
        return details_page(errors, conditions)
    reading, rejected = EMPTY, frozenset[str]()
    if assessment.text:
        full = await run_in_threadpool(read_text, assessment.text)
        if form.get(confirm.CONFIRMED) != "1":
            things = confirm.items(full, locale, denied=assessment.denied or ())
            if things:
                return confirm_page(request, form, assessment.text, full, things, action, button)
        rejected = confirm.rejected(form, full)
        reading = full.without(rejected)
    kb = load(locale)
    if not any(kb.findings[c].level == "emergency" for c in reading.findings if c in kb.findings):
        rest = forms.read_answers(form, forms.other_questions(locale), followups_asked=form.get(FOLLOWUPS) == "1")
        # A sign the confirmed words already show counts whatever its follow-up would say: not asked.
        pending = [q for q in rest.pending if q.code not in reading.findings]
        if pending:
            errors = {k: v for k, v in rest.errors.items() if k in {q.followup_field for q in pending}}
            return followup_page(request, form, pending, errors, action, button)
    return Ready(assessment, reading, rejected)


def confirm_page(request: Request, form: FormData, text: str, reading: Reading, things: list[confirm.Item],
                 action: str, button: str, checkin: bool = False) -> HTMLResponse:
    """Each thing read in the words, with the words marked, to confirm or reject (yes is chosen already)."""
    codes = {t.code for t in things}
    spans = [(e.start, e.end, e.code) for e in reading.evidence if e.code in codes]
    asked = {t.field for t in things} | {confirm.CONFIRMED}
    return render(request, "assess_confirm.html", {
        "text": text, "spans": spans, "items": things, "form": form, "carry": carried(form, asked),
        "action": action, "button": button, "checkin": checkin, "repost": form})
