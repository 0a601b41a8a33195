"""The assessment pages: red flags first, then the rest, then the result. Nothing is stored.

Works without JavaScript: the red-flag form posts on its own, so an emergency
answer shows the emergency page before any other question is asked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..contract import parse_assessment
from ..engine import assess
from ..knowledge import load
from ..result import Result
from . import forms
from .deps import check_form_csrf, text_reader_available
from .templating import render

router = APIRouter(include_in_schema=False)


def _details_context(form: Any, errors: dict[str, str], conditions: list[str]) -> dict[str, Any]:
    return {
        "red_flags": forms.red_flag_questions(),
        "questions": forms.other_questions(),
        "conditions": forms.condition_questions(),
        "form": form,
        "chosen_conditions": set(conditions),
        "errors": errors,
        "text_box": text_reader_available(),
    }


def result_context(result: Result, text: str | None = None) -> dict[str, Any]:
    """What the result template needs: the result, its level, and the person's words with evidence marked."""
    level = load().levels[result.urgency]
    spans = [(e.start, e.end, e.code) for e in result.evidence]
    return {"result": result, "level": level, "text": text or "", "spans": spans,
            "labels": {c: f.label for c, f in load().findings.items()}
            | {c: k.label for c, k in load().conditions.items()}}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/about", response_class=HTMLResponse)
async def about(request: Request) -> HTMLResponse:
    kb = load()
    return render(request, "about.html", {"sources": list(kb.sources.values()), "levels": list(kb.levels.values()),
                                          "disclaimer": kb.disclaimer})


@router.get("/assess", response_class=HTMLResponse)
async def red_flags_form(request: Request) -> HTMLResponse:
    return render(request, "assess_red_flags.html", {"questions": forms.red_flag_questions(), "form": {},
                                                     "errors": {}})


@router.post("/assess", response_class=HTMLResponse)
async def red_flags_answered(request: Request) -> HTMLResponse:
    form = await check_form_csrf(request)
    present, _denied, errors = forms.read_red_flags(form)
    if present:
        # Any red flag: the emergency page at once, whatever else is unanswered.
        result = assess(parse_assessment({"hours_since_onset": 0, "pain": 0, "findings": present}))
        return render(request, "result.html", result_context(result) | {"early": True})
    if errors:
        return render(request, "assess_red_flags.html",
                      {"questions": forms.red_flag_questions(), "form": form, "errors": errors}, 400)
    return render(request, "assess_details.html", _details_context(form, {}, []))


@router.post("/assess/result", response_class=HTMLResponse)
async def assessment_result(request: Request) -> HTMLResponse:
    form = await check_form_csrf(request)
    conditions = [c for c in form.getlist("conditions") if isinstance(c, str)]
    data, errors = forms.read_assessment(form, conditions)
    red = set(forms.read_red_flags(form)[0])
    if red:  # a red flag changed to yes on the way: the emergency page, never an error page
        result = assess(parse_assessment({"hours_since_onset": 0, "pain": 0, "findings": sorted(red)}))
        return render(request, "result.html", result_context(result) | {"early": True})
    if data.get("text") and not text_reader_available():
        errors["text"] = "Reading your own words is not available here: please answer the questions instead."
    if not errors:
        assessment, errors = forms.validate(data)
    if errors:
        return render(request, "assess_details.html", _details_context(form, errors, conditions), 400)
    result = await run_in_threadpool(assess, assessment) if assessment.text else assess(assessment)
    carried = {"answers": assessment.model_dump_json(exclude_none=True), "assessed_at": datetime.now(UTC).isoformat()}
    return render(request, "result.html", result_context(result, assessment.text) | {"early": False} | carried)
