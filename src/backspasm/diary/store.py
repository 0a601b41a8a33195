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

from sqlalchemy import Engine, create_engine, delete, event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..assess import assess
from ..codes import FINDING_CODES, URGENCY_RANK
from ..contract import Assessment, BadInput, parse_assessment
from ..result import Result
from ..text.reading import EMPTY, Reading
from . import reminders as rem
from .models import ActivityRow, CheckinRow, DocumentRow, EpisodeRow, LoginAttemptRow, UserRow
from .trends import diary_assessment, hours_between, reading_from_dict, reading_to_dict, reassess, sparkline

HEAD_REVISION = "0001"
LOCAL_EMAIL = "local-user@backspasm.invalid"
LOCAL_PASSWORD_HASH = "!local"  # never a valid argon2 hash: nobody can sign in as the local user
TREATMENTS: tuple[str, ...] = ("cold", "heat", "rest", "stretches", "nsaid", "acetaminophen")
REPORTABLE = tuple(c for c in FINDING_CODES if c != "long_duration")
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


def _user(r: UserRow) -> User:
    return User(r.id, r.email, r.password_hash, r.created_at)


def _episode(r: EpisodeRow) -> Episode:
    return Episode(r.id, r.user_id, r.started_at, r.onset_at, r.closed_at, r.assessment, r.result, r.urgency)


def _checkin(r: CheckinRow, onset_at: datetime) -> CheckIn:
    return CheckIn(
        r.id,
        r.episode_id,
        r.at,
        hours_between(onset_at, r.at),
        r.pain,
        tuple(r.findings),
        dict(r.tried),
        r.note,
        r.urgency,
        r.escalated,
    )


def _activity(r: ActivityRow) -> Activity:
    return Activity(r.id, r.user_id, r.episode_id, r.at, r.kind, r.code, dict(r.detail))


