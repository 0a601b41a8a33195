"""A quick, read-only look at one episode with the standard library's sqlite3, for `backspasm status`.

SQLAlchemy takes longer to import than a status takes to compute, so the command people
run most reads a SQLite diary directly: the same rows the store reads, made into the same
records, and the same `status_of()` gives the answer. Whenever it cannot answer exactly as
the store would (another kind of database, a schema not migrated yet, an episode whose
course is not stored yet, an episode that is not there), it returns None and the caller
opens the store, which also gives the errors their words.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .activity import activity_of
from .checkins import CHECKIN_COLUMNS, checkin_of
from .course import Course
from .database import HEAD_REVISION, default_url
from .status import EpisodeRows
from .visits import visit_of

# How the store's column types come back from SQLite (models.py; a test keeps these in step with it).
DATETIMES = frozenset({"started_at", "onset_at", "closed_at", "at", "created_at", "updated_at", "expires_at", "last_at",
                       "checked_at", "last_seen_at", "next_at"})
JSONS = frozenset({"assessment", "reading", "result", "course", "findings", "gone", "tried", "detail", "value"})
BOOLEANS = frozenset({"escalated", "is_local"})


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in DATETIMES:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if name in JSONS:
        return json.loads(value)
    if name in BOOLEANS:
        return bool(value)
    return value


def _row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> SimpleNamespace:
    return SimpleNamespace(**{d[0]: _value(d[0], v) for d, v in zip(cursor.description, values, strict=True)})


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for anything else."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = url[len(prefix):]
    return Path(path) if path and path != ":memory:" else None


def read(episode_id: int | None, url: str | None = None, document: str | None = None) -> tuple[EpisodeRows, bool] | None:
    """The episode's rows for `status_of()` (the given episode, else the latest open, else the latest) and whether the
    CLI's user has `document`; None whenever the store should answer instead."""
    path = sqlite_path(url or default_url())
    if path is None or not path.is_file():
        return None
    try:
        con = sqlite3.connect(path, timeout=60)
    except sqlite3.Error:
        return None
    try:
        con.row_factory = _row
        return _read(con, episode_id, document)
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        return None
    finally:
        con.close()


def _read(con: sqlite3.Connection, episode_id: int | None, document: str | None) -> tuple[EpisodeRows, bool] | None:
    version = con.execute("SELECT version_num FROM alembic_version").fetchone()
    if version is None or version.version_num != HEAD_REVISION:
        return None
    user = con.execute("SELECT id FROM users WHERE is_local = 1").fetchone()  # the CLI's account, by its mark
    if user is None:
        return None
    if episode_id is not None:
        ep = con.execute("SELECT * FROM episodes WHERE id = ? AND user_id = ?", (episode_id, user.id)).fetchone()
    else:
        newest = "SELECT * FROM episodes WHERE user_id = ? {} ORDER BY started_at DESC, id DESC LIMIT 1"
        ep = con.execute(newest.format("AND closed_at IS NULL"), (user.id,)).fetchone()
        ep = ep or con.execute(newest.format(""), (user.id,)).fetchone()
    if ep is None or not ep.course:
        return None
    diary = [checkin_of(r, ep.id, ep.onset_at) for r in con.execute(
        f"SELECT {', '.join(CHECKIN_COLUMNS)} FROM checkins WHERE episode_id = ? ORDER BY at, id", (ep.id,))]
    seen = [visit_of(r, ep.id, ep.onset_at) for r in con.execute(
        "SELECT * FROM visits WHERE episode_id = ? ORDER BY at, id", (ep.id,))]
    escalations = [activity_of(r) for r in con.execute(
        "SELECT * FROM activity_log WHERE episode_id = ? AND kind = 'escalation' ORDER BY at, id", (ep.id,))]
    last = con.execute("SELECT result FROM checkins WHERE id = ?", (diary[-1].id,)).fetchone() if diary else None
    has = document is not None and con.execute(
        "SELECT 1 AS found FROM documents WHERE user_id = ? AND key = ?", (user.id, document)).fetchone() is not None
    return EpisodeRows(ep, Course.from_dict(ep.course), diary, seen, escalations, last.result if last else None), has
