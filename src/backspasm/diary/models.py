"""The diary's tables as SQLAlchemy Core tables (the migrations create the same schema).

Core rather than the ORM on purpose: the store hands out plain frozen values, and
skipping the ORM keeps `backspasm status` quick to start.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import false


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as naive UTC and read back as aware UTC, the same on SQLite and PostgreSQL."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()

# AUTOINCREMENT on SQLite: a deleted account's id is never given to the next one.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(500), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("is_local", Boolean, nullable=False, server_default=false()),
    sqlite_autoincrement=True,
)
# At most one local (CLI) account.
Index("uq_users_one_local", users.c.is_local, unique=True,
      sqlite_where=text("is_local = 1"), postgresql_where=text("is_local"))

# Signed-in browsers: only a hash of the random id in the cookie is kept.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    sqlite_autoincrement=True,
)

# Sign-in and registration limits, one row per key (an email, a client address), updated under a lock.
sign_in_limits = Table(
    "sign_in_limits",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_at", UTCDateTime(), nullable=False),
    Column("next_at", UTCDateTime(), nullable=False, index=True),
)

# One row that /api/v1/readyz writes, to prove the database takes writes.
readiness = Table(
    "readiness",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("checked_at", UTCDateTime(), nullable=False),
)

episodes = Table(
    "episodes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("onset_at", UTCDateTime(), nullable=False),
    Column("closed_at", UTCDateTime(), nullable=True),
    Column("assessment", JSON, nullable=False),
    Column("reading", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("urgency", String(20), nullable=False),
    Column("zone", String(64), nullable=True),  # the IANA zone (or UTC offset) the episode was entered in
    Column("course", JSON, nullable=True),  # the folded state after the latest entry; NULL: rebuilt on next use
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("pain", Integer, nullable=False),
    Column("findings", JSON, nullable=False),
    Column("gone", JSON, nullable=False, server_default=text("'[]'")),  # codes reported gone at this check-in
    Column("tried", JSON, nullable=False),
    Column("note", Text, nullable=True),
    Column("urgency", String(20), nullable=False),
    Column("escalated", Boolean, nullable=False),
    Column("result", JSON, nullable=False),
    Column("idempotency_key", String(100), nullable=True),
    Column("zone", String(64), nullable=True),
    Index("ix_checkins_episode_at", "episode_id", "at"),
)

# A clinician has seen the person: emergency findings reported before it stop counting.
visits = Table(
    "visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("zone", String(64), nullable=True),
    Column("note", Text, nullable=True),
)
# A retried check-in with the same key is the same check-in.
Index("uq_checkins_user_idempotency", checkins.c.user_id, checkins.c.idempotency_key, unique=True)

activity_log = Table(
    "activity_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("episode_id", Integer, ForeignKey("episodes.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("kind", String(60), nullable=False),
    Column("code", String(100), nullable=True),
    Column("detail", JSON, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("key", String(200), nullable=False),
    Column("value", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("user_id", "key", name="uq_documents_user_key"),
)
