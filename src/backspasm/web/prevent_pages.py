"""The prevention pages: the exercise library with its pictures, the program form and result,
the self-check checklists, and (signed in) the saved program with sessions to tick off.

Thin handlers over backspasm.prevent: no rule lives here or in the templates. Every
page works without JavaScript; the figures are inlined as SVG markup.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..contract import BadInput
from ..prevent.checklists import evaluate, get_checklist
from ..prevent.library import find_exercise, load
from ..prevent.offer import withholds
from ..prevent.program import Program, build_program, parse_request
from .deps import check_form_csrf, current_user_id, get_store, request_locale, require_user
from .templating import render

router = APIRouter(include_in_schema=False)

LEVEL_KEYS = ("self_care", "soon", "urgent", "emergency")


def _library_context() -> dict[str, Any]:
    data = load()
    return {
        "data": data,
        "figures": data.figures,
        "kinds": {"stretch": "Stretches", "core": "Core strength", "low_impact": "Low-impact activity"},
    }


@router.get("/exercises", response_class=HTMLResponse)
async def exercises(request: Request) -> HTMLResponse:
    return render(request, "prevent/exercises.html", _library_context())


@router.get("/exercises/{code}", response_class=HTMLResponse)
async def exercise(request: Request, code: str) -> HTMLResponse:
    ex = find_exercise(code)
    if ex is None:
        raise HTTPException(404, f"There is no exercise called '{code}'.")
    return render(request, "prevent/exercise.html", _library_context() | {"ex": ex})


def _form_context(form: Any, errors: dict[str, str], episode: tuple[str, float] | None) -> dict[str, Any]:
    data = load()
    return {
        "data": data,
        "form": form,
        "errors": errors,
        "episode": episode,
        "levels": data.settings.levels,
        "activities": data.of_kind("low_impact"),
        "limits": list(data.limits.values()),
    }


def _diary_episode(request: Request) -> tuple[str, float] | None:
    """The signed-in person's open diary episode, re-assessed now, if any."""
    uid = current_user_id(request)
    if uid is None:
        return None
    from ..prevent.tracking import episode_from_diary

    store = get_store(request)
    if store.get_user(uid) is None:
        return None
    return episode_from_diary(store, uid)


