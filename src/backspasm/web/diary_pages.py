"""The diary pages: episodes, check-ins with findings present or gone, a clinician's visit, the chart and status.

Every page needs a signed-in user and reads only that user's episodes: someone
else's episode id answers 404, exactly like one that does not exist. Times are shown
in the reader's zone (diary_forms) and written the locale's way.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import clock
from ..contract import BadInput
from ..knowledge import load
from ..text import read as read_text
from . import confirm, forms, steps
from . import diary_forms as df
from .deps import check_form_csrf, current_user_id, get_store, request_locale, require_user, text_reader_available
from .steps import result_context
from .templating import render

router = APIRouter(include_in_schema=False)

PRIVACY_CHECKIN = ("What you enter here is stored in your diary on this server: it shows in your export and in the "
                   "doctor report. Deleting your account deletes it.")


def episode_or_404(request: Request, user: Any, episode_id: int) -> Any:
    episode = get_store(request).get_episode(user.id, episode_id) if 0 < episode_id < 2**62 else None
    if episode is None:
        raise HTTPException(404, "There is no such diary episode in your account.")
    return episode


def chart_points(status: Any) -> list[tuple[float, int]]:
    """(hours since onset, pain): the rating that opened the episode, then every check-in, in time order."""
    first = (float(status.episode.assessment["hours_since_onset"]), int(status.episode.assessment["pain"]))
    return sorted([first, *((c.hours_since_onset, c.pain) for c in status.checkins)])


def clock_helpers(zone: str, locale: str) -> dict[str, Any]:
    """Formatting functions for the templates, bound to the reader's zone and locale."""
    return {
        "zone": zone,
        "fmt_when": lambda dt: clock.when(dt, zone, locale),
        "fmt_day": lambda dt: clock.day(dt, zone, locale),
        "iso": lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _timeline(status: Any, locale: str) -> list[dict[str, Any]]:
    """The first rating, every check-in and every visit, in time order, each with the urgency it had then."""
    kb = load(locale)
    ep = status.episode
    rows: list[dict[str, Any]] = [{"at": ep.started_at, "hour": ep.assessment["hours_since_onset"],
                                   "pain": ep.assessment["pain"], "urgency": ep.urgency, "what": "First rating",
                                   "note": "", "escalated": False}]
    for c in status.checkins:
        parts = [*(f"new: {kb.findings[f].label.lower()}" for f in c.findings),
                 *(f"gone: {kb.findings[f].label.lower()}" for f in c.gone)]
        rows.append({"at": c.at, "hour": c.hours_since_onset, "pain": c.pain, "urgency": c.urgency,
                     "what": "; ".join(parts), "note": c.note or "", "escalated": c.escalated})
    for v in status.visits:
        rows.append({"at": v.at, "hour": v.hours_since_onset, "pain": None, "urgency": None,
                     "what": "Seen by a clinician", "note": v.note or "", "escalated": False})
    return sorted(rows, key=lambda r: r["at"])


def _episode_page(request: Request, user: Any, episode_id: int, *, form: Any = None,
                  errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    from ..report import pain_chart_svg

    store = get_store(request)
    episode_or_404(request, user, episode_id)
    locale = df.page_locale(request)
    status = store.status(user.id, episode_id, locale=locale)
    zone = df.display_zone(request, user.id)
    kb = load(locale)
    present = [c for c in kb.findings if c in status.present]
    asked_again = [q for q in forms.red_flag_questions(locale) + forms.other_questions(locale)
                   if q.code not in status.present]
    ep = status.episode
    ctx = result_context(status.result) | clock_helpers(zone, locale) | {
        "status": status,
        "episode": ep,
        "chart": pain_chart_svg(chart_points(status)),
        "present": [(c, kb.findings[c].label, c in status.held) for c in present],
        "held_labels": [kb.findings[c].label.lower() for c in status.held],
        "questions": asked_again,
        "treatments": df.TREATMENT_LABELS,
        "timeline": _timeline(status, locale),
        "levels": kb.levels,
        "form": form or {},
        "chosen_findings": set(form.getlist("findings")) if isinstance(form, FormData) else set(),
        "errors": errors or {},
        "saved": request.query_params.get("saved") == "1",
        "escalated": request.query_params.get("escalated") == "1",
        "idempotency_key": uuid.uuid4().hex,  # a double submit or a retried post stores the check-in once
        "seen": request.query_params.get("seen") == "1",
        "banner_tag": "h2",
        "privacy": PRIVACY_CHECKIN,
        "identity": df.remembered_identity(request, user.id),
        "at_min": clock.input_value(ep.onset_at, zone),
        "at_max": clock.input_value(status.now, zone),
        "text_box": text_reader_available(),
    }
    return render(request, "episode.html", ctx, status_code)


@router.get("/diary", response_class=HTMLResponse)
async def diary_home(request: Request) -> HTMLResponse:
    if current_user_id(request) is None:
        return render(request, "diary_signed_out.html")
    user = require_user(request)
    episodes = await run_in_threadpool(get_store(request).list_episodes, user.id)
    zone = await run_in_threadpool(df.display_zone, request, user.id)
    locale = df.page_locale(request)
    return render(request, "diary.html", {"episodes": episodes, "levels": load(locale).levels, "user": user,
                                          "zones": clock.all_zones()}
                  | clock_helpers(zone, locale))


@router.get("/diary/new", response_class=HTMLResponse)
async def new_episode_form(request: Request) -> HTMLResponse:
    require_user(request)
    return render(request, "assess_red_flags.html", {"questions": forms.red_flag_questions(request_locale(request)),
                                                     "form": {},
                                                     "errors": {}, "action": "/diary/new"})


def _details(form: Any, errors: dict[str, str], conditions: list[str], locale: str) -> dict[str, Any]:
    return {"red_flags": forms.red_flag_questions(locale), "questions": forms.other_questions(locale),
            "conditions": forms.condition_questions(locale), "form": form, "chosen_conditions": set(conditions),
            "errors": errors, "text_box": text_reader_available(), "action": "/diary/episodes", "stores": True}


@router.post("/diary/new", response_class=HTMLResponse)
async def new_episode_red_flags(request: Request) -> HTMLResponse:
    """The warning signs of a new episode, asked as on /assess: "not sure" gets its follow-up, a sign that counts
    shows the emergency page at once (nothing is stored yet)."""
    form = await check_form_csrf(request)
    require_user(request)
    locale = request_locale(request)
    response = steps.red_flag_step(request, form, locale, "/diary/new")
    return response or render(request, "assess_details.html", _details(form, {}, [], locale))


@router.post("/diary/episodes", response_class=HTMLResponse)
async def start_episode(request: Request) -> Response:
    """The details of a new episode; the words confirmed and the follow-ups asked as on /assess, then stored.

    The store keeps the words as written and the reading as confirmed (`start_episode(reading=...)`), and later
    re-assessments use that stored reading, never a new read: a rejected reading is never counted again.
    """
    form = await check_form_csrf(request)
    user = require_user(request)
    locale = request_locale(request)

    def details_page(errors: dict[str, str], conditions: list[str]) -> HTMLResponse:
        return render(request, "assess_details.html", _details(form, errors, conditions, locale), 400)

    step = await steps.details_step(request, form, locale, "/diary/episodes", "diary", details_page)
    if not isinstance(step, steps.Ready):
        return step
    zone = df.entry_zone(form, await run_in_threadpool(df.display_zone, request, user.id))
    episode, _result = await run_in_threadpool(
        lambda: get_store(request).start_episode(user.id, step.assessment, reading=step.reading, zone=zone))
    return RedirectResponse(f"/diary/episodes/{episode.id}", status_code=303)


@router.get("/diary/episodes/{episode_id}", response_class=HTMLResponse)
async def episode_page(request: Request, episode_id: int) -> HTMLResponse:
    user = require_user(request)
    return await run_in_threadpool(lambda: _episode_page(request, user, episode_id))


@router.post("/diary/episodes/{episode_id}/checkins", response_class=HTMLResponse)
async def add_checkin(request: Request, episode_id: int) -> Response:
    form = await check_form_csrf(request)
    user = require_user(request)
    store = get_store(request)

    def save() -> Response:
        episode_or_404(request, user, episode_id)
        present = list(store.status(user.id, episode_id).present)
        args, errors = df.checkin_args(form, df.entry_zone(form, df.display_zone(request, user.id)), present)
        if not errors:
            page = _signs_in_note(request, form, episode_id, args, present)
            if page is not None:
                return page
            try:
                outcome = store.add_checkin(user.id, episode_id, **args)
            except BadInput as e:
                errors = {loc.split(".")[0].split("[")[0] or "form": msg for loc, msg in e.errors}
            else:
                flag = "&escalated=1" if outcome.escalated else ""
                return RedirectResponse(f"/diary/episodes/{episode_id}?saved=1{flag}#status", status_code=303)
        return _episode_page(request, user, episode_id, form=form, errors=errors, status_code=400)

    return await run_in_threadpool(save)


def _signs_in_note(request: Request, form: FormData, episode_id: int, args: dict[str, Any],
                  present: list[str]) -> HTMLResponse | None:
    """Read the check-in's note for signs not counted yet; the first time, a page to confirm them.

    The note is stored as written and never read again: what counts is stored as the check-in's findings, so
    the signs the person confirmed (or left as they were: yes is the default) are added to `args["findings"]`
    (and leave `gone`: the safer reading), and a rejected one is simply not stored. The words are kept whole,
    and a reading the person rejected can never count later.
    """
    note = args.get("note")
    if not note or not note.strip() or not text_reader_available():
        return None
    locale = request_locale(request)
    gone, ticked = list(args["gone"]), set(args["findings"])
    counted = (set(present) - set(gone)) | ticked
    new = [q.code for q in forms.red_flag_questions(locale) + forms.other_questions(locale) if q.code not in counted]
    full = read_text(note)
    things = confirm.items(full, locale, denied=gone, only=new)
    if not things:
        return None
    if form.get(confirm.CONFIRMED) != "1":
        return steps.confirm_page(request, form, note, full, things, f"/diary/episodes/{episode_id}/checkins",
                                  "checkin", checkin=True)
    kept = full.without(confirm.rejected(form, full))
    from_note = [t.code for t in things if t.code in kept.findings]
    args["findings"] = [*args["findings"], *from_note]
    args["gone"] = [code for code in gone if code not in from_note]
    return None


@router.post("/diary/episodes/{episode_id}/seen", response_class=HTMLResponse)
async def record_seen(request: Request, episode_id: int) -> Response:
    form = await check_form_csrf(request)
    user = require_user(request)
    store = get_store(request)

    def save() -> Response:
        episode_or_404(request, user, episode_id)
        zone = df.entry_zone(form, df.display_zone(request, user.id))
        errors: dict[str, str] = {}
        at = df.when_at(form.get("seen_at"), zone, errors)
        note = form.get("seen_note")
        if not errors:
            try:
                store.record_seen(user.id, episode_id, at=at, note=note if isinstance(note, str) else None, zone=zone)
            except BadInput as e:
                errors = {"seen": e.errors[0][1]}
            else:
                return RedirectResponse(f"/diary/episodes/{episode_id}?seen=1#status", status_code=303)
        return _episode_page(request, user, episode_id, form=form, errors={"seen": next(iter(errors.values()))},
                             status_code=400)

    return await run_in_threadpool(save)


@router.post("/diary/episodes/{episode_id}/close", response_class=HTMLResponse)
async def close_episode(request: Request, episode_id: int) -> Response:
    await check_form_csrf(request)
    user = require_user(request)
    episode = await run_in_threadpool(episode_or_404, request, user, episode_id)
    if episode.is_open:
        await run_in_threadpool(get_store(request).close_episode, user.id, episode_id)
    return RedirectResponse(f"/diary/episodes/{episode_id}", status_code=303)
