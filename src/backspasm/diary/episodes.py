"""Episodes: one spasm followed over days, opened from an assessment and closed when it is over."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from ..contract import Assessment, parse_assessment
from ..engine import assess
from ..result import Result
from ..text.reading import EMPTY, Reading
from . import replay
from . import validation as v
from .database import Part, insert_row
from .trends import reading_to_dict, result_dict

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row


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
    zone: str | None = None

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
            "zone": self.zone,
            "assessment": self.assessment,
            "result": self.result,
        }


def episode_of(r: Row[Any]) -> Episode:
    return Episode(r.id, r.user_id, r.started_at, r.onset_at, r.closed_at, r.assessment, r.result, r.urgency, r.zone)


def owned(c: Connection, user_id: int, episode_id: int, lock: bool = False) -> Row[Any]:
    """The episode's row, or BadInput when it does not exist or belongs to someone else (same message)."""
    from sqlalchemy import select

    from .models import episodes

    q = select(episodes).where(episodes.c.id == v.positive_id(episode_id, "episode_id"))
    if lock:
        q = q.with_for_update()
    row = c.execute(q).first()
    if row is None or row.user_id != v.positive_id(user_id, "user_id"):
        raise v.bad("episode_id", f"no episode {episode_id}")
    return row


def read_text(text_: str | None) -> Reading:
    if not text_ or not text_.strip():
        return EMPTY
    from ..text import read

    return read(text_)


def episode_values(
    user_id: int, a: Assessment, at: datetime, reading: Reading, zone: str | None = None
) -> tuple[dict[str, Any], Result]:
    """An episode's row, assessed from the answers and the reading of their words."""
    try:
        onset = at - timedelta(hours=a.hours_since_onset)
    except OverflowError:  # a start in year 1 with the spasm earlier still
        raise v.bad("started_at", f"{at.isoformat()} is out of range") from None
    result = assess(a, read_text=lambda _t: reading)
    values: dict[str, Any] = {
        "user_id": user_id,
        "started_at": at,
        "onset_at": onset,
        "closed_at": None,
        "assessment": a.model_dump(mode="json", exclude_none=True),
        "reading": reading_to_dict(reading),
        "result": result_dict(result),
        "urgency": result.urgency,
        "zone": zone,
    }
    return values, result


def insert_episode(c: Connection, values: dict[str, Any], result: Result) -> Episode:
    """Insert the episode, its course state and its 'episode_started' log entry (inside the caller's transaction)."""
    from sqlalchemy import insert

    from .models import activity_log, episodes

    eid = insert_row(c, episodes, **values)
    replay.save(c, eid, replay.started(SimpleNamespace(id=eid, **values)))
    c.execute(
        insert(activity_log).values(
            user_id=values["user_id"],
            episode_id=eid,
            at=values["started_at"],
            kind="episode_started",
            code=result.urgency,
            detail={"findings": list(result.findings)},
        )
    )
    return Episode(eid, **{k: val for k, val in values.items() if k != "reading"})


class Episodes(Part):
    """Opening, listing and closing a user's episodes."""

    def start_episode(
        self,
        user_id: int,
        assessment: Assessment | Mapping[str, Any],
        started_at: datetime | None = None,
        reading: Reading | None = None,
        zone: str | None = None,
    ) -> tuple[Episode, Result]:
        """Assess, then open an episode holding the answers and the result. Returns both.

        `reading` is the text as the person confirmed it (the interactive flow); by
        default the text is read here. `zone` is the time zone the answers were given in.
        """
        a = assessment if isinstance(assessment, Assessment) else parse_assessment(dict(assessment))
        now = v.now()
        at = v.aware(started_at, "started_at", now)
        if at > now + v.FUTURE_SLACK:
            raise v.bad("started_at", "is in the future")
        entered_in = v.zone_for(zone, started_at)
        from .accounts import require_user

        if reading is None:
            reading = read_text(a.text)
        elif not isinstance(reading, Reading):
            raise v.bad("reading", "must be a text Reading")
        values, result = episode_values(user_id, a, at, reading, entered_in)
        with self.db.write() as c:
            require_user(c, user_id)
            episode = insert_episode(c, values, result)
        return episode, result

    def list_episodes(self, user_id: int) -> list[Episode]:
        """The user's episodes, newest first."""
        from sqlalchemy import select

        from .models import episodes

        with self.db.read() as c:
            rows = c.execute(
                select(episodes)
                .where(episodes.c.user_id == v.positive_id(user_id, "user_id"))
                .order_by(episodes.c.started_at.desc(), episodes.c.id.desc())
            )
            return [episode_of(r) for r in rows]

    def get_episode(self, user_id: int, episode_id: int) -> Episode | None:
        """The episode, or None when it does not exist or belongs to someone else."""
        from sqlalchemy import select

        from .models import episodes

        with self.db.read() as c:
            row = c.execute(select(episodes).where(episodes.c.id == v.positive_id(episode_id, "episode_id"))).first()
            if row is None or row.user_id != v.positive_id(user_id, "user_id"):
                return None
            return episode_of(row)

    def current_episode(self, user_id: int) -> Episode | None:
        """The most recently started open episode, if any."""
        return next((e for e in self.list_episodes(user_id) if e.is_open), None)

    def close_episode(self, user_id: int, episode_id: int, at: datetime | None = None) -> Episode:
        from sqlalchemy import insert, select, update

        from .models import activity_log, episodes

        when = v.aware(at, "at", v.now())
        with self.db.write() as c:
            row = owned(c, user_id, episode_id, lock=True)
            if row.closed_at is not None:
                raise v.bad("episode_id", f"episode {episode_id} is already closed")
            last = replay.load(c, row).last_at
            if when < row.onset_at or (last is not None and when < last):
                raise v.bad("at", "is before the latest entry of the episode")
            c.execute(update(episodes).where(episodes.c.id == row.id).values(closed_at=when))
            c.execute(
                insert(activity_log).values(
                    user_id=user_id, episode_id=row.id, at=when, kind="episode_closed", code=None, detail={}
                )
            )
            return episode_of(c.execute(select(episodes).where(episodes.c.id == row.id)).one())