def read_program_form(form: FormData, episode: tuple[str, float] | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The posted answers as a program request, or per-field errors in plain words."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    raw = str(form.get("sitting_hours", "")).strip()
    try:
        data["sitting_hours"] = float(raw)
        if not 0 <= data["sitting_hours"] <= 24:
            raise ValueError
    except ValueError:
        errors["sitting_hours"] = "Give the hours you sit on a usual day, from 0 to 24."
    lifting = form.get("lifting_at_work")
    if lifting not in ("yes", "no"):
        errors["lifting_at_work"] = "Answer yes or no."
    else:
        data["lifting_at_work"] = lifting == "yes"
    level = form.get("activity_level")
    if level not in {lv.code for lv in load().settings.levels}:
        errors["activity_level"] = "Choose how active you are now."
    else:
        data["activity_level"] = level
    activities = [a for a in form.getlist("activities") if isinstance(a, str)]
    data["activities"] = activities or ["walking"]
    data["limits"] = [x for x in form.getlist("limits") if isinstance(x, str)]
    if episode is not None:
        data["urgency"], data["hours_since_onset"] = episode[0], round(episode[1], 2)
    else:
        spasm = form.get("spasm_now")
        if spasm not in ("yes", "no"):
            errors["spasm_now"] = "Answer yes or no."
        elif spasm == "yes":
            urgency = form.get("urgency")
            if urgency not in LEVEL_KEYS:
                errors["urgency"] = "Choose what the check said; if you have not checked yet, check your back first."
            else:
                data["urgency"] = urgency
            raw = str(form.get("hours_since_onset", "")).strip()
            try:
                hours = float(raw)
                if not 0 <= hours <= 8760:
                    raise ValueError
                data["hours_since_onset"] = hours
            except ValueError:
                if urgency not in LEVEL_KEYS or not withholds(urgency):  # the hours matter only then
                    errors["hours_since_onset"] = "Give the hours since the spasm began (0 to 8760)."
    start = str(form.get("start", "")).strip()
    if start:
        try:
            data["start"] = date.fromisoformat(start).isoformat()
        except ValueError:
            errors["start"] = "Give the first day as a date."
    return data, errors


def _build(data: dict[str, Any], locale: str) -> tuple[Program | None, dict[str, str]]:
    try:
        return build_program(parse_request(data), locale=locale), {}
    except BadInput as e:
        return None, {(loc.split(".")[0].split("[")[0] or "form"): msg for loc, msg in e.errors}


@router.get("/prevent", response_class=HTMLResponse)
async def prevent_form(request: Request) -> HTMLResponse:
    return render(request, "prevent/prevent_form.html", _form_context({}, {}, await run_in_threadpool(_diary_episode, request)))


@router.post("/prevent", response_class=HTMLResponse)
async def prevent_result(request: Request) -> HTMLResponse:
    form = await check_form_csrf(request)
    episode = await run_in_threadpool(_diary_episode, request)
    data, errors = read_program_form(form, episode)
    program = None
    if not errors:
        program, errors = _build(data, request_locale(request))
    if errors or program is None:
        return render(request, "prevent/prevent_form.html", _form_context(form, errors, episode), 400)
    saved = False
    uid = current_user_id(request)
    if uid is not None and program.status == "ready" and form.get("save") == "yes":
        from ..prevent.tracking import save_program

        await run_in_threadpool(save_program, get_store(request), uid, program, datetime.now(UTC))
        saved = True
    return render(
        request,
        "prevent/program.html",
        {"program": program, "data": load(), "form": form, "saved": saved, "signed_in_uid": uid, "adherence": None},
    )


@router.post("/prevent/calendar.ics")
async def prevent_calendar(request: Request) -> Response:
    form = await check_form_csrf(request)
    data, errors = read_program_form(form, await run_in_threadpool(_diary_episode, request))
    program = None
    if not errors:
        program, errors = _build(data, request_locale(request))
    if errors or program is None or program.status != "ready":
        raise HTTPException(400, "There is no program to put in a calendar for these answers.")
    from ..prevent.ics import program_to_ics

    return Response(
        program_to_ics(program),
        media_type="text/calendar",
        headers={"content-disposition": 'attachment; filename="back-care-program.ics"'},
    )


async def _saved_program_page(request: Request, user_id: int, refused: str | None = None, status: int = 200) -> HTMLResponse:
    """The saved program (re-checked against the diary) and how it is going; `refused` says why a tick was not kept.
    The store is read and the episode re-assessed off the event loop."""
    from ..prevent.tracking import progress

    found = await run_in_threadpool(progress, get_store(request), user_id, locale=request_locale(request))
    program, adh = found if found is not None else (None, None)
    return render(
        request,
        "prevent/program.html",
        {"program": program, "data": load(), "adherence": adh, "signed_in_uid": user_id, "saved": found is not None,
         "form": {}, "refused": refused},
        status,
    )


@router.get("/program", response_class=HTMLResponse)
async def saved_program(request: Request) -> HTMLResponse:
    user = require_user(request)
    return await _saved_program_page(request, user.id)


@router.post("/program/done")
async def tick_off(request: Request) -> Response:
    """Tick off a session (a plain form post): kept only once the program is under way; otherwise the program
    page again, saying why nothing was recorded (409)."""
    user = require_user(request)
    form = await check_form_csrf(request)
    ex = find_exercise(str(form.get("code", "")))
    if ex is None:
        raise HTTPException(400, "Unknown exercise.")
    from ..prevent.tracking import NotUnderWay
    from ..prevent.tracking import tick_off as record

    try:
        await run_in_threadpool(record, get_store(request), user.id, ex.code, locale=request_locale(request))
    except NotUnderWay as e:
        return await _saved_program_page(request, user.id, refused=e.short, status=409)
    return RedirectResponse("/program", status_code=303)


@router.get("/checklists/{name}", response_class=HTMLResponse)
async def checklist_form(request: Request, name: str) -> HTMLResponse:
    try:
        checklist = get_checklist(name)
    except BadInput as e:
        raise HTTPException(404, f"There is no checklist called '{name}'.") from e
    return render(request, "prevent/checklist.html", {"checklist": checklist, "form": {}, "errors": {}})


@router.post("/checklists/{name}", response_class=HTMLResponse)
async def checklist_result(request: Request, name: str) -> HTMLResponse:
    form = await check_form_csrf(request)
    try:
        checklist = get_checklist(name)
    except BadInput as e:
        raise HTTPException(404, f"There is no checklist called '{name}'.") from e
    answers: dict[str, bool] = {}
    errors: dict[str, str] = {}
    for item in checklist.items:
        value = form.get(item.code)
        if value not in ("yes", "no"):
            errors[item.code] = "Answer yes or no."
        else:
            answers[item.code] = value == "yes"
    if errors:
        return render(request, "prevent/checklist.html", {"checklist": checklist, "form": form, "errors": errors}, 400)
    return render(
        request, "prevent/checklist.html", {"checklist": checklist, "form": form, "errors": {}, "result": evaluate(name, answers)}
    )