def _result_dict(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.to_json())
    return data


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
    def _read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self._write_engine, expire_on_commit=False) as s, s.begin():
            yield s

    # -- users --

    def create_user(self, email: str, password_hash: str, created_at: datetime | None = None) -> User:
        """A new account; BadInput when the email is taken."""
        email = _email(email)
        if not isinstance(password_hash, str) or not password_hash:
            raise _bad("password_hash", "must be a non-empty string")
        at = _when(created_at, "created_at", _now())
        try:
            with self._write() as s:
                if s.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
                    raise _bad("email", "an account with this email already exists")
                row = UserRow(email=email, password_hash=password_hash, created_at=at)
                s.add(row)
                s.flush()
                return _user(row)
        except IntegrityError:
            raise _bad("email", "an account with this email already exists") from None

    def get_user(self, user_id: int) -> User | None:
        with self._read() as s:
            row = s.get(UserRow, _id(user_id, "user_id"))
            return _user(row) if row else None

    def get_user_by_email(self, email: str) -> User | None:
        with self._read() as s:
            row = s.scalar(select(UserRow).where(UserRow.email == _email(email)))
            return _user(row) if row else None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash (for rehashing on sign-in or a password change)."""
        if not isinstance(password_hash, str) or not password_hash:
            raise _bad("password_hash", "must be a non-empty string")
        with self._write() as s:
            row = s.get(UserRow, _id(user_id, "user_id"))
            if row is None:
                raise _bad("user_id", f"no user {user_id}")
            row.password_hash = password_hash

    def delete_user(self, user_id: int) -> bool:
        """Delete an account and, by cascade, all its episodes, check-ins, activity and documents."""
        with self._write() as s:
            n = _rowcount(s.execute(delete(UserRow).where(UserRow.id == _id(user_id, "user_id"))))
            return bool(n)

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

    def _require_user(self, s: Session, user_id: int) -> None:
        if s.get(UserRow, _id(user_id, "user_id")) is None:
            raise _bad("user_id", f"no user {user_id}")

    # -- sign-in attempts --

    def record_login_attempt(self, key: str, ok: bool, at: datetime | None = None) -> None:
        if not isinstance(key, str) or not key or len(key) > 320:
            raise _bad("key", "must be a non-empty string of at most 320 characters")
        if not isinstance(ok, bool):
            raise _bad("ok", "must be true or false")
        with self._write() as s:
            s.add(LoginAttemptRow(key=key, ok=ok, at=_when(at, "at", _now())))

    def count_recent_failures(self, key: str, since: datetime) -> int:
        """Failed attempts for `key` at or after `since` (for sign-in rate limiting)."""
        since = _when(since, "since")
        with self._read() as s:
            n = s.scalar(
                select(func.count())
                .select_from(LoginAttemptRow)
                .where(LoginAttemptRow.key == key, LoginAttemptRow.ok.is_(False), LoginAttemptRow.at >= since)
            )
            return int(n or 0)

    def prune_login_attempts(self, before: datetime) -> int:
        """Forget attempts older than `before`; returns how many went."""
        with self._write() as s:
            return _rowcount(s.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < _when(before, "before"))))

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
        with self._write() as s:
            self._require_user(s, user_id)
            row = EpisodeRow(
                user_id=user_id,
                started_at=at,
                onset_at=at - timedelta(hours=a.hours_since_onset),
                closed_at=None,
                assessment=a.model_dump(mode="json", exclude_none=True),
                reading=reading_to_dict(reading),
                result=_result_dict(result),
                urgency=result.urgency,
            )
            s.add(row)
            s.flush()
            s.add(
                ActivityRow(
                    user_id=user_id,
                    episode_id=row.id,
                    at=at,
                    kind="episode_started",
                    code=result.urgency,
                    detail={"findings": list(result.findings)},
                )
            )
            return _episode(row), result

    def list_episodes(self, user_id: int) -> list[Episode]:
        """The user's episodes, newest first."""
        with self._read() as s:
            rows = s.scalars(
                select(EpisodeRow)
                .where(EpisodeRow.user_id == _id(user_id, "user_id"))
                .order_by(EpisodeRow.started_at.desc(), EpisodeRow.id.desc())
            )
            return [_episode(r) for r in rows]

    def get_episode(self, user_id: int, episode_id: int) -> Episode | None:
        """The episode, or None when it does not exist or belongs to someone else."""
        with self._read() as s:
            row = s.get(EpisodeRow, _id(episode_id, "episode_id"))
            if row is None or row.user_id != _id(user_id, "user_id"):
                return None
            return _episode(row)

    def current_episode(self, user_id: int) -> Episode | None:
        """The most recently started open episode, if any."""
        return next((e for e in self.list_episodes(user_id) if e.is_open), None)

    def _owned(self, s: Session, user_id: int, episode_id: int, lock: bool = False) -> EpisodeRow:
        q = select(EpisodeRow).where(EpisodeRow.id == _id(episode_id, "episode_id"))
        if lock:
            q = q.with_for_update()
        row = s.scalar(q)
        if row is None or row.user_id != _id(user_id, "user_id"):
            raise _bad("episode_id", f"no episode {episode_id}")
        return row

    def close_episode(self, user_id: int, episode_id: int, at: datetime | None = None) -> Episode:
        with self._write() as s:
            row = self._owned(s, user_id, episode_id, lock=True)
            when = _when(at, "at", _now())
            if row.closed_at is not None:
                raise _bad("episode_id", f"episode {episode_id} is already closed")
            if when < row.started_at:
                raise _bad("at", "is before the episode started")
            row.closed_at = when
            s.add(ActivityRow(user_id=user_id, episode_id=row.id, at=when, kind="episode_closed", code=None, detail={}))
            return _episode(row)

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
        with self._write() as s:
            ep = self._owned(s, user_id, episode_id, lock=True)
            if ep.closed_at is not None:
                raise _bad("episode_id", f"episode {episode_id} is closed; start a new one")
            if when < ep.started_at:
                raise _bad("at", f"{when.isoformat()} is before the episode started ({ep.started_at.isoformat()})")
            earlier = s.execute(
                select(CheckinRow.at, CheckinRow.pain, CheckinRow.findings, CheckinRow.urgency)
                .where(CheckinRow.episode_id == ep.id, CheckinRow.at <= when)
                .order_by(CheckinRow.at, CheckinRow.id)
            ).all()
            reported = [c for r in earlier for c in r.findings] + codes
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
            row = CheckinRow(
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
            s.add(row)
            s.flush()
            if escalated:
                s.add(
                    ActivityRow(
                        user_id=user_id,
                        episode_id=ep.id,
                        at=when,
                        kind="escalation",
                        code=result.urgency,
                        detail={
                            "checkin_id": row.id,
                            "from": previous,
                            "to": result.urgency,
                            "reasons": [{"code": r.code, "text": r.text, "ref": r.ref} for r in result.reasons],
                        },
                    )
                )
            return CheckinOutcome(_checkin(row, ep.onset_at), result, escalated, previous)

    def list_checkins(self, user_id: int, episode_id: int) -> list[CheckIn]:
        """An episode's check-ins in time order; BadInput when the episode is not the user's."""
        with self._read() as s:
            ep = self._owned(s, user_id, episode_id)
            return self._checkins(s, ep)

    def _checkins(self, s: Session, ep: EpisodeRow) -> list[CheckIn]:
        # Plain column rows, not ORM entities: status reads hundreds of them.
        rows = s.execute(
            select(
                CheckinRow.id,
                CheckinRow.at,
                CheckinRow.pain,
                CheckinRow.findings,
                CheckinRow.tried,
                CheckinRow.note,
                CheckinRow.urgency,
                CheckinRow.escalated,
            )
            .where(CheckinRow.episode_id == ep.id)
            .order_by(CheckinRow.at, CheckinRow.id)
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
        with self._read() as s:
            row = s.get(CheckinRow, _id(checkin_id, "checkin_id"))
            if row is None or row.user_id != _id(user_id, "user_id"):
                return None
            return dict(row.result)

    def status(self, user_id: int, episode_id: int, now: datetime | None = None) -> Status:
        """Re-assess the episode now with its diary; what changed since the last rating; what is due."""
        with self._read() as s:
            ep = self._owned(s, user_id, episode_id)
            checkins = self._checkins(s, ep)
            now_ = _when(now, "now", _now())
            if ep.closed_at is not None and now_ > ep.closed_at:
                now_ = ep.closed_at
            if now_ < ep.started_at:
                raise _bad("now", "is before the episode started")
            last_result: dict[str, Any] = ep.result
            if checkins:
                last_result = s.scalar(select(CheckinRow.result).where(CheckinRow.id == checkins[-1].id)) or ep.result
            escalations = [
                _activity(r)
                for r in s.scalars(
                    select(ActivityRow)
                    .where(ActivityRow.episode_id == ep.id, ActivityRow.kind == "escalation")
                    .order_by(ActivityRow.at, ActivityRow.id)
                )
            ]
            episode = _episode(ep)
            reading_data = ep.reading
        hours_now = hours_between(episode.onset_at, now_)
        if checkins:
            last = checkins[-1]
            pain_now, last_at = last.pain, last.at
            earlier = [(c.hours_since_onset, c.pain) for c in checkins[:-1]]
        else:
            pain_now, last_at, earlier = int(episode.assessment["pain"]), episode.started_at, []
        reported = [f for c in checkins for f in c.findings]
        a = diary_assessment(episode.assessment, hours_now, pain_now, earlier, reported)
        result = reassess(a, reading_from_dict(reading_data, current=not checkins))
        hours_before = hours_between(episode.onset_at, last_at)
        return Status(
            episode=episode,
            now=now_,
            hours_since_onset=hours_now,
            result=result,
            checkins=tuple(checkins),
            changes=tuple(rem.changes(last_result, result, hours_before, hours_now)),
            next_due=tuple(rem.next_due(episode.onset_at, result, last_at, now_, not episode.is_open)),
            sparkline=sparkline([int(episode.assessment["pain"]), *(c.pain for c in checkins)]),
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
        with self._write() as s:
            self._require_user(s, user_id)
            if episode_id is not None:
                self._owned(s, user_id, episode_id)
            row = ActivityRow(
                user_id=user_id, episode_id=episode_id, at=_when(at, "at", _now()), kind=kind, code=code, detail=value
            )
            s.add(row)
            s.flush()
            return _activity(row)

    def list_activities(
        self, user_id: int, kind: str | None = None, since: datetime | None = None, episode_id: int | None = None
    ) -> list[Activity]:
        """The user's activity, oldest first, optionally of one kind, since a moment, or for one episode."""
        q = select(ActivityRow).where(ActivityRow.user_id == _id(user_id, "user_id"))
        if kind is not None:
            q = q.where(ActivityRow.kind == kind)
        if since is not None:
            q = q.where(ActivityRow.at >= _when(since, "since"))
        if episode_id is not None:
            q = q.where(ActivityRow.episode_id == _id(episode_id, "episode_id"))
        with self._read() as s:
            return [_activity(r) for r in s.scalars(q.order_by(ActivityRow.at, ActivityRow.id))]

    # -- documents --

    def put_document(self, user_id: int, key: str, value: Any) -> None:
        """Create or replace one JSON document per (user, key)."""
        if not isinstance(key, str) or not key or len(key) > 200:
            raise _bad("key", "must be a non-empty string of at most 200 characters")
        data = _json_value(value, "value")
        at = _now()
        with self._write() as s:
            self._require_user(s, user_id)
            row = s.scalar(select(DocumentRow).where(DocumentRow.user_id == user_id, DocumentRow.key == key).with_for_update())
            if row is None:
                s.add(DocumentRow(user_id=user_id, key=key, value=data, updated_at=at))
            else:
                row.value = data
                row.updated_at = at

    def get_document(self, user_id: int, key: str) -> Any | None:
        with self._read() as s:
            return s.scalar(
                select(DocumentRow.value).where(DocumentRow.user_id == _id(user_id, "user_id"), DocumentRow.key == key)
            )

    def list_documents(self, user_id: int, prefix: str = "") -> dict[str, Any]:
        """The user's documents whose key starts with `prefix`, by key."""
        with self._read() as s:
            rows = s.execute(
                select(DocumentRow.key, DocumentRow.value)
                .where(DocumentRow.user_id == _id(user_id, "user_id"))
                .order_by(DocumentRow.key)
            ).all()
            return {k: v for k, v in rows if k.startswith(prefix)}

    def delete_document(self, user_id: int, key: str) -> bool:
        with self._write() as s:
            n = _rowcount(
                s.execute(delete(DocumentRow).where(DocumentRow.user_id == _id(user_id, "user_id"), DocumentRow.key == key))
            )
            return bool(n)

    # -- portability --

    def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything one user owns, as JSON-ready data (episodes with check-ins, activity, documents)."""
        with self._read() as s:
            user = s.get(UserRow, _id(user_id, "user_id"))
            if user is None:
                raise _bad("user_id", f"no user {user_id}")
            episodes = []
            for ep in s.scalars(
                select(EpisodeRow).where(EpisodeRow.user_id == user_id).order_by(EpisodeRow.started_at, EpisodeRow.id)
            ):
                rows = s.scalars(select(CheckinRow).where(CheckinRow.episode_id == ep.id).order_by(CheckinRow.at, CheckinRow.id))
                episodes.append(
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
                                "at": c.at.isoformat(),
                                "pain": c.pain,
                                "findings": list(c.findings),
                                "tried": dict(c.tried),
                                "note": c.note,
                                "urgency": c.urgency,
                                "escalated": c.escalated,
                                "result": c.result,
                            }
                            for c in rows
                        ],
                    }
                )
            activities = [
                {
                    "episode_id": a.episode_id,
                    "at": a.at.isoformat(),
                    "kind": a.kind,
                    "code": a.code,
                    "detail": a.detail,
                }
                for a in s.scalars(
                    select(ActivityRow).where(ActivityRow.user_id == user_id).order_by(ActivityRow.at, ActivityRow.id)
                )
            ]
            documents = {
                d.key: {"value": d.value, "updated_at": d.updated_at.isoformat()}
                for d in s.scalars(select(DocumentRow).where(DocumentRow.user_id == user_id).order_by(DocumentRow.key))
            }
        return {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "episodes": episodes,
            "activities": activities,
            "documents": documents,
        }

    def import_user(self, user_id: int, data: Any) -> dict[str, int]:
        """Add an export's episodes, check-ins, activity and documents to a user, all or nothing.

        Episodes already present (same start and onset) are skipped, so importing
        the same file twice adds nothing. Returns counts of what was added.
        """
        from .portability import validate_export

        doc = validate_export(data)
        added = {"episodes": 0, "checkins": 0, "activities": 0, "documents": 0, "skipped_episodes": 0}
        with self._write() as s:
            self._require_user(s, user_id)
            existing = {
                (r.started_at, r.onset_at)
                for r in s.execute(select(EpisodeRow.started_at, EpisodeRow.onset_at).where(EpisodeRow.user_id == user_id))
            }
            id_map: dict[int, int] = {}
            for ep in doc.episodes:
                if (ep.started_at, ep.onset_at) in existing:
                    added["skipped_episodes"] += 1
                    continue
                row = EpisodeRow(
                    user_id=user_id,
                    started_at=ep.started_at,
                    onset_at=ep.onset_at,
                    closed_at=ep.closed_at,
                    assessment=ep.assessment,
                    reading=ep.reading,
                    result=ep.result,
                    urgency=ep.urgency,
                )
                s.add(row)
                s.flush()
                id_map[ep.id] = row.id
                added["episodes"] += 1
                for c in ep.checkins:
                    s.add(
                        CheckinRow(
                            episode_id=row.id,
                            user_id=user_id,
                            at=c.at,
                            pain=c.pain,
                            findings=list(c.findings),
                            tried=dict(c.tried),
                            note=c.note,
                            urgency=c.urgency,
                            escalated=c.escalated,
                            result=c.result,
                        )
                    )
                    added["checkins"] += 1
            for a in doc.activities:
                if a.episode_id is not None and a.episode_id not in id_map:
                    continue  # belongs to a skipped (already present) episode
                s.add(
                    ActivityRow(
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
                row_d = s.scalar(select(DocumentRow).where(DocumentRow.user_id == user_id, DocumentRow.key == key))
                if row_d is None:
                    s.add(DocumentRow(user_id=user_id, key=key, value=d.value, updated_at=d.updated_at))
                    added["documents"] += 1
                elif d.updated_at > row_d.updated_at:
                    row_d.value, row_d.updated_at = d.value, d.updated_at
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


def _rowcount(result: object) -> int:
    """Rows a DELETE touched (CursorResult has rowcount; the typed Result does not say so)."""
    return int(getattr(result, "rowcount", 0))
