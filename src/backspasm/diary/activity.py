"""The activity log (prevention sessions ticked off, escalations, episodes opened and closed) and per-user documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import validation as v
from .database import Part, insert_row, rowcount
from .episodes import owned


@dataclass(frozen=True, slots=True)
class Activity:
    id: int
    user_id: int
    episode_id: int | None
    at: datetime
    kind: str
    code: str | None
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "episode_id": self.episode_id,
            "at": self.at.isoformat(),
            "kind": self.kind,
            "code": self.code,
            "detail": self.detail,
        }


def activity_of(r: Any) -> Activity:
    return Activity(r.id, r.user_id, r.episode_id, r.at, r.kind, r.code, dict(r.detail))


class Activities(Part):
    """The user's activity log, append-only."""

    def log_activity(
        self,
        user_id: int,
        kind: str,
        code: str | None = None,
        detail: Mapping[str, Any] | None = None,
        episode_id: int | None = None,
        at: datetime | None = None,
    ) -> Activity:
        """Append to the user's activity log (e.g. a prevention session ticked off)."""
        if not isinstance(kind, str) or not kind or len(kind) > 60:
            raise v.bad("kind", "must be a non-empty string of at most 60 characters")
        if code is not None and (not isinstance(code, str) or len(code) > 100):
            raise v.bad("code", "must be a string of at most 100 characters")
        v.plain_text(kind, "kind")
        if code is not None:
            v.plain_text(code, "code")
        if detail is not None and not isinstance(detail, Mapping):
            raise v.bad("detail", "must be an object")
        value = v.json_value(dict(detail or {}), "detail")
        when = v.aware(at, "at", v.now())
        from .accounts import require_user
        from .models import activity_log

        with self.db.write() as c:
            require_user(c, user_id)
            if episode_id is not None:
                owned(c, user_id, episode_id)
            aid = insert_row(c, activity_log, user_id=user_id, episode_id=episode_id, at=when, kind=kind, code=code,
                             detail=value)
        return Activity(aid, user_id, episode_id, when, kind, code, value)

    def list_activities(
        self, user_id: int, kind: str | None = None, since: datetime | None = None, episode_id: int | None = None
    ) -> list[Activity]:
        """The user's activity, oldest first, optionally of one kind, since a moment, or for one episode."""
        from sqlalchemy import select

        from .models import activity_log
        q = select(activity_log).where(activity_log.c.user_id == v.positive_id(user_id, "user_id"))
        if kind is not None:
            q = q.where(activity_log.c.kind == kind)
        if since is not None:
            q = q.where(activity_log.c.at >= v.aware(since, "since"))
        if episode_id is not None:
            q = q.where(activity_log.c.episode_id == v.positive_id(episode_id, "episode_id"))
        with self.db.read() as c:
            return [activity_of(r) for r in c.execute(q.order_by(activity_log.c.at, activity_log.c.id))]


class Documents(Part):
    """One JSON document per (user, key): the prevention program, settings and the like."""

    def put_document(self, user_id: int, key: str, value: Any) -> None:
        """Create or replace one JSON document per (user, key)."""
        if not isinstance(key, str) or not key or len(key) > 200:
            raise v.bad("key", "must be a non-empty string of at most 200 characters")
        v.plain_text(key, "key")
        data = v.json_value(value, "value")
        at = v.now()
        from .accounts import require_user
        from .models import documents

        with self.db.write() as c:
            require_user(c, user_id)
            if self.db.dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as upsert
            else:
                from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
            stmt = upsert(documents).values(user_id=user_id, key=key, value=data, updated_at=at)
            c.execute(
                stmt.on_conflict_do_update(
                    index_elements=[documents.c.user_id, documents.c.key],
                    set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
                )
            )

    def get_document(self, user_id: int, key: str) -> Any | None:
        from sqlalchemy import select

        from .models import documents

        with self.db.read() as c:
            return c.scalar(
                select(documents.c.value).where(documents.c.user_id == v.positive_id(user_id, "user_id"),
                                                documents.c.key == key)
            )

    def list_documents(self, user_id: int, prefix: str = "") -> dict[str, Any]:
        """The user's documents whose key starts with `prefix`, by key."""
        from sqlalchemy import select

        from .models import documents

        with self.db.read() as c:
            rows = c.execute(
                select(documents.c.key, documents.c.value)
                .where(documents.c.user_id == v.positive_id(user_id, "user_id"))
                .order_by(documents.c.key)
            ).all()
            return {k: val for k, val in rows if k.startswith(prefix)}

    def delete_document(self, user_id: int, key: str) -> bool:
        from sqlalchemy import delete

        from .models import documents

        with self.db.write() as c:
            n = c.execute(
                delete(documents).where(documents.c.user_id == v.positive_id(user_id, "user_id"), documents.c.key == key)
            )
            return bool(rowcount(n))
