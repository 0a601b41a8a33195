"""Signed-in browsers: a random id lives in the cookie, only its SHA-256 hash here, with idle and absolute expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update

from . import validation as v
from .accounts import User, password_hash_of, user_of
from .database import Part, insert_row, rowcount
from .models import sessions, users

TOKEN_BYTES = 32  # 256 bits
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session


def new_token() -> str:
    """A fresh random session id, as the cookie carries it."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a session id: a leaked table signs no one in."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class Sessions(Part):
    """Sessions begun, found, touched and ended."""

    def create_session(self, user_id: int, lifetime: timedelta, now: datetime | None = None) -> str:
        """A new session for the user, ending at the latest `lifetime` from now; returns its id (for the cookie)."""
        at = v.aware(now, "now", v.now())
        token = new_token()
        with self.db.write() as c:
            row = c.execute(select(users.c.is_local).where(users.c.id == v.positive_id(user_id, "user_id"))).first()
            if row is None:
                raise v.bad("user_id", f"no user {user_id}")
            if row.is_local:
                raise v.bad("user_id", "the local account cannot sign in")
            c.execute(delete(sessions).where(sessions.c.user_id == user_id, sessions.c.expires_at <= at))
            insert_row(c, sessions, token_hash=token_hash(token), user_id=user_id, created_at=at, last_seen_at=at,
                       expires_at=at + lifetime)
        return token

    def session_user(self, token: str, idle: timedelta, now: datetime | None = None) -> User | None:
        """The user a live session belongs to, or None (unknown, idle too long, or past its end)."""
        at = v.aware(now, "now", v.now())
        digest = token_hash(token)
        with self.db.read() as c:
            row = c.execute(
                select(users, sessions.c.id.label("sid"), sessions.c.last_seen_at, sessions.c.expires_at)
                .join(sessions, sessions.c.user_id == users.c.id)
                .where(sessions.c.token_hash == digest)
            ).first()
        if row is None:
            return None
        if row.expires_at <= at or row.last_seen_at <= at - idle:
            with self.db.write() as c:
                c.execute(delete(sessions).where(sessions.c.id == row.sid))
            return None
        if at - row.last_seen_at >= TOUCH_EVERY:
            with self.db.write() as c:
                c.execute(update(sessions).where(sessions.c.id == row.sid).values(last_seen_at=at))
        return user_of(row)

    def end_session(self, token: str) -> bool:
        """Sign one browser out."""
        with self.db.write() as c:
            return bool(rowcount(c.execute(delete(sessions).where(sessions.c.token_hash == token_hash(token)))))

    def end_user_sessions(self, user_id: int, keep_token: str | None = None) -> int:
        """Sign the user out everywhere (but the session `keep_token`, if given); returns how many ended."""
        q = delete(sessions).where(sessions.c.user_id == v.positive_id(user_id, "user_id"))
        if keep_token is not None:
            q = q.where(sessions.c.token_hash != token_hash(keep_token))
        with self.db.write() as c:
            return rowcount(c.execute(q))

    def count_sessions(self, user_id: int) -> int:
        with self.db.read() as c:
            mine = sessions.c.user_id == v.positive_id(user_id, "user_id")
            n = c.scalar(select(func.count()).select_from(sessions).where(mine))
            return int(n or 0)

    def change_password(self, user_id: int, password_hash: str, keep_token: str | None = None) -> int:
        """A new password hash; every other session of the user ends with it. Returns how many ended."""
        password_hash = password_hash_of(password_hash)
        with self.db.write() as c:
            n = c.execute(
                update(users)
                .where(users.c.id == v.positive_id(user_id, "user_id"), users.c.is_local.is_(False))
                .values(password_hash=password_hash)
            )
            if not rowcount(n):
                raise v.bad("user_id", f"no user {user_id}")
            q = delete(sessions).where(sessions.c.user_id == user_id)
            if keep_token is not None:
                q = q.where(sessions.c.token_hash != token_hash(keep_token))
            return rowcount(c.execute(q))

    def prune_sessions(self, idle: timedelta, now: datetime | None = None) -> int:
        """Forget every session past its end or idle too long."""
        at = v.aware(now, "now", v.now())
        with self.db.write() as c:
            stale = or_(sessions.c.expires_at <= at, sessions.c.last_seen_at <= at - idle)
            return rowcount(c.execute(delete(sessions).where(stale)))
