"""Account logic shared by the pages and the API: Argon2 hashes, rate-limited sign-in, sessions.

Failed sign-ins are counted in the database (login_attempts), per email and per
client address, so every worker applies the same limit.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..contract import BadInput
from .deps import get_store, session_of
from .security import csrf_token

MIN_PASSWORD = 10
MAX_PASSWORD = 1024


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: the user, or why not (and for how long, when limited)."""

    user: Any | None
    limited: bool = False
    retry_after: int = 0


def hasher(request: Request) -> PasswordHasher:
    ph: PasswordHasher = request.app.state.password_hasher
    return ph


def check_new_password(password: object, confirm: object | None = None) -> None:
    """BadInput naming the field when a new password is unusable."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise BadInput([("password", f"must be at least {MIN_PASSWORD} characters")])
    if len(password) > MAX_PASSWORD:
        raise BadInput([("password", f"must be at most {MAX_PASSWORD} characters")])
    if confirm is not None and confirm != password:
        raise BadInput([("password_confirm", "does not match the password")])


async def register(request: Request, email: object, password: object, confirm: object | None = None) -> Any:
    """Create the account (BadInput naming the field on a bad email, a weak password or a taken email)."""
    check_new_password(password, confirm)
    assert isinstance(password, str)
    if not isinstance(email, str):
        raise BadInput([("email", "must be a string")])
    store = get_store(request)
    pw_hash = await run_in_threadpool(hasher(request).hash, password)
    user = await run_in_threadpool(store.create_user, email, pw_hash)
    start_session(request, user)
    return user


def client_key(request: Request) -> str:
    host = request.client.host if request.client else "unknown"
    return f"ip:{host}"


async def sign_in(request: Request, email: object, password: object) -> SignIn:
    """Verify the password, unless this email or this client has failed too often lately."""
    settings = request.app.state.settings
    store = get_store(request)
    email_norm = email.strip().lower() if isinstance(email, str) else ""
    keys = [f"email:{email_norm[:300]}", client_key(request)]
    since = datetime.now(UTC) - timedelta(minutes=settings.login_window_minutes)
    for key in keys:
        if await run_in_threadpool(store.count_recent_failures, key, since) >= settings.login_limit:
            return SignIn(None, limited=True, retry_after=settings.login_window_minutes * 60)
    user = None
    if email_norm and isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD:
        try:
            user = await run_in_threadpool(store.get_user_by_email, email_norm)
        except BadInput:
            user = None
    ok = False
    ph = hasher(request)
    if user is not None and isinstance(password, str):
        try:
            ok = await run_in_threadpool(ph.verify, user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if ok and ph.check_needs_rehash(user.password_hash):
            await run_in_threadpool(store.set_password_hash, user.id, ph.hash(password))
    else:
        # Spend the same time on an unknown email, so timing does not reveal who has an account.
        await run_in_threadpool(_verify_dummy, ph, request.app.state.dummy_hash)
    for key in keys:
        await run_in_threadpool(store.record_login_attempt, key, ok)
    if not ok:
        return SignIn(None)
    # Attempts older than a day can no longer count against anyone: keep the table small.
    await run_in_threadpool(store.prune_login_attempts, datetime.now(UTC) - timedelta(days=1))
    start_session(request, user)
    return SignIn(user)


def _verify_dummy(ph: PasswordHasher, dummy: str) -> None:
    with contextlib.suppress(VerificationError):
        ph.verify(dummy, "not the password")


def start_session(request: Request, user: Any) -> None:
    """Sign the user in: a fresh session (new CSRF token), so nothing carries over from before."""
    session = session_of(request)
    session.clear()
    session["uid"] = user.id
    session["email"] = user.email
    csrf_token(session)


def end_session(request: Request) -> None:
    session_of(request).clear()


async def delete_account(request: Request, user: Any) -> None:
    """Delete the account and, by cascade, every episode, check-in, document and log entry."""
    await run_in_threadpool(get_store(request).delete_user, user.id)
    end_session(request)
