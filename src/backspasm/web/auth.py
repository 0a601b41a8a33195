"""Account pages: register, sign in, sign out (here or everywhere), change the password, delete the account."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..contract import BadInput
from . import accounts
from .deps import check_form_csrf, require_user
from .templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(value: object) -> str:
    """Only a local path is followed after sign-in (no open redirect)."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/diary"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/diary"
    return value


def _field_errors(exc: BadInput) -> dict[str, str]:
    return {loc or "form": msg for loc, msg in exc.errors}


def wait_text(seconds: int) -> str:
    """'12 seconds' or '3 minutes': how long to wait, in words."""
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{round(seconds / 60)} minutes"


@router.get("/register", response_class=HTMLResponse)
async def register_form(request: Request) -> HTMLResponse:
    return render(request, "register.html", {"form": {}, "errors": {}, "min_password": accounts.MIN_PASSWORD})


@router.post("/register", response_class=HTMLResponse)
async def register(request: Request) -> Response:
    form = await check_form_csrf(request)
    try:
        await accounts.register(request, form.get("email"), form.get("password"), form.get("password_confirm"))
    except BadInput as e:
        return render(request, "register.html",
                      {"form": {"email": form.get("email", "")}, "errors": _field_errors(e),
                       "min_password": accounts.MIN_PASSWORD}, 400)
    return RedirectResponse("/diary", status_code=303)


@router.get("/signin", response_class=HTMLResponse)
async def signin_form(request: Request) -> HTMLResponse:
    return render(request, "signin.html", {"form": {}, "error": "", "next": _safe_next(request.query_params.get("next"))})


@router.post("/signin", response_class=HTMLResponse)
async def signin(request: Request) -> Response:
    form = await check_form_csrf(request)
    nxt = _safe_next(form.get("next"))
    outcome = await accounts.sign_in(request, form.get("email"), form.get("password"))
    if outcome.user is not None:
        return RedirectResponse(nxt, status_code=303)
    if outcome.limited:
        error = f"Too many failed attempts. Please wait {wait_text(outcome.retry_after)} and try again."
        response = render(request, "signin.html", {"form": {"email": form.get("email", "")}, "error": error,
                                                   "next": nxt}, 429)
        response.headers["retry-after"] = str(outcome.retry_after)
        return response
    return render(request, "signin.html", {"form": {"email": form.get("email", "")},
                                           "error": "That email and password do not match an account.",
                                           "next": nxt}, 400)


@router.post("/signout")
async def signout(request: Request) -> Response:
    await check_form_csrf(request)
    await accounts.end_session(request)
    return RedirectResponse("/", status_code=303)


@router.post("/signout/everywhere")
async def signout_everywhere(request: Request) -> Response:
    await check_form_csrf(request)
    user = require_user(request)
    await accounts.end_everywhere(request, user)
    return RedirectResponse("/signin", status_code=303)


@router.get("/account", response_class=HTMLResponse)
async def account(request: Request) -> HTMLResponse:
    user = require_user(request)
    return render(request, "account.html",
                  accounts.page_context(user, saved=request.query_params.get("saved") == "password"))


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request) -> Response:
    form = await check_form_csrf(request)
    user = require_user(request)
    try:
        await accounts.change_password(request, user, form.get("current_password"), form.get("new_password"),
                                       form.get("new_password_confirm"))
    except BadInput as e:
        errors = {("new_password" if loc == "password" else "new_password_confirm" if loc == "password_confirm"
                   else loc or "form"): msg for loc, msg in e.errors}
        return render(request, "account.html", accounts.page_context(user, errors=errors), 400)
    return RedirectResponse("/account?saved=password", status_code=303)


@router.post("/account/delete", response_class=HTMLResponse)
async def delete_account(request: Request) -> HTMLResponse:
    form = await check_form_csrf(request)
    user = require_user(request)
    if form.get("confirm") != "delete":
        return render(request, "account.html",
                      accounts.page_context(user, error="Tick the box to confirm that everything should be deleted."), 400)
    await accounts.delete_account(request, user)
    return render(request, "deleted.html")
