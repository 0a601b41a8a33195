"""Account logic shared by the pages and the API: Argon2 hashes, limited sign-in and registration, sessions.

Every attempt is counted in the database before its password is checked, per
account (each failure beyond the first few makes the next attempt wait, doubling,
so the owner is never locked out for long) and per client address (a harder
limit). Password hashing runs a few at a time, so a flood cannot take the memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..contract import BadInput
from ..diary.signin_limits import Limit
from ..diary.validation import email as canonical_email
from .deps import client_address, get_store
from .network import limit_key
from .passwords import MAX_PASSWORD, MIN_PASSWORD, check_new_password
from .sessions import browser_session

__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "SignIn", "check_new_password"]

T = TypeVar("T")
HASH_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: the user, or why not (and for how long, when limited)."""

    user: Any | None
    limited: bool = False
    retry_after: int = 0


def hasher(request: Request) -> PasswordHasher:
    ph: PasswordHasher = request.app.state.password_hasher
    return ph


def _limits(request: Request, email: str) -> list[tuple[str, Limit]]:
    """The keys one sign-in attempt counts against, with how each is limited."""
    s = request.app.state.settings
    window = timedelta(minutes=s.login_window_minutes)
    account = Limit(free=s.login_limit, first_wait=timedelta(seconds=s.first_wait_seconds),
                    longest_wait=timedelta(seconds=s.longest_wait_seconds), quiet=window)
    client = Limit(free=s.client_limit, first_wait=window, longest_wait=window, quiet=window)
    return [(f"email:{email[:320]}", account), (limit_key(client_address(request)), client)]


