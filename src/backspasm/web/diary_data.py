"""Your data on the web: the zone kept with the account, export and import, and a diary started from a result.

Export is the same JSON as `backspasm export`. Import is checked whole and previewed
(what would be added) before anything is written; a file with any error changes
nothing. A result carries every answer into a new diary, through sign-in if needed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import clock
from ..contract import MAX_HOURS, BadInput, loads_strict, parse_assessment
from ..text import read as read_text
from . import accounts, confirm
from . import diary_forms as df
from .deps import check_form_csrf, csrf_ok, current_user_id, get_store, require_user
from .limits import read_form
from .security import CSRF_FIELD
from .templating import render

T = TypeVar("T")
router = APIRouter(include_in_schema=False)

MAX_IMPORT = 10 * 1024 * 1024  # bytes of JSON one import may hold


# ---- the zone kept with the account ----


@router.post("/diary/zone")
async def choose_zone(request: Request) -> Response:
    form = await check_form_csrf(request)
    user = require_user(request)
    try:
        zone = clock.zone_name(form.get("zone"))
    except clock.UnknownZone as e:
        raise HTTPException(400, str(e)) from None
    await run_in_threadpool(get_store(request).put_document, user.id, df.ZONE_DOC, zone)
    return RedirectResponse("/diary?zone=1", status_code=303)


# ---- export and import ----


@router.get("/account/export")
async def export(request: Request) -> Response:
    user = require_user(request)
    data = await run_in_threadpool(get_store(request).export_user, user.id)
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    return Response(body, media_type="application/json", headers={
        "content-disposition": f'attachment; filename="backspasm-export-{stamp}.json"', "cache-control": "no-store"})


async def _upload_form(request: Request) -> FormData:
    """The posted import form (one file, or the confirmed JSON), after the CSRF check."""
    form = await read_form(request, limit=MAX_IMPORT + 64 * 1024, max_files=1)
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        raise HTTPException(403, "This form has expired or did not come from this site. Go back, reload and try again.")
    return form


async def _import_text(form: FormData) -> tuple[str | None, str | None]:
    """(the JSON text, or an error in plain words)."""
    item = form.get("file") if form.get("file") is not None else form.get("data")
    if isinstance(item, UploadFile):
        raw = await item.read(MAX_IMPORT + 1)
    elif isinstance(item, str):
        raw = item.encode("utf-8")
    else:
        return None, "Choose an export file to import."
    if not raw.strip():
        return None, "Choose an export file to import."
    if len(raw) > MAX_IMPORT:
        return None, "That file is larger than 10 MB."
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, "That file is not a backspasm export (it is not text)."


def _parse(text: str) -> Any:
    try:
        return loads_strict(text)
    except json.JSONDecodeError as e:
        raise BadInput([("", f"the file is not valid JSON (line {e.lineno}, column {e.colno})")]) from None
    except RecursionError:
        raise BadInput([("", "the file is nested too deeply to be an export")]) from None


def _account(request: Request, user: Any, **extra: Any) -> HTMLResponse:
    return render(request, "account.html", accounts.page_context(user, **extra), 400 if extra.get("import_errors") else 200)


async def _checked_upload(request: Request, user: Any, use: Callable[[Any, Any], T]) -> tuple[str, T] | HTMLResponse:
    """The uploaded export's text and what `use(store, parsed)` made of it, or the account page naming what is wrong
    (the file is checked whole by the store, off the event loop)."""
    form = await _upload_form(request)
    text, error = await _import_text(form)
    if text is None:
        return _account(request, user, import_errors=[error])
    store = get_store(request)
    try:
        return text, await run_in_threadpool(lambda: use(store, _parse(text)))
    except BadInput as e:
        return _account(request, user, import_errors=[f"{loc}: {msg}" if loc else msg for loc, msg in e.errors[:20]])


@router.post("/account/import", response_class=HTMLResponse)
async def import_preview(request: Request) -> HTMLResponse:
    """Check the uploaded file whole and show what it would add; nothing is written yet."""
    user = require_user(request)
    checked = await _checked_upload(request, user, lambda store, data: store.preview_import(user.id, data))
    if isinstance(checked, HTMLResponse):
        return checked
    text, preview = checked
    zone = await run_in_threadpool(df.display_zone, request, user.id)
    locale = df.page_locale(request)
    return render(request, "import_preview.html", {
        "preview": preview, "data": text,
        "days": [(clock.day_year(e["onset_at"], zone, locale), clock.day_year(e["started_at"], zone, locale), e)
                 for e in preview.episodes]})


@router.post("/account/import/confirm", response_class=HTMLResponse)
async def import_confirm(request: Request) -> Response:
    """Import the previewed file, all or nothing (it is checked whole again)."""
    user = require_user(request)
    checked = await _checked_upload(request, user, lambda store, data: store.import_user(user.id, data))
    if isinstance(checked, HTMLResponse):
        return checked
    return _account(request, user, imported=checked[1])


# ---- from a result to a diary ----


def _carried(form: FormData) -> tuple[Any, datetime]:
    """The assessment a result page carried over, and when it was answered; BadInput when tampered or stale."""
    answers, at = form.get("answers"), form.get("assessed_at")
    if not isinstance(answers, str) or not isinstance(at, str):
        raise BadInput([("answers", "the answers did not come with the form")])
    assessment = parse_assessment(_parse(answers))
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise BadInput([("assessed_at", "is not a time")]) from None
    now = datetime.now(UTC)
    if when.tzinfo is None or when > now + timedelta(minutes=5) or when < now - timedelta(days=7):
        raise BadInput([("assessed_at", "the result is too old to carry over: please answer the questions again")])
    if assessment.hours_since_onset + (now - when).total_seconds() / 3600 > MAX_HOURS:
        raise BadInput([("answers", "the spasm began more than a year ago")])
    return assessment, when.astimezone(UTC)


def _keep_page(request: Request, form: FormData, error: str = "", status: int = 200) -> HTMLResponse:
    return render(request, "diary_keep.html", {"answers": form.get("answers", ""), "assessed_at": form.get("assessed_at", ""),
                                               "rejected": " ".join(sorted(confirm.carried_rejected(form.get("rejected")))),
                                               "error": error, "email": form.get("email", ""),
                                               "min_password": accounts.MIN_PASSWORD}, status)


async def _start_from(request: Request, form: FormData, user: Any) -> Response:
    try:
        assessment, when = _carried(form)
    except BadInput as e:
        raise HTTPException(400, e.errors[0][1]) from None
    zone = df.entry_zone(form, await run_in_threadpool(df.display_zone, request, user.id))
    # The words are read again, less what the person said was not right on the way to the result: the diary
    # stores that reading with the words and re-assesses from it, so a rejected reading never counts again.
    rejected = confirm.carried_rejected(form.get("rejected"))
    reading = None
    if assessment.text and rejected:
        reading = (await run_in_threadpool(read_text, assessment.text)).without(rejected)
    episode, _ = await run_in_threadpool(
        lambda: get_store(request).start_episode(user.id, assessment, started_at=when, reading=reading, zone=zone))
    return RedirectResponse(f"/diary/episodes/{episode.id}", status_code=303)


@router.post("/diary/from-result", response_class=HTMLResponse)
async def from_result(request: Request) -> Response:
    """Start a diary with every answer of the result just shown; ask to sign in first when needed."""
    form = await check_form_csrf(request)
    try:
        _carried(form)
    except BadInput as e:
        raise HTTPException(400, e.errors[0][1]) from None
    if current_user_id(request) is None:
        return _keep_page(request, form)
    return await _start_from(request, form, require_user(request))


@router.post("/diary/from-result/signin", response_class=HTMLResponse)
async def from_result_signin(request: Request) -> Response:
    form = await check_form_csrf(request)
    outcome = await accounts.sign_in(request, form.get("email"), form.get("password"))
    if outcome.user is None:
        why = "Too many failed attempts: please wait and try again." if outcome.limited else \
            "That email and password do not match an account."
        return _keep_page(request, form, why, 429 if outcome.limited else 400)
    return await _start_from(request, form, outcome.user)


@router.post("/diary/from-result/register", response_class=HTMLResponse)
async def from_result_register(request: Request) -> Response:
    form = await check_form_csrf(request)
    try:
        user = await accounts.register(request, form.get("email"), form.get("password"), form.get("password_confirm"))
    except BadInput as e:
        return _keep_page(request, form, "; ".join(msg if not loc else f"{loc.replace('_', ' ')}: {msg}"
                                                   for loc, msg in e.errors), 400)
    return await _start_from(request, form, user)
