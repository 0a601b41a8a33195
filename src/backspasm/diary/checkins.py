"""Check-ins: a pain rating with what was tried and the findings present or gone, each re-assessing its episode."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..codes import URGENCY_RANK
from ..result import Result
from . import course as cs
from . import replay
from . import validation as v
from .database import Part, insert_row
from .episodes import owned
from .trends import hours_between, result_dict

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row


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
    gone: tuple[str, ...] = ()
    zone: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "episode_id": self.episode_id,
            "at": self.at.isoformat(),
            "zone": self.zone,
            "hours_since_onset": round(self.hours_since_onset, 3),
            "pain": self.pain,
            "findings": list(self.findings),
            "gone": list(self.gone),
            "tried": dict(self.tried),
            "note": self.note,
            "urgency": self.urgency,
            "escalated": self.escalated,
        }


@dataclass(frozen=True, slots=True)
class CheckinOutcome:
    """A stored check-in, its re-assessment, and whether urgency rose above the previous entry's."""

    checkin: CheckIn
    result: Result
    escalated: bool
    previous_urgency: str
    held: tuple[str, ...] = ()  # emergency findings reported gone that hold until a clinician's visit

    def as_dict(self) -> dict[str, Any]:
        return {
            "checkin": self.checkin.as_dict(),
            "escalated": self.escalated,
            "previous_urgency": self.previous_urgency,
            "held_until_seen": list(self.held),
            "result": self.result.as_dict(),
        }


def checkin_of(r: Any, episode_id: int, onset: datetime) -> CheckIn:
    """A check-in record from a row (of SQLAlchemy, or of the quick reader)."""
    return CheckIn(r.id, episode_id, r.at, hours_between(onset, r.at), r.pain, tuple(r.findings), dict(r.tried), r.note,
                   r.urgency, bool(r.escalated), tuple(r.gone or ()), r.zone)


CHECKIN_COLUMNS = ("id", "at", "pain", "findings", "gone", "tried", "note", "urgency", "escalated", "zone")


def checkins_of(c: Connection, ep: Row[Any]) -> list[CheckIn]:
    """An episode's check-ins in time order."""
    from sqlalchemy import select

    from .models import checkins

    rows = c.execute(
        select(*(checkins.c[name] for name in CHECKIN_COLUMNS))
        .where(checkins.c.episode_id == ep.id)
        .order_by(checkins.c.at, checkins.c.id)
    )
    return [checkin_of(r, ep.id, ep.onset_at) for r in rows]


def check_moment(ep: Row[Any], when: datetime, now: datetime, episode_id: int) -> None:
    """BadInput unless the episode is open and `when` lies between its onset and now."""
    if ep.closed_at is not None:
        raise v.bad("episode_id", f"episode {episode_id} is closed; start a new one")
    if when > now + v.FUTURE_SLACK:
        raise v.bad("at", "is in the future")
    if when < ep.onset_at:
        raise v.bad("at", f"{when.isoformat()} is before the spasm began ({ep.onset_at.isoformat()})")


class CheckIns(Part):
    """Adding ratings to an episode and reading them back."""

    def add_checkin(
        self,
        user_id: int,
        episode_id: int,
        pain: int,
        at: datetime | None = None,
        findings: Sequence[str] = (),
        tried: Mapping[str, bool | None] | Sequence[str] | None = None,
        note: str | None = None,
        gone: Sequence[str] = (),
        zone: str | None = None,
    ) -> CheckinOutcome:
        """Store a rating with the findings present or gone, re-assess the episode, record any escalation."""
        from sqlalchemy import insert

        from .models import activity_log, checkins
        pain = v.pain(pain)
        codes = v.findings(findings)
        gone_codes = v.findings(gone, "gone")
        tried_map = v.parse_tried(tried)
        note = v.note(note)
        entered_in = v.zone_for(zone, at)
        now = v.now()
        when = v.aware(at, "at", now)
        with self.db.write() as c:
            ep = owned(c, user_id, episode_id, lock=True)
            check_moment(ep, when, now, episode_id)
            course = replay.load(c, ep)
            hours = hours_between(ep.onset_at, when)
            values: dict[str, Any] = {
                "episode_id": ep.id,
                "user_id": user_id,
                "at": when,
                "pain": pain,
                "findings": codes,
                "gone": gone_codes,
                "tried": tried_map,
                "note": note,
                "zone": entered_in,
            }
            if course.last_at is None or when >= course.last_at:
                # The usual case, the newest entry: fold one rating into the stored course.
                cs.check_gone(course, codes, gone_codes)
                previous = course.urgency
                course = cs.with_rating(course, when, hours, pain, codes, gone_codes)
                result = replay.result_at(course, ep, hours)
                escalated = URGENCY_RANK[result.urgency] > URGENCY_RANK[previous]
                course = replace(course, urgency=result.urgency)
                cid = insert_row(c, checkins, **values, urgency=result.urgency, escalated=escalated,
                                 result=result_dict(result))
                replay.save(c, ep.id, course)
            else:
                # Dated before a later entry: replay the episode so every later check-in sees it.
                cid = insert_row(c, checkins, **values, urgency="self_care", escalated=False, result={})
                rebuilt = None
                previous = "self_care"
                for e, after, res, before in replay.fold(ep, replay.entries(c, ep)):
                    if e.kind == 1 and e.id == cid and res is not None:
                        rebuilt, result, previous = after, res, before
                        break
                assert rebuilt is not None
                escalated = URGENCY_RANK[result.urgency] > URGENCY_RANK[previous]
                course = replay.rebuild(c, ep, rewrite_from=when)
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
            held = tuple(code for code in gone_codes if code in course.held)
        checkin = CheckIn(cid, ep.id, when, hours, pain, tuple(codes), tried_map, note, result.urgency, escalated,
                          tuple(gone_codes), entered_in)
        return CheckinOutcome(checkin, result, escalated, previous, held)

    def list_checkins(self, user_id: int, episode_id: int) -> list[CheckIn]:
        """An episode's check-ins in time order; BadInput when the episode is not the user's."""
        with self.db.read() as c:
            ep = owned(c, user_id, episode_id)
            return checkins_of(c, ep)

    def checkin_result(self, user_id: int, checkin_id: int) -> dict[str, Any] | None:
        """The stored re-assessment of one check-in (None when missing or not the user's)."""
        from sqlalchemy import select

        from .models import checkins
        with self.db.read() as c:
            row = c.execute(
                select(checkins.c.user_id, checkins.c.result).where(checkins.c.id == v.positive_id(checkin_id, "checkin_id"))
            ).first()
            if row is None or row.user_id != v.positive_id(user_id, "user_id"):
                return None
            return dict(row.result)
