"""The assessment pages: red flags first, then the rest, then the result. Nothing is stored.

Works without JavaScript: the red-flag form posts on its own, so an emergency
answer shows the emergency page before any other question is asked. Every page is
worded in the request's locale; the switch in the header keeps the choice in a cookie
(on a page made from posted answers, it posts the same answers again).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import i18n
from ..codes import LOCALES
from ..contract import parse_assessment
from ..engine import assess
from ..knowledge import load
from ..result import Result
from . import forms
from .deps import check_form_csrf, form_locale, remember_locale, request_locale, text_reader_available
from .templating import render

router = APIRouter(include_in_schema=False)


def _details_context(form: Any, errors: dict[str, str], conditions: list[str], locale: str) -> dict[str, Any]:
    return {
        "red_flags": forms.red_flag_questions(locale),
        "questions": forms.other_questions(locale),
        "conditions": forms.condition_questions(locale),
        "form": form,
        "chosen_conditions": set(conditions),
        "errors": errors,
        "text_box": text_reader_available(),
        "repost": form,
    }


def result_context(result: Result, text: str | None = None) -> dict[str, Any]:
    """What the result template needs: the result, its level, and the person's words with evidence marked."""
    kb = load(result.locale)
    level = kb.levels[result.urgency]
    spans = [(e.start, e.end, e.code) for e in result.evidence]
    return {"result": result, "level": level, "text": text or "", "spans": spans,
            "labels": {c: f.label for c, f in kb.findings.items()} | {c: k.label for c, k in kb.conditions.items()}}


def emergency_now(present: list[str], locale: str) -> Result:
    """The result for a red-flag yes, before any other question is asked."""
    return assess(parse_assessment({"hours_since_onset": 0, "pain": 0, "findings": present, "locale": locale}))


def _safe_next(target: str | None) -> str:
    """A path on this site to go back to after switching the wording (never another site)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//") or "\\" in target:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@router.get("/locale/{tag}")
async def switch_locale(request: Request, tag: str, next: str | None = None) -> Response:
    """Keep the chosen wording in a cookie and go back to the page the switch was on."""
    try:
        chosen = i18n.normalise(tag)
    except i18n.UnknownLocale as e:
        raise HTTPException(404, f"There is no wording {tag!r} here; choose one of: {', '.join(LOCALES)}.") from e
    return remember_locale(request, RedirectResponse(_safe_next(next), status_code=303), chosen)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/about", response_class=HTMLResponse)
async def about(request: Request) -> HTMLResponse:
    kb = load(request_locale(request))
    return render(request, "about.html", {"sources": list(kb.sources.values()), "levels": list(kb.levels.values()),
                                          "disclaimer": kb.disclaimer})


@router.get("/assess", response_class=HTMLResponse)
async def red_flags_form(request: Request) -> HTMLResponse:
    return render(request, "assess_red_flags.html", {"questions": forms.red_flag_questions(request_locale(request)),
                                                     "form": {}, "errors": {}})


@router.post("/assess", response_class=HTMLResponse)
async def red_flags_answered(request: Request) -> Response:
    form = await check_form_csrf(request)
    chosen = form_locale(request, form)
    locale = request_locale(request)
    present, _denied, errors = forms.read_red_flags(form)
    if present:
        # Any red flag: the emergency page at once, whatever else is unanswered.
        response = render(request, "result.html", result_context(emergency_now(present, locale))
                          | {"early": True, "repost": form})
    elif errors:
        response = render(request, "assess_red_flags.html", {"questions": forms.red_flag_questions(locale),
                                                             "form": form, "errors": errors}, 400)
    else:
        response = render(request, "assess_details.html", _details_context(form, {}, [], locale))
    return remember_locale(request, response, chosen)


@router.post("/assess/result", response_class=HTMLResponse)
async def assessment_result(request: Request) -> Response:
    form = await check_form_csrf(request)
    chosen = form_locale(request, form)
    locale = request_locale(request)
    conditions = [c for c in form.getlist("conditions") if isinstance(c, str)]
    data, errors = forms.read_assessment(form, conditions)
    red = set(forms.read_red_flags(form)[0])
    if red:  # a red flag changed to yes on the way: the emergency page, never an error page
        result = emergency_now(sorted(red), locale)
        return remember_locale(request, render(request, "result.html", result_context(result)
                                               | {"early": True, "repost": form}), chosen)
    if data.get("text") and not text_reader_available():
        errors["text"] = "Reading your own words is not available here: please answer the questions instead."
    if not errors:
        assessment, errors = forms.validate(data | {"locale": locale})
    if errors:
        response = render(request, "assess_details.html", _details_context(form, errors, conditions, locale), 400)
        return remember_locale(request, response, chosen)
    result = await run_in_threadpool(assess, assessment) if assessment.text else assess(assessment)
    carried = {"answers": assessment.model_dump_json(exclude_none=True), "assessed_at": datetime.now(UTC).isoformat()}
    response = render(request, "result.html", result_context(result, assessment.text)
                      | {"early": False, "repost": form} | carried)
    return remember_locale(request, response, chosen)
