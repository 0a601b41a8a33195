"""The diary pages: episodes, check-ins, the pain chart, status and the doctor report.

Every page needs a signed-in user and reads only that user's episodes: someone
else's episode id answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..contract import BadInput
from ..knowledge import load
from . import forms
from .deps import check_form_csrf, current_user_id, get_store, request_locale, require_user, text_reader_available
from .pages import emergency_now, result_context
from .templating import render

router = APIRouter(include_in_schema=False)

TREATMENT_LABELS = {
    "cold": "Cold pack",
    "heat": "Heat (pad or warm bath)",
    "rest": "Rest",
    "stretches": "Gentle stretches",
    "nsaid": "Ibuprofen or naproxen (NSAID)",
    "acetaminophen": "Acetaminophen (paracetamol)",
}
HELPED = {"yes": True, "no": False, "unsure": None}
# The report is a standalone document with its own inline styles and no script at all.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _episode_or_404(request: Request, user: Any, episode_id: int) -> Any:
    episode = get_store(request).get_episode(user.id, episode_id) if 0 < episode_id < 2**62 else None
    if episode is None:
        raise HTTPException(404, "There is no such diary episode in your account.")
    return episode


def chart_points(status: Any) -> list[tuple[float, int]]:
    """(hours since onset, pain): the rating that opened the episode, then every check-in."""
    first = (float(status.episode.assessment["hours_since_onset"]), int(status.episode.assessment["pain"]))
    return [first, *((c.hours_since_onset, c.pain) for c in status.checkins)]


def _when_at(raw: object, offset_raw: object, errors: dict[str, str]) -> datetime | None:
    """A datetime-local value in the browser's zone (offset from app.js; UTC without script), or None for now."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        local = datetime.fromisoformat(raw.strip())
    except ValueError:
        errors["at"] = "Please give a date and time, or leave it empty for now."
        return None
    try:
        offset = int(offset_raw) if isinstance(offset_raw, str) and offset_raw.strip() else 0
    except ValueError:
        offset = 0
    if not -14 * 60 <= offset <= 14 * 60:
        offset = 0
    if local.tzinfo is None:
        # JavaScript's getTimezoneOffset(): minutes to add to local time to get UTC.
        local = local.replace(tzinfo=UTC) + timedelta(minutes=offset)
    return local.astimezone(UTC)


