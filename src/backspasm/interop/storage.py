"""What the CDS service keeps between requests: plan-link handles, the cards it issued, their feedback.

A card's link carries only a random handle; the assessment behind it stays here and
expires (no health data in URLs, logs or browser history). Tables live in the app's
database (any worker can answer the link) and are created on first use: they are the
service's own, outside the diary's schema.
"""

from __future__ import annotations

import secrets
import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, create_engine, delete, event, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool

metadata = MetaData()
links = Table(
    "cds_plan_links", metadata,
    Column("handle", String(64), primary_key=True),
    Column("assessment", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)
cards = Table(
    "cds_cards", metadata,
    Column("uuid", String(64), primary_key=True),
    Column("hook_instance", String(200), nullable=False),
    Column("urgency", String(20), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)
feedback = Table(
    "cds_feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("card", String(64), nullable=False, index=True),
    Column("outcome", String(20), nullable=False),
    Column("outcome_at", DateTime(timezone=True), nullable=False),
    Column("override_reason", JSON, nullable=True),
    Column("accepted_suggestions", JSON, nullable=True),
    Column("client", String(500), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """As the diary's store sets them: wait for a busy database, WAL, one sync per checkpoint."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
    finally:
        cur.close()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class InteropStore:
    """Link handles, issued cards and feedback in one SQL database (SQLite in memory when none is given)."""

    def __init__(self, url: str | None = None) -> None:
        if url is None:
            self.engine: Engine = create_engine("sqlite://", poolclass=StaticPool,
                                                connect_args={"check_same_thread": False})
        else:
            self.engine = create_engine(url)
        # The one in-memory connection is shared by every thread: one user at a time.
        self._lock: AbstractContextManager[Any] = threading.Lock() if url is None else nullcontext()
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            metadata.create_all(self.engine, checkfirst=True)
        except DBAPIError:  # another worker created them between the check and the create
            metadata.create_all(self.engine, checkfirst=True)

    def close(self) -> None:
        self.engine.dispose()

    def answered(self, hook_instance: str, cards_issued: list[tuple[str, str]], handle: str | None,
                 link: dict[str, Any] | None, ttl: int, now: datetime) -> None:
        """Remember one answer in one transaction: its cards (uuid, urgency) and the assessment behind its
        link's handle. Expired links are dropped here."""
        with self._lock, self.engine.begin() as c:
            if handle is not None and link is not None:
                c.execute(delete(links).where(links.c.expires_at < now))
                c.execute(insert(links).values(handle=handle, assessment=link, created_at=now,
                                               expires_at=now + timedelta(seconds=ttl)))
            if cards_issued:
                c.execute(insert(cards), [{"uuid": u, "hook_instance": hook_instance[:200], "urgency": urgency,
                                           "issued_at": now} for u, urgency in cards_issued])

    def link(self, handle: str, now: datetime) -> dict[str, Any] | None:
        """The assessment behind a live handle, or None (unknown or expired)."""
        with self._lock, self.engine.connect() as c:
            row = c.execute(select(links.c.assessment, links.c.expires_at).where(links.c.handle == handle)).first()
        if row is None or _aware(row.expires_at) <= now:
            return None
        return dict(row.assessment)

    def known_cards(self, uuids: list[str]) -> set[str]:
        with self._lock, self.engine.connect() as c:
            return set(c.scalars(select(cards.c.uuid).where(cards.c.uuid.in_(uuids))))

    def record_feedback(self, rows: list[dict[str, Any]], client: str | None, now: datetime) -> None:
        with self._lock, self.engine.begin() as c:
            c.execute(insert(feedback), [{**r, "client": client, "received_at": now} for r in rows])

    def feedback_for(self, card: str) -> list[dict[str, Any]]:
        with self._lock, self.engine.connect() as c:
            rows = c.execute(select(feedback).where(feedback.c.card == card).order_by(feedback.c.id)).mappings().all()
        return [dict(r) for r in rows]




def new_handle() -> str:
    """An unguessable link handle (192 bits)."""
    return secrets.token_urlsafe(24)


__all__ = ["InteropStore", "new_handle"]
