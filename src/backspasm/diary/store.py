"""The one door to the database: accounts, sign-in attempts, episodes, check-ins, activity, documents.

Every caller (CLI, web app, prevention, FHIR) goes through `Store`; there is no raw
SQL elsewhere. Every method validates its input and raises `BadInput` naming the
field, and every write is one transaction, so nothing is ever half-written.
SQLite (the default, a file in the user data directory) runs in WAL mode with
foreign keys on and a busy timeout, and write transactions begin IMMEDIATE so two
processes queue instead of failing; PostgreSQL is used when BACKSPASM_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Row, create_engine, delete, event, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from ..codes import DERIVED_ONLY_FINDINGS, FINDING_CODES, URGENCY_RANK
from ..contract import Assessment, BadInput, parse_assessment
from ..engine import assess
from ..result import Result
from ..text.reading import EMPTY, Reading
from . import reminders as rem
from .models import activity_log, checkins, documents, episodes, login_attempts, users
from .trends import diary_assessment, hours_between, reading_from_dict, reading_to_dict, reassess, sparkline

HEAD_REVISION = "0001"
LOCAL_EMAIL = "local-user@backspasm.invalid"
LOCAL_PASSWORD_HASH = "!local"  # never a valid argon2 hash: nobody can sign in as the local user
TREATMENTS: tuple[str, ...] = ("cold", "heat", "rest", "stretches", "nsaid", "acetaminophen")
REPORTABLE = tuple(c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS)
MAX_NOTE = 2000
FUTURE_SLACK = timedelta(minutes=5)
EXPORT_FORMAT = "backspasm-export"
EXPORT_VERSION = 1


# ---- values handed to callers (no ORM objects leave the store) ----


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    password_hash: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Episode:
    id: int
    user_id: int
    started_at: datetime
    onset_at: datetime
    closed_at: datetime | None
    assessment: dict[str, Any]
    result: dict[str, Any]
    urgency: str

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": self.started_at.isoformat(),
            "onset_at": self.onset_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "urgency": self.urgency,
            "assessment": self.assessment,
            "result": self.result,
        }


@dataclass(frozen=True, slots=True)
class CheckIn:
    id: int
    episode_id: int
    at: datetime
    hours_since_onset: float
    pain: int
    findings: tuple[str, ...]
    tried: dict[str, bool | None]
    note: str | None
    urgency: str
    escalated: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "episode_id": self.episode_id,
            "at": self.at.isoformat(),
            "hours_since_onset": round(self.hours_since_onset, 3),
            "pain": self.pain,
            "findings": list(self.findings),
            "tried": dict(self.tried),
            "note": self.note,
            "urgency": self.urgency,
            "escalated": self.escalated,
        }


@dataclass(frozen=True, slots=True)
class CheckinOutcome:
    """A stored check-in, its re-assessment, and whether urgency rose above the previous rating's."""

    checkin: CheckIn
    result: Result
    escalated: bool
    previous_urgency: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "checkin": self.checkin.as_dict(),
            "escalated": self.escalated,
            "previous_urgency": self.previous_urgency,
            "result": self.result.as_dict(),
        }


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


@dataclass(frozen=True, slots=True)
class Status:
    """An episode now: re-assessed with the diary, what changed, what is due, the trend."""

    episode: Episode
    now: datetime
    hours_since_onset: float
    result: Result
    checkins: tuple[CheckIn, ...]
    changes: tuple[rem.Change, ...]
    next_due: tuple[rem.Reminder, ...]
    sparkline: str
    escalations: tuple[Activity, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "episode": {k: v for k, v in self.episode.as_dict().items() if k != "result"},
            "now": self.now.isoformat(),
            "hours_since_onset": round(self.hours_since_onset, 3),
            "urgency": self.result.urgency,
            "result": self.result.as_dict(),
            "changes": [c.as_dict() for c in self.changes],
            "next_due": [r.as_dict() for r in self.next_due],
            "pain_trend": [c.pain for c in self.checkins],
            "sparkline": self.sparkline,
            "checkins": [c.as_dict() for c in self.checkins],
            "escalations": [a.as_dict() for a in self.escalations],
        }


# ---- validation helpers ----


def _bad(loc: str, msg: str) -> BadInput:
    return BadInput([(loc, msg)])


