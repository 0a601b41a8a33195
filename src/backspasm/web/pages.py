"""The assessment pages: red flags first, then the rest, then the result. Nothing is stored.

Works without JavaScript: the red-flag form posts on its own, so an emergency
answer shows the emergency page before any other question is asked; "not sure" and the
words the person wrote are settled on pages of their own (see `steps`). Every page is
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
from ..knowledge import load
from . import forms, steps
from .deps import check_form_csrf, form_locale, remember_locale, request_locale, text_reader_available
from .steps import result_context
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
    response = steps.red_flag_step(request, form, locale, "/assess")
    if response is None:
        response = render(request, "assess_details.html", _details_context(form, {}, [], locale))
    return remember_locale(request, response, chosen)


@router.post("/assess/result", response_class=HTMLResponse)
async def assessment_result(request: Request) -> Response:
    """The details answered; then the words confirmed and the follow-ups asked, each on its own page, then the result."""
    form = await check_form_csrf(request)
    chosen = form_locale(request, form)
    locale = request_locale(request)
    red = forms.read_red_flags(form)
    if red.counted:  # a warning sign changed on the way: the emergency page, never an error page
        return remember_locale(request, steps.emergency_page(request, form, red, locale), chosen)

    def details_page(errors: dict[str, str], conditions: list[str]) -> HTMLResponse:
        return render(request, "assess_details.html", _details_context(form, errors, conditions, locale), 400)

    step = await steps.details_step(request, form, locale, "/assess/result", "plan", details_page)
    if not isinstance(step, steps.Ready):
        return remember_locale(request, step, chosen)
    assessment = step.assessment
    result = await run_in_threadpool(step.assess) if assessment.text else step.assess()
    carried = {"answers": assessment.model_dump_json(exclude_none=True), "assessed_at": datetime.now(UTC).isoformat(),
               "rejected": " ".join(sorted(step.rejected))}
    response = render(request, "result.html", result_context(result, assessment.text, step.rejected)
                      | {"early": False, "repost": form} | carried)
    return remember_locale(request, response, chosen)