def _checkin_args(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    raw_pain = form.get("pain")
    pain: int | None = None
    if isinstance(raw_pain, str) and raw_pain.isdigit() and 0 <= int(raw_pain) <= 10:
        pain = int(raw_pain)
    else:
        errors["pain"] = "Please choose a number from 0 to 10."
    findings = [f for f in form.getlist("findings") if isinstance(f, str)]
    tried: dict[str, bool | None] = {}
    for code in TREATMENT_LABELS:
        answer = form.get(f"tried_{code}", "")
        if answer in HELPED:
            tried[code] = HELPED[str(answer)]
        elif answer not in ("", "no_try"):
            errors[f"tried_{code}"] = "Choose one of the answers."
    note = form.get("note")
    at = _when_at(form.get("at"), form.get("tz_offset"), errors)
    return {"pain": pain, "findings": findings, "tried": tried,
            "note": note if isinstance(note, str) else None, "at": at}, errors


def _episode_page(request: Request, user: Any, episode_id: int, *, form: Any = None,
                  errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    from ..report import pain_chart_svg

    store = get_store(request)
    _episode_or_404(request, user, episode_id)
    locale = request_locale(request)
    status = store.status(user.id, episode_id, locale=locale)
    points = chart_points(status)
    ctx = result_context(status.result) | {
        "status": status,
        "episode": status.episode,
        "chart": pain_chart_svg(points),
        "questions": forms.red_flag_questions(locale) + forms.other_questions(locale),
        "treatments": TREATMENT_LABELS,
        "form": form or {},
        "chosen_findings": set(form.getlist("findings")) if isinstance(form, FormData) else set(),
        "errors": errors or {},
        "saved": request.query_params.get("saved") == "1",
        "escalated": request.query_params.get("escalated") == "1",
        "banner_tag": "h2",
        "source_of": {r: s.name for r, s in load().sources.items()},
    }
    return render(request, "episode.html", ctx, status_code)


@router.get("/diary", response_class=HTMLResponse)
async def diary_home(request: Request) -> HTMLResponse:
    if current_user_id(request) is None:
        return render(request, "diary_signed_out.html")
    user = require_user(request)
    episodes = await run_in_threadpool(get_store(request).list_episodes, user.id)
    levels = load(request_locale(request)).levels
    return render(request, "diary.html", {"episodes": episodes, "levels": levels, "user": user})


@router.get("/diary/new", response_class=HTMLResponse)
async def new_episode_form(request: Request) -> HTMLResponse:
    require_user(request)
    return render(request, "assess_red_flags.html", {"questions": forms.red_flag_questions(request_locale(request)),
                                                     "form": {},
                                                     "errors": {}, "action": "/diary/new"})


@router.post("/diary/new", response_class=HTMLResponse)
async def new_episode_red_flags(request: Request) -> HTMLResponse:
    form = await check_form_csrf(request)
    require_user(request)
    locale = request_locale(request)
    present, _denied, errors = forms.read_red_flags(form)
    if present:
        return render(request, "result.html", result_context(emergency_now(present, locale)) | {"early": True})
    if errors:
        return render(request, "assess_red_flags.html", {"questions": forms.red_flag_questions(locale), "form": form,
                                                         "errors": errors, "action": "/diary/new"}, 400)
    return render(request, "assess_details.html", {
        "red_flags": forms.red_flag_questions(locale), "questions": forms.other_questions(locale),
        "conditions": forms.condition_questions(locale), "form": form, "chosen_conditions": set(), "errors": {},
        "text_box": text_reader_available(), "action": "/diary/episodes"})


@router.post("/diary/episodes", response_class=HTMLResponse)
async def start_episode(request: Request) -> Response:
    form = await check_form_csrf(request)
    user = require_user(request)
    conditions = [c for c in form.getlist("conditions") if isinstance(c, str)]
    data, errors = forms.read_assessment(form, conditions)
    if data.get("text") and not text_reader_available():
        errors["text"] = "Reading your own words is not available here: please answer the questions instead."
    assessment = None
    locale = request_locale(request)
    if not errors:
        assessment, errors = forms.validate(data | {"locale": locale})
    if errors or assessment is None:
        return render(request, "assess_details.html", {
            "red_flags": forms.red_flag_questions(locale), "questions": forms.other_questions(locale),
            "conditions": forms.condition_questions(locale), "form": form, "chosen_conditions": set(conditions),
            "errors": errors, "text_box": text_reader_available(), "action": "/diary/episodes"}, 400)
    episode, _result = await run_in_threadpool(get_store(request).start_episode, user.id, assessment)
    return RedirectResponse(f"/diary/episodes/{episode.id}", status_code=303)


@router.get("/diary/episodes/{episode_id}", response_class=HTMLResponse)
async def episode_page(request: Request, episode_id: int) -> HTMLResponse:
    user = require_user(request)
    return await run_in_threadpool(lambda: _episode_page(request, user, episode_id))


@router.post("/diary/episodes/{episode_id}/checkins", response_class=HTMLResponse)
async def add_checkin(request: Request, episode_id: int) -> Response:
    form = await check_form_csrf(request)
    user = require_user(request)
    await run_in_threadpool(_episode_or_404, request, user, episode_id)
    args, errors = _checkin_args(form)
    if not errors:
        try:
            outcome = await run_in_threadpool(
                lambda: get_store(request).add_checkin(user.id, episode_id, **args)
            )
        except BadInput as e:
            errors = {loc.split(".")[0].split("[")[0] or "form": msg for loc, msg in e.errors}
        else:
            flag = "&escalated=1" if outcome.escalated else ""
            return RedirectResponse(f"/diary/episodes/{episode_id}?saved=1{flag}#status", status_code=303)
    return await run_in_threadpool(
        lambda: _episode_page(request, user, episode_id, form=form, errors=errors, status_code=400)
    )


@router.post("/diary/episodes/{episode_id}/close", response_class=HTMLResponse)
async def close_episode(request: Request, episode_id: int) -> Response:
    await check_form_csrf(request)
    user = require_user(request)
    episode = await run_in_threadpool(_episode_or_404, request, user, episode_id)
    if episode.is_open:
        await run_in_threadpool(get_store(request).close_episode, user.id, episode_id)
    return RedirectResponse(f"/diary/episodes/{episode_id}", status_code=303)


@router.get("/diary/episodes/{episode_id}/report", response_class=HTMLResponse)
async def report_html(request: Request, episode_id: int) -> HTMLResponse:
    from ..report import build_html

    user = require_user(request)

    def build() -> str:
        _episode_or_404(request, user, episode_id)
        html: str = build_html(get_store(request).status(user.id, episode_id))
        return html

    html = await run_in_threadpool(build)
    return HTMLResponse(html, headers={"content-security-policy": REPORT_CSP, "cache-control": "no-store"})


@router.get("/diary/episodes/{episode_id}/report.pdf")
async def report_pdf(request: Request, episode_id: int) -> Response:
    from ..report import build_pdf

    user = require_user(request)

    def build() -> bytes:
        _episode_or_404(request, user, episode_id)
        pdf: bytes = build_pdf(get_store(request).status(user.id, episode_id))
        return pdf

    pdf = await run_in_threadpool(build)
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="backspasm-episode-{episode_id}.pdf"',
        "cache-control": "no-store"})
