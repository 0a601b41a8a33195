"""Accounts: who may hold a diary, the one local account the CLI works as, and deleting an account whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import count
from typing import Any

from sqlalchemy import Connection, Row, delete, select, update
from sqlalchemy.exc import IntegrityError

from . import validation as v
from .database import Part, checkpoint, insert_row, rowcount
from .models import sign_in_limits, users

LOCAL_EMAIL = "local-user@backspasm.invalid"
LOCAL_PASSWORD_HASH = "!local"  # never a valid argon2 hash: nobody can sign in as the local user


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    password_hash: str
    created_at: datetime
    is_local: bool = False


def user_of(r: Row[Any]) -> User:
    return User(r.id, r.email, r.password_hash, r.created_at, bool(r.is_local))


def require_user(c: Connection, user_id: int) -> None:
    """BadInput unless the user exists (inside the caller's transaction)."""
    if c.scalar(select(users.c.id).where(users.c.id == v.positive_id(user_id, "user_id"))) is None:
        raise v.bad("user_id", f"no user {user_id}")


def email_limit_key(email: str) -> str:
    """The sign-in limit's key for an account's email (deleted with the account)."""
    return f"email:{email}"


def password_hash_of(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 500:
        raise v.bad("password_hash", "must be a non-empty string of at most 500 characters")
    if value == LOCAL_PASSWORD_HASH:
        raise v.bad("password_hash", "is reserved for the local account")
    return value


class Accounts(Part):
    """Users: created, found, re-keyed and deleted."""

    def create_user(self, email: str, password_hash: str, created_at: datetime | None = None) -> User:
        """A new account; BadInput when the email is unusable or taken."""
        email = v.email(email)
        password_hash = password_hash_of(password_hash)
        at = v.aware(created_at, "created_at", v.now())
        try:
            with self.db.write() as c:
                if c.scalar(select(users.c.id).where(users.c.email == email)) is not None:
                    raise v.bad("email", "an account with this email already exists")
                uid = insert_row(c, users, email=email, password_hash=password_hash, created_at=at, is_local=False)
                return User(uid, email, password_hash, at)
        except IntegrityError:
            raise v.bad("email", "an account with this email already exists") from None

    def get_user(self, user_id: int) -> User | None:
        with self.db.read() as c:
            row = c.execute(select(users).where(users.c.id == v.positive_id(user_id, "user_id"))).first()
            return user_of(row) if row else None

    def get_user_by_email(self, email: str) -> User | None:
        """The account with this email (in any letter case or compatible form), or None."""
        with self.db.read() as c:
            row = c.execute(select(users).where(users.c.email == v.email(email))).first()
            return user_of(row) if row else None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash (rehashing on sign-in keeps every session)."""
        password_hash = password_hash_of(password_hash)
        with self.db.write() as c:
            n = rowcount(
                c.execute(
                    update(users)
                    .where(users.c.id == v.positive_id(user_id, "user_id"), users.c.is_local.is_(False))
                    .values(password_hash=password_hash)
                )
            )
            if not n:
                raise v.bad("user_id", f"no user {user_id}")

    def delete_user(self, user_id: int) -> bool:
        """Delete an account and everything it holds; on SQLite the write-ahead log is then emptied.

        Episodes, check-ins, activity, documents and sessions go by cascade; the
        account's sign-in limit row is deleted here. With SQLite's secure_delete on
        and the log checkpointed, the deleted text does not linger in the files.
        """
        with self.db.write() as c:
            email = c.scalar(select(users.c.email).where(users.c.id == v.positive_id(user_id, "user_id")))
            if email is None:
                return False
            c.execute(delete(sign_in_limits).where(sign_in_limits.c.key == email_limit_key(email)))
            c.execute(delete(users).where(users.c.id == user_id))
        checkpoint(self.db.engine)
        return True

    def local_user(self) -> User:
        """The one account the CLI works as, created on first use.

        Found by its mark, never by email: an account someone registered on the web
        is never adopted, whatever its address. It cannot sign in to the web app.
        """
        with self.db.read() as c:
            row = c.execute(select(users).where(users.c.is_local.is_(True))).first()
        if row is not None:
            return user_of(row)
        try:
            with self.db.write() as c:
                row = c.execute(select(users).where(users.c.is_local.is_(True))).first()
                if row is not None:
                    return user_of(row)
                email = next(e for e in _local_emails() if c.scalar(select(users.c.id).where(users.c.email == e)) is None)
                at = v.now()
                uid = insert_row(c, users, email=email, password_hash=LOCAL_PASSWORD_HASH, created_at=at, is_local=True)
                return User(uid, email, LOCAL_PASSWORD_HASH, at, True)
        except IntegrityError:  # another process created it first
            with self.db.read() as c:
                return user_of(c.execute(select(users).where(users.c.is_local.is_(True))).one())


def _local_emails() -> Any:
    """The reserved address, then numbered ones (if an old database let the web take the first)."""
    yield LOCAL_EMAIL
    for n in count(2):
        yield f"local-user-{n}@backspasm.invalid"