def _id(value: object, loc: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _bad(loc, f"must be a positive integer id, got {value!r}")
    return value


def _when(value: object, loc: str, default: datetime | None = None) -> datetime:
    if value is None:
        if default is None:
            raise _bad(loc, "is required")
        return default
    if not isinstance(value, datetime):
        raise _bad(loc, f"must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise _bad(loc, "must carry a time zone (naive times are ambiguous)")
    return value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _pain(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad("pain", f"must be an integer 0 to 10, got {value!r}")
    if not 0 <= value <= 10:
        raise _bad("pain", f"{value} is out of range (allowed: 0 to 10)")
    return value


def _findings(values: Sequence[str] | None) -> list[str]:
    import difflib

    out: list[str] = []
    if isinstance(values, str):
        raise _bad("findings", "must be a list of finding codes, not a string")
    for i, code in enumerate(values or ()):
        if code == "long_duration":
            raise _bad(f"findings[{i}]", "'long_duration' is derived from the clock and cannot be listed")
        if code not in REPORTABLE:
            guess = difflib.get_close_matches(str(code), REPORTABLE, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            raise _bad(f"findings[{i}]", f"unknown finding code {code!r}{hint}")
        if code not in out:
            out.append(code)
    return out


def parse_tried(value: Mapping[str, bool | None] | Sequence[str] | None) -> dict[str, bool | None]:
    """What was tried and whether it helped: a mapping code -> True/False/None, or a list of codes."""
    import difflib

    if value is None:
        return {}
    items: list[tuple[str, Any]]
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, str):
        raise _bad("tried", "must be a list or mapping of treatment codes, not a string")
    else:
        items = [(code, None) for code in value]
    out: dict[str, bool | None] = {}
    for code, helped in items:
        if code not in TREATMENTS:
            guess = difflib.get_close_matches(str(code), TREATMENTS, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            raise _bad(f"tried.{code}", f"unknown treatment{hint}; allowed: {', '.join(TREATMENTS)}")
        if helped is not None and not isinstance(helped, bool):
            raise _bad(f"tried.{code}", f"whether it helped must be true, false or null, got {helped!r}")
        out[code] = helped
    return {k: out[k] for k in TREATMENTS if k in out}


def _note(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad("note", f"must be a string, got {type(value).__name__}")
    if len(value) > MAX_NOTE:
        raise _bad("note", f"is longer than {MAX_NOTE} characters")
    return value.strip() or None


def _email(value: object) -> str:
    if not isinstance(value, str):
        raise _bad("email", "must be a string")
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or not domain or " " in email or len(email) > 320:
        raise _bad("email", f"{value!r} is not an email address")
    return email


def _json_value(value: Any, loc: str) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise _bad(loc, f"must be JSON-serialisable: {e}") from None


# ---- row -> value ----


def _user(r: Row[Any]) -> User:
    return User(r.id, r.email, r.password_hash, r.created_at)


def _episode(r: Row[Any]) -> Episode:
    return Episode(r.id, r.user_id, r.started_at, r.onset_at, r.closed_at, r.assessment, r.result, r.urgency)


def _activity(r: Row[Any]) -> Activity:
    return Activity(r.id, r.user_id, r.episode_id, r.at, r.kind, r.code, dict(r.detail))


def _result_dict(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.to_json())
    return data


def _insert(conn: Connection, table: Any, **values: Any) -> int:
    """Insert one row and return its new id."""
    pk = conn.execute(insert(table).values(**values)).inserted_primary_key
    assert pk is not None
    return int(pk[0])


def _rowcount(result: object) -> int:
    """Rows an UPDATE or DELETE touched (CursorResult has rowcount; the typed Result does not say so)."""
    return int(getattr(result, "rowcount", 0))


# ---- engine setup ----


def default_url() -> str:
    """BACKSPASM_DATABASE_URL, else a SQLite file in BACKSPASM_DATA_DIR or the platform's user data dir."""
    url = os.environ.get("BACKSPASM_DATABASE_URL")
    if url:
        return url
    data_dir = os.environ.get("BACKSPASM_DATA_DIR")
    if not data_dir:
        from platformdirs import user_data_dir

        data_dir = user_data_dir("backspasm")
    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'backspasm.db'}"


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout = 60000")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA synchronous = NORMAL")  # durable across process crashes in WAL mode
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            write = conn.get_execution_options().get("backspasm_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _migrate(engine: Engine) -> None:
    """Bring the schema to head with alembic, unless it is already there (the fast path)."""
    try:
        with engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if current == HEAD_REVISION:
            return
    except (OperationalError, Exception):  # no table yet: a new database
        pass
    from importlib.resources import files

    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("backspasm.diary") / "migrations"))
    with engine.execution_options(backspasm_write=True).connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating as needed) the database at `url` or the default location."""
    engine = _make_engine(url or default_url())
    try:
        _migrate(engine)
    except Exception:
        engine.dispose()
        raise
    return Store(engine)


# ---- the store ----


class Store:
    """Typed access to the diary database. Create with `open_store()`; call `close()` when done."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._write_engine = engine.execution_options(backspasm_write=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back whole on any exception."""
        with self._write_engine.connect() as conn, conn.begin():
            yield conn

    # -- users --

    def create_user(self, email: str, password_hash: str, created_at: datetime | None = None) -> User:
        """A new account; BadInput when the email is taken."""
        email = _email(email)
        if not isinstance(password_hash, str) or not password_hash:
            raise _bad("password_hash", "must be a non-empty string")
        at = _when(created_at, "created_at", _now())
        try:
            with self._write() as c:
                if c.scalar(select(users.c.id).where(users.c.email == email)) is not None:
                    raise _bad("email", "an account with this email already exists")
                uid = _insert(c, users, email=email, password_hash=password_hash, created_at=at)
                return User(uid, email, password_hash, at)
        except IntegrityError:
            raise _bad("email", "an account with this email already exists") from None

    def get_user(self, user_id: int) -> User | None:
        with self._read() as c:
            row = c.execute(select(users).where(users.c.id == _id(user_id, "user_id"))).first()
            return _user(row) if row else None

    def get_user_by_email(self, email: str) -> User | None:
        with self._read() as c:
            row = c.execute(select(users).where(users.c.email == _email(email))).first()
            return _user(row) if row else None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash (for rehashing on sign-in or a password change)."""
        if not isinstance(password_hash, str) or not password_hash:
            raise _bad("password_hash", "must be a non-empty string")
        with self._write() as c:
            n = _rowcount(
                c.execute(update(users).where(users.c.id == _id(user_id, "user_id")).values(password_hash=password_hash))
            )
            if not n:
                raise _bad("user_id", f"no user {user_id}")

    def delete_user(self, user_id: int) -> bool:
        """Delete an account and, by cascade, all its episodes, check-ins, activity and documents."""
        with self._write() as c:
            return bool(_rowcount(c.execute(delete(users).where(users.c.id == _id(user_id, "user_id")))))

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

    def _require_user(self, c: Connection, user_id: int) -> None:
        if c.scalar(select(users.c.id).where(users.c.id == _id(user_id, "user_id"))) is None:
            raise _bad("user_id", f"no user {user_id}")

    # -- sign-in attempts --

    def record_login_attempt(self, key: str, ok: bool, at: datetime | None = None) -> None:
        if not isinstance(key, str) or not key or len(key) > 320:
            raise _bad("key", "must be a non-empty string of at most 320 characters")
        if not isinstance(ok, bool):
            raise _bad("ok", "must be true or false")
        when = _when(at, "at", _now())
        with self._write() as c:
            c.execute(insert(login_attempts).values(key=key, ok=ok, at=when))

    def count_recent_failures(self, key: str, since: datetime) -> int:
        """Failed attempts for `key` at or after `since` (for sign-in rate limiting)."""
        since = _when(since, "since")
        with self._read() as c:
            n = c.scalar(
                select(func.count())
                .select_from(login_attempts)
                .where(login_attempts.c.key == key, login_attempts.c.ok.is_(False), login_attempts.c.at >= since)
            )
            return int(n or 0)

    def prune_login_attempts(self, before: datetime) -> int:
        """Forget attempts older than `before`; returns how many went."""
        when = _when(before, "before")
        with self._write() as c:
            return _rowcount(c.execute(delete(login_attempts).where(login_attempts.c.at < when)))

    # -- episodes --

    def start_episode(
        self,
        user_id: int,
        assessment: Assessment | Mapping[str, Any],
        started_at: datetime | None = None,
        reading: Reading | None = None,
    ) -> tuple[Episode, Result]:
        """Assess, then open an episode holding the answers and the result. Returns both.

        `reading` is the text as the person confirmed it (the interactive flow); by
        default the text is read here.
        """
        a = assessment if isinstance(assessment, Assessment) else parse_assessment(dict(assessment))
        now = _now()
        at = _when(started_at, "started_at", now)
        if at > now + FUTURE_SLACK:
            raise _bad("started_at", "is in the future")
        if reading is None:
            reading = _read_text(a.text)
        elif not isinstance(reading, Reading):
            raise _bad("reading", "must be a text Reading")
        confirmed = reading
        result = assess(a, read_text=lambda _t: confirmed)
        values: dict[str, Any] = {
            "user_id": user_id,
            "started_at": at,
            "onset_at": at - timedelta(hours=a.hours_since_onset),
            "closed_at": None,
            "assessment": a.model_dump(mode="json", exclude_none=True),
            "reading": reading_to_dict(reading),
            "result": _result_dict(result),
            "urgency": result.urgency,
        }
        with self._write() as c:
            self._require_user(c, user_id)
            eid = _insert(c, episodes, **values)
            c.execute(
                insert(activity_log).values(
                    user_id=user_id,
                    episode_id=eid,
                    at=at,
                    kind="episode_started",
                    code=result.urgency,
                    detail={"findings": list(result.findings)},
                )
            )
        return Episode(eid, **{k: v for k, v in values.items() if k != "reading"}), result

    def list_episodes(self, user_id: int) -> list[Episode]:
        """The user's episodes, newest first."""
        with self._read() as c:
            rows = c.execute(
                select(episodes)
                .where(episodes.c.user_id == _id(user_id, "user_id"))
                .order_by(episodes.c.started_at.desc(), episodes.c.id.desc())
            )
            return [_episode(r) for r in rows]

    def get_episode(self, user_id: int, episode_id: int) -> Episode | None:
        """The episode, or None when it does not exist or belongs to someone else."""
        with self._read() as c:
            row = c.execute(select(episodes).where(episodes.c.id == _id(episode_id, "episode_id"))).first()
            if row is None or row.user_id != _id(user_id, "user_id"):
                return None
            return _episode(row)

    def current_episode(self, user_id: int) -> Episode | None:
        """The most recently started open episode, if any."""
        return next((e for e in self.list_episodes(user_id) if e.is_open), None)

    def _owned(self, c: Connection, user_id: int, episode_id: int, lock: bool = False) -> Row[Any]:
        q = select(episodes).where(episodes.c.id == _id(episode_id, "episode_id"))
        if lock:
            q = q.with_for_update()
        row = c.execute(q).first()
        if row is None or row.user_id != _id(user_id, "user_id"):
            raise _bad("episode_id", f"no episode {episode_id}")
        return row

    def close_episode(self, user_id: int, episode_id: int, at: datetime | None = None) -> Episode:
        when = _when(at, "at", _now())
        with self._write() as c:
            row = self._owned(c, user_id, episode_id, lock=True)
            if row.closed_at is not None:
                raise _bad("episode_id", f"episode {episode_id} is already closed")
            if when < row.started_at:
                raise _bad("at", "is before the episode started")
            c.execute(update(episodes).where(episodes.c.id == row.id).values(closed_at=when))
            c.execute(
                insert(activity_log).values(
                    user_id=user_id, episode_id=row.id, at=when, kind="episode_closed", code=None, detail={}
                )
            )
            return _episode(c.execute(select(episodes).where(episodes.c.id == row.id)).one())

    # -- check-ins --

    def add_checkin(
        self,
        user_id: int,
        episode_id: int,
        pain: int,
        at: datetime | None = None,
        findings: Sequence[str] = (),
        tried: Mapping[str, bool | None] | Sequence[str] | None = None,
        note: str | None = None,
    ) -> CheckinOutcome:
        """Store a rating, re-assess the episode with the diary, and record any escalation."""
        pain = _pain(pain)
        codes = _findings(findings)
        tried_map = parse_tried(tried)
        note = _note(note)
        now = _now()
        when = _when(at, "at", now)
        if when > now + FUTURE_SLACK:
            raise _bad("at", "is in the future")
        with self._write() as c:
            ep = self._owned(c, user_id, episode_id, lock=True)
            if ep.closed_at is not None:
                raise _bad("episode_id", f"episode {episode_id} is closed; start a new one")
            if when < ep.started_at:
                raise _bad("at", f"{when.isoformat()} is before the episode started ({ep.started_at.isoformat()})")
            earlier = c.execute(
                select(checkins.c.at, checkins.c.pain, checkins.c.findings, checkins.c.urgency)
                .where(checkins.c.episode_id == ep.id, checkins.c.at <= when)
                .order_by(checkins.c.at, checkins.c.id)
            ).all()
            reported = [f for r in earlier for f in r.findings] + codes
            a = diary_assessment(
                ep.assessment,
                hours_between(ep.onset_at, when),
                pain,
                [(hours_between(ep.onset_at, r.at), r.pain) for r in earlier],
                reported,
            )
            result = reassess(a, reading_from_dict(ep.reading, current=False))
            previous = earlier[-1].urgency if earlier else ep.urgency
            escalated = URGENCY_RANK[result.urgency] > URGENCY_RANK[previous]
            cid = _insert(
                c,
                checkins,
                episode_id=ep.id,
                user_id=user_id,
                at=when,
                pain=pain,
                findings=codes,
                tried=tried_map,
                note=note,
                urgency=result.urgency,
                escalated=escalated,
                result=_result_dict(result),
            )
            if escalated:
                c.execute(
                    insert(activity_log).values(
                        user_id=user_id,
                        episode_id=ep.id,
                        at=when,
                        kind="escalation",
                        code=result.urgency,
                        detail={
                            "checkin_id": cid,
                            "from": previous,
                            "to": result.urgency,
                            "reasons": [{"code": r.code, "text": r.text, "ref": r.ref} for r in result.reasons],
                        },
                    )
                )
            checkin = CheckIn(
                cid,
                ep.id,
                when,
                hours_between(ep.onset_at, when),
                pain,
                tuple(codes),
                tried_map,
                note,
                result.urgency,
                escalated,
            )
        return CheckinOutcome(checkin, result, escalated, previous)

    def list_checkins(self, user_id: int, episode_id: int) -> list[CheckIn]:
        """An episode's check-ins in time order; BadInput when the episode is not the user's."""
        with self._read() as c:
            ep = self._owned(c, user_id, episode_id)
            return self._checkins(c, ep)

    def _checkins(self, c: Connection, ep: Row[Any]) -> list[CheckIn]:
        rows = c.execute(
            select(
                checkins.c.id,
                checkins.c.at,
                checkins.c.pain,
                checkins.c.findings,
                checkins.c.tried,
                checkins.c.note,
                checkins.c.urgency,
                checkins.c.escalated,
            )
            .where(checkins.c.episode_id == ep.id)
            .order_by(checkins.c.at, checkins.c.id)
        )
        onset = ep.onset_at
        return [
            CheckIn(
                r.id,
                ep.id,
                r.at,
                hours_between(onset, r.at),
                r.pain,
                tuple(r.findings),
                dict(r.tried),
                r.note,
                r.urgency,
                r.escalated,
            )
            for r in rows
        ]

    def checkin_result(self, user_id: int, checkin_id: int) -> dict[str, Any] | None:
        """The stored re-assessment of one check-in (None when missing or not the user's)."""
        with self._read() as c:
            row = c.execute(
                select(checkins.c.user_id, checkins.c.result).where(checkins.c.id == _id(checkin_id, "checkin_id"))
            ).first()
            if row is None or row.user_id != _id(user_id, "user_id"):
                return None
            return dict(row.result)

    def status(
        self, user_id: int, episode_id: int, now: datetime | None = None, locale: str | None = None
    ) -> Status:
        """Re-assess the episode now with its diary (worded in `locale`, else the episode's own); what changed
        since the last rating; what is due."""
        now_ = _when(now, "now", _now())
        with self._read() as c:
            ep = self._owned(c, user_id, episode_id)
            diary = self._checkins(c, ep)
            if ep.closed_at is not None and now_ > ep.closed_at:
                now_ = ep.closed_at
            if now_ < ep.started_at:
                raise _bad("now", "is before the episode started")
            if diary and now_ < diary[-1].at:
                if now is not None:
                    raise _bad("now", "is before the latest check-in")
                now_ = diary[-1].at  # a check-in a moment ahead of this clock
            last_result: dict[str, Any] = ep.result
            if diary:
                last_result = c.scalar(select(checkins.c.result).where(checkins.c.id == diary[-1].id)) or ep.result
            escalations = [
                _activity(r)
                for r in c.execute(
                    select(activity_log)
                    .where(activity_log.c.episode_id == ep.id, activity_log.c.kind == "escalation")
                    .order_by(activity_log.c.at, activity_log.c.id)
                )
            ]
            episode = _episode(ep)
            reading_data = ep.reading
        hours_now = hours_between(episode.onset_at, now_)
        if diary:
            last = diary[-1]
            pain_now, last_at = last.pain, last.at
            earlier = [(x.hours_since_onset, x.pain) for x in diary[:-1]]
        else:
            pain_now, last_at, earlier = int(episode.assessment["pain"]), episode.started_at, []
        reported = [f for x in diary for f in x.findings]
        a = diary_assessment(episode.assessment, hours_now, pain_now, earlier, reported, locale)
        result = reassess(a, reading_from_dict(reading_data, current=not diary))
        hours_before = hours_between(episode.onset_at, last_at)
        return Status(
            episode=episode,
            now=now_,
            hours_since_onset=hours_now,
            result=result,
            checkins=tuple(diary),
            changes=tuple(rem.changes(last_result, result, hours_before, hours_now)),
            next_due=tuple(rem.next_due(episode.onset_at, result, last_at, now_, not episode.is_open)),
            sparkline=sparkline([int(episode.assessment["pain"]), *(x.pain for x in diary)]),
            escalations=tuple(escalations),
        )

    # -- activity log --

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
            raise _bad("kind", "must be a non-empty string of at most 60 characters")
        if code is not None and (not isinstance(code, str) or len(code) > 100):
            raise _bad("code", "must be a string of at most 100 characters")
        if detail is not None and not isinstance(detail, Mapping):
            raise _bad("detail", "must be an object")
        value = _json_value(dict(detail or {}), "detail")
        when = _when(at, "at", _now())
        with self._write() as c:
            self._require_user(c, user_id)
            if episode_id is not None:
                self._owned(c, user_id, episode_id)
            aid = _insert(c, activity_log, user_id=user_id, episode_id=episode_id, at=when, kind=kind, code=code, detail=value)
        return Activity(aid, user_id, episode_id, when, kind, code, value)

    def list_activities(
        self, user_id: int, kind: str | None = None, since: datetime | None = None, episode_id: int | None = None
    ) -> list[Activity]:
        """The user's activity, oldest first, optionally of one kind, since a moment, or for one episode."""
        q = select(activity_log).where(activity_log.c.user_id == _id(user_id, "user_id"))
        if kind is not None:
            q = q.where(activity_log.c.kind == kind)
        if since is not None:
            q = q.where(activity_log.c.at >= _when(since, "since"))
        if episode_id is not None:
            q = q.where(activity_log.c.episode_id == _id(episode_id, "episode_id"))
        with self._read() as c:
            return [_activity(r) for r in c.execute(q.order_by(activity_log.c.at, activity_log.c.id))]

    # -- documents --

    def put_document(self, user_id: int, key: str, value: Any) -> None:
        """Create or replace one JSON document per (user, key)."""
        if not isinstance(key, str) or not key or len(key) > 200:
            raise _bad("key", "must be a non-empty string of at most 200 characters")
        data = _json_value(value, "value")
        at = _now()
        with self._write() as c:
            self._require_user(c, user_id)
            if self.dialect == "postgresql":
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
        with self._read() as c:
            return c.scalar(
                select(documents.c.value).where(documents.c.user_id == _id(user_id, "user_id"), documents.c.key == key)
            )

    def list_documents(self, user_id: int, prefix: str = "") -> dict[str, Any]:
        """The user's documents whose key starts with `prefix`, by key."""
        with self._read() as c:
            rows = c.execute(
                select(documents.c.key, documents.c.value)
                .where(documents.c.user_id == _id(user_id, "user_id"))
                .order_by(documents.c.key)
            ).all()
            return {k: v for k, v in rows if k.startswith(prefix)}

    def delete_document(self, user_id: int, key: str) -> bool:
        with self._write() as c:
            n = c.execute(delete(documents).where(documents.c.user_id == _id(user_id, "user_id"), documents.c.key == key))
            return bool(_rowcount(n))

    # -- portability --

    def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything one user owns, as JSON-ready data (episodes with check-ins, activity, documents)."""
        with self._read() as c:
            self._require_user(c, user_id)
            out_episodes = []
            for ep in c.execute(
                select(episodes).where(episodes.c.user_id == user_id).order_by(episodes.c.started_at, episodes.c.id)
            ).all():
                rows = c.execute(select(checkins).where(checkins.c.episode_id == ep.id).order_by(checkins.c.at, checkins.c.id))
                out_episodes.append(
                    {
                        "id": ep.id,
                        "started_at": ep.started_at.isoformat(),
                        "onset_at": ep.onset_at.isoformat(),
                        "closed_at": ep.closed_at.isoformat() if ep.closed_at else None,
                        "assessment": ep.assessment,
                        "reading": ep.reading,
                        "result": ep.result,
                        "urgency": ep.urgency,
                        "checkins": [
                            {
                                "at": r.at.isoformat(),
                                "pain": r.pain,
                                "findings": list(r.findings),
                                "tried": dict(r.tried),
                                "note": r.note,
                                "urgency": r.urgency,
                                "escalated": r.escalated,
                                "result": r.result,
                            }
                            for r in rows
                        ],
                    }
                )
            activities = [
                {"episode_id": a.episode_id, "at": a.at.isoformat(), "kind": a.kind, "code": a.code, "detail": a.detail}
                for a in c.execute(
                    select(activity_log).where(activity_log.c.user_id == user_id).order_by(activity_log.c.at, activity_log.c.id)
                )
            ]
            docs = {
                d.key: {"value": d.value, "updated_at": d.updated_at.isoformat()}
                for d in c.execute(select(documents).where(documents.c.user_id == user_id).order_by(documents.c.key))
            }
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "episodes": out_episodes,
            "activities": activities,
            "documents": docs,
        }

    def import_user(self, user_id: int, data: Any) -> dict[str, int]:
        """Add an export's episodes, check-ins, activity and documents to a user, all or nothing.

        Episodes already present (same start and onset) are skipped, so importing
        the same file twice adds nothing. Returns counts of what was added.
        """
        from .portability import validate_export

        doc = validate_export(data)
        added = {"episodes": 0, "checkins": 0, "activities": 0, "documents": 0, "skipped_episodes": 0}
        with self._write() as c:
            self._require_user(c, user_id)
            existing = {
                (r.started_at, r.onset_at)
                for r in c.execute(select(episodes.c.started_at, episodes.c.onset_at).where(episodes.c.user_id == user_id))
            }
            id_map: dict[int, int] = {}
            for ep in doc.episodes:
                if (ep.started_at, ep.onset_at) in existing:
                    added["skipped_episodes"] += 1
                    continue
                eid = _insert(
                    c,
                    episodes,
                    user_id=user_id,
                    started_at=ep.started_at,
                    onset_at=ep.onset_at,
                    closed_at=ep.closed_at,
                    assessment=ep.assessment,
                    reading=ep.reading,
                    result=ep.result,
                    urgency=ep.urgency,
                )
                id_map[ep.id] = eid
                added["episodes"] += 1
                for ci in ep.checkins:
                    c.execute(
                        insert(checkins).values(
                            episode_id=eid,
                            user_id=user_id,
                            at=ci.at,
                            pain=ci.pain,
                            findings=list(ci.findings),
                            tried=dict(ci.tried),
                            note=ci.note,
                            urgency=ci.urgency,
                            escalated=ci.escalated,
                            result=ci.result,
                        )
                    )
                    added["checkins"] += 1
            for a in doc.activities:
                if a.episode_id is not None and a.episode_id not in id_map:
                    continue  # belongs to a skipped (already present) episode
                c.execute(
                    insert(activity_log).values(
                        user_id=user_id,
                        episode_id=id_map.get(a.episode_id) if a.episode_id is not None else None,
                        at=a.at,
                        kind=a.kind,
                        code=a.code,
                        detail=a.detail,
                    )
                )
                added["activities"] += 1
            for key, d in doc.documents.items():
                current = c.execute(
                    select(documents.c.id, documents.c.updated_at).where(documents.c.user_id == user_id, documents.c.key == key)
                ).first()
                if current is None:
                    c.execute(insert(documents).values(user_id=user_id, key=key, value=d.value, updated_at=d.updated_at))
                    added["documents"] += 1
                elif d.updated_at > current.updated_at:
                    c.execute(
                        update(documents).where(documents.c.id == current.id).values(value=d.value, updated_at=d.updated_at)
                    )
                    added["documents"] += 1
        return added

    # -- maintenance --

    def integrity_ok(self) -> bool:
        """SQLite's integrity check (always True on PostgreSQL, which checks as it writes)."""
        if self.dialect != "sqlite":
            return True
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def _read_text(text_: str | None) -> Reading:
    if not text_ or not text_.strip():
        return EMPTY
    from ..text import read

    return read(text_)
