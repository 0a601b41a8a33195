"""Clinician visits: the person records that they have been seen, which releases the emergency findings so far."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..result import Result
from . import course as cs
from . import replay
from . import validation as v
from .database import Part, insert_row
from .episodes import owned
from .trends import hours_between

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row

SEEN_ADVICE = (
    "You recorded that a clinician has seen you: follow the advice you were given. This plan is general guidance beside it."
)


@dataclass(frozen=True, slots=True)
class Visit:
    id: int
    episode_id: int
    at: datetime
    hours_since_onset: float
    note: str | None
    zone: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "episode_id": self.episode_id,
            "at": self.at.isoformat(),
            "zone": self.zone,
            "hours_since_onset": round(self.hours_since_onset, 3),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class SeenOutcome:
    """A recorded visit and the episode re-assessed after it."""

    visit: Visit
    result: Result
    released: tuple[str, ...]  # the emergency findings that no longer count

    def as_dict(self) -> dict[str, Any]:
        return {"visit": self.visit.as_dict(), "released": list(self.released), "advice": SEEN_ADVICE,
                "result": self.result.as_dict()}


def visit_of(r: Any, episode_id: int, onset: datetime) -> Visit:
    """A visit record from a row (of SQLAlchemy, or of the quick reader)."""
    return Visit(r.id, episode_id, r.at, hours_between(onset, r.at), r.note, r.zone)


def visits_of(c: Connection, ep: Row[Any]) -> list[Visit]:
    from sqlalchemy import select

    from .models import visits

    rows = c.execute(select(visits).where(visits.c.episode_id == ep.id).order_by(visits.c.at, visits.c.id))
    return [visit_of(r, ep.id, ep.onset_at) for r in rows]


def record_visit(c: Connection, ep: Row[Any], when: datetime, note: str | None, zone: str | None) -> SeenOutcome:
    """Store one checked visit in an open episode (inside the caller's transaction) and re-assess after it."""
    from .models import visits

    course = replay.load(c, ep)
    hours = hours_between(ep.onset_at, when)
    released = tuple(sorted(code for code in course.present if code not in cs.with_visit(course, when, hours).present))
    vid = insert_row(c, visits, episode_id=ep.id, user_id=ep.user_id, at=when, zone=zone, note=note)
    if course.last_at is None or when >= course.last_at:
        course = cs.with_visit(course, when, hours)
        course = replace(course, urgency=replay.result_at(course, ep, hours).urgency)
        replay.save(c, ep.id, course)
    else:
        course = replay.rebuild(c, ep, rewrite_from=when)
    result = replay.result_at(course, ep, max(hours, course.last[0] if course.last else hours))
    return SeenOutcome(Visit(vid, ep.id, when, hours, note, zone), result, released)


class Visits(Part):
    """Recording that a clinician has seen the person."""

    def record_seen(
        self, user_id: int, episode_id: int, at: datetime | None = None, note: str | None = None, zone: str | None = None
    ) -> SeenOutcome:
        """Record a clinician's visit; the emergency findings reported so far stop counting, pain tracking goes on."""
        from sqlalchemy import insert

        from .models import activity_log

        note = v.note(note)
        entered_in = v.zone_for(zone, at)
        now = v.now()
        when = v.aware(at, "at", now)
        with self.db.write() as c:
            ep = owned(c, user_id, episode_id, lock=True)
            if ep.closed_at is not None:
                raise v.bad("episode_id", f"episode {episode_id} is closed")
            if when > now + v.FUTURE_SLACK:
                raise v.bad("at", "is in the future")
            if when < ep.onset_at:
                raise v.bad("at", "is before the spasm began")
            outcome = record_visit(c, ep, when, note, entered_in)
            c.execute(insert(activity_log).values(user_id=user_id, episode_id=ep.id, at=when, kind="seen", code=None,
                                                  detail={"visit_id": outcome.visit.id, "released": list(outcome.released)}))
        return outcome

    def list_visits(self, user_id: int, episode_id: int) -> list[Visit]:
        with self.db.read() as c:
            return visits_of(c, owned(c, user_id, episode_id))
