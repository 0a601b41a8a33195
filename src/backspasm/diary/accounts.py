"""Accounts and sign-in attempts: who may hold a diary, and how often sign-in failed lately."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..contract import BadInput
from . import validation as v
from .database import Part, insert_row, rowcount
from .models import login_attempts, users

LOCAL_EMAIL = "local-user@backspasm.invalid"
LOCAL_PASSWORD_HASH = "!local"  # never a valid argon2 hash: nobody can sign in as the local user


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    password_hash: str
    created_at: datetime


def _user(r: Row[Any]) -> User:
    return User(r.id, r.email, r.password_hash, r.created_at)


def require_user(c: Connection, user_id: int) -> None:
    """BadInput unless the user exists (inside the caller's transaction)."""
    if c.scalar(select(users.c.id).where(users.c.id == v.positive_id(user_id, "user_id"))) is None:
        raise v.bad("user_id", f"no user {user_id}")


class Accounts(Part):
    """Users and sign-in attempts."""

    def create_user(self, email: str, password_hash: str, created_at: datetime | None = None) -> User:
        """A new account; BadInput when the email is taken."""
        email = v.email(email)
        if not isinstance(password_hash, str) or not password_hash:
            raise v.bad("password_hash", "must be a non-empty string")
        at = v.aware(created_at, "created_at", v.now())
        try:
            with self.db.write() as c:
                if c.scalar(select(users.c.id).where(users.c.email == email)) is not None:
                    raise v.bad("email", "an account with this email already exists")
                uid = insert_row(c, users, email=email, password_hash=password_hash, created_at=at)
                return User(uid, email, password_hash, at)
        except IntegrityError:
            raise v.bad("email", "an account with this email already exists") from None

    def get_user(self, user_id: int) -> User | None:
        with self.db.read() as c:
            row = c.execute(select(users).where(users.c.id == v.positive_id(user_id, "user_id"))).first()
            return _user(row) if row else None

    def get_user_by_email(self, email: str) -> User | None:
        with self.db.read() as c:
            row = c.execute(select(users).where(users.c.email == v.email(email))).first()
            return _user(row) if row else None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash (for rehashing on sign-in or a password change)."""
        if not isinstance(password_hash, str) or not password_hash:
            raise v.bad("password_hash", "must be a non-empty string")
        with self.db.write() as c:
            n = rowcount(
                c.execute(
                    update(users).where(users.c.id == v.positive_id(user_id, "user_id")).values(password_hash=password_hash)
                )
            )
            if not n:
                raise v.bad("user_id", f"no user {user_id}")

    def delete_user(self, user_id: int) -> bool:
        """Delete an account and, by cascade, all its episodes, check-ins, activity and documents."""
        with self.db.write() as c:
            return bool(rowcount(c.execute(delete(users).where(users.c.id == v.positive_id(user_id, "user_id")))))

    def local_user(self) -> User:
        """The one account the CLI works as, created on first use (it cannot sign in to the web app)."""
        found = self.get_user_by_email(LOCAL_EMAIL)
        if found:
            return found
        try:
            return self.create_user(LOCAL_EMAIL, LOCAL_PASSWORD_HASH)
        except BadInput:  # another process created it first
            again = self.get_user_by_email(LOCAL_EMAIL)
            assert again is not None
            return again

    # -- sign-in attempts --

    def record_login_attempt(self, key: str, ok: bool, at: datetime | None = None) -> None:
        if not isinstance(key, str) or not key or len(key) > 320:
            raise v.bad("key", "must be a non-empty string of at most 320 characters")
        if not isinstance(ok, bool):
            raise v.bad("ok", "must be true or false")
        when = v.aware(at, "at", v.now())
        with self.db.write() as c:
            c.execute(insert(login_attempts).values(key=key, ok=ok, at=when))

    def count_recent_failures(self, key: str, since: datetime) -> int:
        """Failed attempts for `key` at or after `since` (for sign-in rate limiting)."""
        since = v.aware(since, "since")
        with self.db.read() as c:
            n = c.scalar(
                select(func.count())
                .select_from(login_attempts)
                .where(login_attempts.c.key == key, login_attempts.c.ok.is_(False), login_attempts.c.at >= since)
            )
            return int(n or 0)

    def prune_login_attempts(self, before: datetime) -> int:
        """Forget attempts older than `before`; returns how many went."""
        when = v.aware(before, "before")
        with self.db.write() as c:
            return rowcount(c.execute(delete(login_attempts).where(login_attempts.c.at < when)))
