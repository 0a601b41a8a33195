"""What handlers share: the diary store (opened once per app), the signed-in user, CSRF checks."""

from __future__ import annotations

import hmac
import importlib.util
import logging
from functools import cache
from typing import Any

from fastapi import HTTPException
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from .. import i18n
from .limits import read_form
from .network import CLIENT_KEY
from .security import CSRF_FIELD, CSRF_HEADER
from .sessions import browser_session, csrf_for

log = logging.getLogger("backspasm.web")

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


def client_address(request: Request) -> str:
    """The client's address as OriginMiddleware worked it out (through trusted proxies only)."""
    found: str = request.scope.get(CLIENT_KEY) or (request.client.host if request.client else "unknown")
    return found


def current_user(request: Request) -> Any | None:
    """The signed-in user, or None: looked up once per request by the hash of the cookie's id."""
    session = browser_session(request)
    if not session.resolved:
        session.resolved = True
        if session.token is not None:
            settings = request.app.state.settings
            session.user = get_store(request).session_user(session.token, settings.session_idle_time)
    return session.user


def current_user_id(request: Request) -> int | None:
    user = current_user(request)
    return int(user.id) if user is not None else None


def user_for_page(request: Request) -> Any | None:
    """The signed-in user for a page's header; None when it cannot be known just now (never an error page of its own)."""
    try:
        return current_user(request)
    except Exception:  # the database is down: the page says so itself, the header just shows "Sign in"
        log.warning("could not look up the session for %s", request.url.path, exc_info=True)
        return None


def require_user(request: Request) -> Any:
    """The signed-in user's record; 401 for the API and a redirect to sign-in for pages."""
    user = current_user(request)
    if user is None:
        if request.url.path.startswith("/api/"):
            raise HTTPException(401, "sign in first")
        raise HTTPException(303, "sign in first", headers={"location": f"/signin?next={request.url.path}"})
    return user


def csrf_token(request: Request) -> str:
    """The CSRF token for this browser (issuing its session id first if it has none)."""
    return csrf_for(request.app.state.settings.secret_key, browser_session(request).ensure())


def csrf_ok(request: Request, submitted: object) -> bool:
    """True when the submitted token is this browser's (constant-time)."""
    token = browser_session(request).token
    if token is None or not isinstance(submitted, str) or not submitted.isascii():
        return False
    expected = csrf_for(request.app.state.settings.secret_key, token)
    return hmac.compare_digest(expected.encode(), submitted.encode())


async def check_form_csrf(request: Request) -> FormData:
    """The posted form (its size checked before parsing), after refusing any post whose CSRF token does not match (403)."""
    form = await read_form(request)
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        raise HTTPException(403, "This form has expired or did not come from this site. Go back, reload and try again.")
    return form


def check_api_csrf(request: Request) -> None:
    """Cookie-authenticated API writes must carry the session's CSRF token in X-CSRF-Token."""
    if not csrf_ok(request, request.headers.get(CSRF_HEADER)):
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
