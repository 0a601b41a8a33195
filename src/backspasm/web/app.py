"""The app factory: one FastAPI app with explicit settings, routers per resource, no globals.

Optional routers from other parts of the project (FHIR and CDS Hooks, the
prevention pages) are included when their module exists, so each lands on its own.
"""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from .. import __version__
from ..contract import MAX_LISTED_ERRORS, BadInput
from .heap import settle
from .network import OriginMiddleware
from .security import JSON_PREFIXES, SecurityHeadersMiddleware
from .sessions import SessionCookieMiddleware
from .settings import Settings
from .templating import make_environment, render

log = logging.getLogger(__name__)

# (module, attribute): routers owned by other areas, mounted at the root when present.
OPTIONAL_ROUTERS: tuple[tuple[str, str], ...] = (
    ("backspasm.interop.routes", "router"),
    ("backspasm.web.prevent_pages", "router"),
    ("backspasm.web.api_prevent", "router"),
)


def _optional_router(module_name: str, attr: str) -> Any | None:
    """The router of `module_name`, or None only when that exact module does not exist yet."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name == module_name:
            return None
        raise
    return getattr(module, attr)


def bad_input_body(errors: list[tuple[str, str]], omitted: int = 0) -> dict[str, object]:
    """The 422 body: the first MAX_LISTED_ERRORS problems, each naming its field, and how many more there were."""
    body: dict[str, object] = {"error": "bad_input",
                               "detail": [{"loc": loc, "msg": msg} for loc, msg in errors[:MAX_LISTED_ERRORS]]}
    more = omitted + max(0, len(errors) - MAX_LISTED_ERRORS)
    if more:
        body["omitted"] = more
    return body


def _validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's own validation errors in the same shape as BadInput (field named)."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    detail = []
    for err in errors[:MAX_LISTED_ERRORS]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        detail.append((".".join(loc), str(err.get("msg", "invalid"))))
    return JSONResponse(bad_input_body(detail, max(0, len(errors) - MAX_LISTED_ERRORS)), status_code=422)


def _bad_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadInput)
    return JSONResponse(bad_input_body(exc.errors, exc.omitted), status_code=422)


def _http_error(request: Request, exc: Exception) -> Response:
    """JSON for the API, a readable page for people."""
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if 300 <= exc.status_code < 400:
        return Response(status_code=exc.status_code, headers=headers)
    if request.url.path.startswith(JSON_PREFIXES) or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": _ERROR_CODES.get(exc.status_code, "error"), "detail": exc.detail},
                            status_code=exc.status_code, headers=headers)
    response = render(request, "error.html", {"status": exc.status_code, "detail": exc.detail}, exc.status_code)
    response.headers.update(headers)
    return response


_ERROR_CODES = {400: "bad_request", 401: "not_signed_in", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
                429: "too_many_attempts"}


def _patch_openapi(app: FastAPI, add: Any) -> None:
    """Generate the schema once, with the assessment models' definitions added."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    database_url: str | None = None,
    *,
    secret_key: str | None = None,
    secure_cookies: bool | None = None,
    login_limit: int = 5,
    login_window_minutes: int = 15,
    include_optional: bool = True,
    password_hasher: PasswordHasher | None = None,
    **settings_args: object,
) -> FastAPI:
    """Build the web app. Nothing is read from the environment except what the arguments leave open.

    `settings_args` are Settings.resolve's keyword arguments (public_url, trusted_proxies,
    session_idle, session_max_age, registrations_per_hour, hash_concurrency, read_timeout).
    """
    settings = Settings.resolve(
        database_url, secret_key, secure_cookies, login_limit=login_limit, login_window_minutes=login_window_minutes,
        **settings_args,  # type: ignore[arg-type]
    )
    app = FastAPI(
        title="backspasm",
        version=__version__,
        summary="Back-spasm triage, a self-care plan by the clock and a pain diary.",
        description="Not a diagnosis and not a doctor. The assessment speaks the contract in docs/contract.md.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # the stock docs pages load third-party script; the schema is served as JSON
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.templates = make_environment()
    app.state.store = None  # opened on first use by deps.get_store
    app.state.password_hasher = password_hasher or PasswordHasher()
    app.state.dummy_hash = app.state.password_hasher.hash("timing equaliser for unknown emails")
    app.state.hash_gate = threading.BoundedSemaphore(settings.hash_concurrency)

    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(BadInput, _bad_input)
    app.add_exception_handler(StarletteHTTPException, _http_error)

    from . import api, api_diary, auth, diary_data, diary_pages, diary_report, pages

    app.include_router(api.router)
    app.include_router(api_diary.router)
    app.include_router(auth.router)
    app.include_router(pages.router)
    app.include_router(diary_pages.router)
    app.include_router(diary_report.router)
    app.include_router(diary_data.router)
    if include_optional:
        for module_name, attr in OPTIONAL_ROUTERS:
            router = _optional_router(module_name, attr)
            if router is not None:
                app.include_router(router)
    _patch_openapi(app, api.add_schema_components)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    # Added last = outermost: the headers wrap every response, faults included; the origin is
    # fixed before anything reads the Host header or the client's address.
    app.add_middleware(SessionCookieMiddleware, settings=settings)
    app.add_middleware(OriginMiddleware, settings=settings)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.https, read_timeout=settings.read_timeout)
    settle()
    return app
