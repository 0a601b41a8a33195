"""What handlers share: the diary store (opened once per app), the signed-in user, CSRF checks."""

from __future__ import annotations

import importlib.util
from functools import cache
from typing import Any

from fastapi import HTTPException
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from .. import i18n
from .security import CSRF_FIELD, CSRF_HEADER, csrf_ok

LOCALE_COOKIE = "backspasm_locale"
LOCALE_FIELD = "set_locale"  # a form field that re-posts the same answers in another wording
LOCALE_MAX_AGE = 365 * 24 * 3600


@cache
def text_reader_available() -> bool:
    """True when the free-text reader is installed (the questionnaire shows its box only then)."""
    try:
        return importlib.util.find_spec("backspasm.text.reader") is not None
    except ModuleNotFoundError:
        return False


def get_store(request: Request) -> Any:
    """The diary store for this app, opened on first use (the assessment never needs it)."""
    store = request.app.state.store
    if store is None:
        from ..diary.store import open_store

        store = open_store(request.app.state.settings.database_url)
        request.app.state.store = store
    return store


def session_of(request: Request) -> dict[str, Any]:
    session: dict[str, Any] = request.scope["session"]
    return session


def current_user_id(request: Request) -> int | None:
    """The signed-in user's id, or None. A session for a deleted user counts as signed out."""
    uid = session_of(request).get("uid")
    return uid if isinstance(uid, int) else None


def require_user(request: Request) -> Any:
    """The signed-in user's record; 401 for the API and a redirect to sign-in for pages."""
    uid = current_user_id(request)
    user = get_store(request).get_user(uid) if uid is not None else None
    if user is None:
        session_of(request).pop("uid", None)
        if request.url.path.startswith("/api/"):
            raise HTTPException(401, "sign in first")
        raise HTTPException(303, "sign in first", headers={"location": f"/signin?next={request.url.path}"})
    return user


async def check_form_csrf(request: Request) -> FormData:
    """The posted form, after refusing any post whose CSRF token does not match (403)."""
    try:
        form = await request.form(max_files=0, max_fields=200)
    except (HTTPException, ValueError, KeyError) as e:
        raise HTTPException(400, "The form could not be read.") from e
    if not csrf_ok(session_of(request), form.get(CSRF_FIELD)):
        raise HTTPException(403, "This form has expired or did not come from this site. Go back, reload and try again.")
    return form


def check_api_csrf(request: Request) -> None:
    """Cookie-authenticated API writes must carry the session's CSRF token in X-CSRF-Token."""
    if not csrf_ok(session_of(request), request.headers.get(CSRF_HEADER)):
        raise HTTPException(403, "missing or wrong X-CSRF-Token header (GET /api/v1/session gives the token)")


def request_locale(request: Request) -> str:
    """The wording of this page: a switch made in this request, else the cookie, else Accept-Language."""
    chosen = getattr(request.state, "locale", None)
    if isinstance(chosen, str):
        return chosen
    kept = request.cookies.get(LOCALE_COOKIE)
    if kept:
        try:
            return i18n.normalise(kept)
        except i18n.UnknownLocale:
            pass
    return i18n.negotiate(request.headers.get("accept-language"))


def form_locale(request: Request, form: FormData) -> str | None:
    """A locale chosen with the switch on a re-posted form: used for this page and returned to be kept."""
    raw = form.get(LOCALE_FIELD)
    if not isinstance(raw, str) or not raw:
        return None
    try:
        chosen = i18n.normalise(raw)
    except i18n.UnknownLocale:
        return None
    request.state.locale = chosen
    return chosen


def remember_locale(request: Request, response: Response, locale: str | None) -> Response:
    """Keep a chosen locale in a cookie (a preference, not a secret: readable by no script all the same)."""
    if locale is not None:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=LOCALE_MAX_AGE, path="/", httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")
    return response