async def _hashing(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run one password hash or check in a worker thread, no more than `hash_concurrency` at once (else 503)."""
    gate: threading.BoundedSemaphore = request.app.state.hash_gate
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HASH_WAIT_SECONDS
    while not gate.acquire(blocking=False):
        if loop.time() >= deadline:
            raise HTTPException(503, "too many sign-ins at once; try again in a few seconds", headers={"retry-after": "5"})
        await asyncio.sleep(0.02)
    try:
        return await run_in_threadpool(fn, *args)
    finally:
        gate.release()


async def register(request: Request, email: object, password: object, confirm: object | None = None) -> Any:
    """Create the account and sign in (BadInput naming the field on a bad email, a weak password or a taken email)."""
    address = canonical_email(email)
    check_new_password(password, confirm, address)
    assert isinstance(password, str)
    store = get_store(request)
    s = request.app.state.settings
    hour = timedelta(hours=1)
    per_client = Limit(free=s.registrations_per_hour, first_wait=hour, longest_wait=hour, quiet=hour)
    verdict = await run_in_threadpool(store.claim_attempt, [(f"register:{limit_key(client_address(request))}", per_client)])
    if not verdict.allowed:
        raise HTTPException(429, "too many new accounts from this address; try again later",
                            headers={"retry-after": str(verdict.retry_after)})
    pw_hash = await _hashing(request, hasher(request).hash, password)
    user = await run_in_threadpool(store.create_user, address, pw_hash)
    await start_session(request, user)
    return user


async def sign_in(request: Request, email: object, password: object) -> SignIn:
    """Verify the password, unless this account or this client must wait first."""
    store = get_store(request)
    try:
        address = canonical_email(email)
    except BadInput:  # no such account can exist; still counted, under a digest of what was typed
        address = ""
    typed = email if isinstance(email, str) else repr(email)
    limits = _limits(request, address or "?" + hashlib.sha256(typed.strip().lower().encode("utf-8", "replace")).hexdigest())
    verdict = await run_in_threadpool(store.claim_attempt, limits)
    if not verdict.allowed:
        return SignIn(None, limited=True, retry_after=verdict.retry_after)
    user = None
    if address and isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD:
        try:
            user = await run_in_threadpool(store.get_user_by_email, address)
        except BadInput:
            user = None
    if user is not None and user.is_local:
        user = None  # the CLI's account never signs in on the web
    ok = False
    ph = hasher(request)
    if user is not None and isinstance(password, str):
        try:
            ok = await _hashing(request, ph.verify, user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        # Spend the same time on an unknown email, so timing does not reveal who has an account.
        await _hashing(request, _verify_dummy, ph, request.app.state.dummy_hash)
    if not ok or user is None:
        return SignIn(None)
    await run_in_threadpool(store.attempt_succeeded, limits)
    await run_in_threadpool(_tidy, store, request.app.state.settings.session_idle_time)
    if ph.check_needs_rehash(user.password_hash):
        new_hash = await _hashing(request, ph.hash, password)
        await run_in_threadpool(store.set_password_hash, user.id, new_hash)
    await start_session(request, user)
    return SignIn(user)


def _tidy(store: Any, idle: timedelta) -> None:
    """On each sign-in, forget sessions that have ended and limits nobody has touched for a day."""
    store.prune_sessions(idle)
    store.prune_sign_in_limits(datetime.now(UTC) - timedelta(days=1))


def _verify_dummy(ph: PasswordHasher, dummy: str) -> None:
    with contextlib.suppress(VerificationError):
        ph.verify(dummy, "not the password")


async def start_session(request: Request, user: Any) -> None:
    """Sign the user in with a fresh session id (the old one and its CSRF token are dropped: no fixation)."""
    store = get_store(request)
    old = browser_session(request).token
    if old is not None:
        await run_in_threadpool(store.end_session, old)
    lifetime = request.app.state.settings.session_lifetime
    token = await run_in_threadpool(store.create_session, user.id, lifetime)
    browser_session(request).signed_in_as(token, user, int(lifetime.total_seconds()))


async def end_session(request: Request) -> None:
    """Sign this browser out: its session row goes, and the cookie with it."""
    token = browser_session(request).token
    if token is not None:
        await run_in_threadpool(get_store(request).end_session, token)
    browser_session(request).signed_out()


async def end_everywhere(request: Request, user: Any) -> int:
    """Sign the user out on every browser, this one included; returns how many sessions ended."""
    n: int = await run_in_threadpool(get_store(request).end_user_sessions, user.id)
    browser_session(request).signed_out()
    return n


async def change_password(request: Request, user: Any, current: object, new: object, confirm: object) -> int:
    """Check the current password, set the new one, and end every other session; returns how many ended."""
    if not isinstance(current, str) or not current or len(current) > MAX_PASSWORD:
        raise BadInput([("current_password", "is required")])
    check_new_password(new, confirm, user.email)
    assert isinstance(new, str)
    store = get_store(request)
    limits = _limits(request, user.email)
    verdict = await run_in_threadpool(store.claim_attempt, limits)
    if not verdict.allowed:
        raise HTTPException(429, "too many wrong passwords; try again later", headers={"retry-after": str(verdict.retry_after)})
    ph = hasher(request)
    try:
        await _hashing(request, ph.verify, user.password_hash, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise BadInput([("current_password", "is not your current password")]) from None
    await run_in_threadpool(store.attempt_succeeded, limits)
    new_hash = await _hashing(request, ph.hash, new)
    keep = browser_session(request).token
    ended: int = await run_in_threadpool(store.change_password, user.id, new_hash, keep)
    return ended


async def delete_account(request: Request, user: Any) -> None:
    """Delete the account and, by cascade, every episode, check-in, document, session and log entry."""
    await run_in_threadpool(get_store(request).delete_user, user.id)
    browser_session(request).signed_out()


def page_context(user: Any, **extra: Any) -> dict[str, Any]:
    """What the account page shows: the user, the forms' errors and notices (each page handler adds its own)."""
    return {"user": user, "error": "", "errors": {}, "saved": False, "min_password": MIN_PASSWORD, **extra}
