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
    replayed: bool = False  # True when an idempotency key matched a check-in stored earlier

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


def record_checkin(
    c: Connection,
    ep: Row[Any],
    when: datetime,
    pain: int,
    codes: list[str],
    tried: dict[str, bool | None],
    note: str | None,
    idempotency_key: str | None = None,
    gone: Sequence[str] = (),
    zone: str | None = None,
) -> CheckinOutcome:
    """Store one checked rating in an open episode (inside the caller's transaction), re-assessed, with any escalation."""
    from sqlalchemy import insert

    from .models import activity_log, checkins

    gone_codes = list(gone)
    course = replay.load(c, ep)
    hours = hours_between(ep.onset_at, when)
    values: dict[str, Any] = {
        "episode_id": ep.id,
        "user_id": ep.user_id,
        "at": when,
        "pain": pain,
        "findings": codes,
        "gone": gone_codes,
        "tried": tried,
        "note": note,
        "zone": zone,
        "idempotency_key": idempotency_key,
    }
    if course.last_at is None or when >= course.last_at:
        # The usual case, the newest entry: fold one rating into the stored course.
        cs.check_gone(course, codes, gone_codes)
        previous = course.urgency
        course = cs.with_rating(course, when, hours, pain, codes, gone_codes)
        result = replay.result_at(course, ep, hours)
        escalated = URGENCY_RANK[result.urgency] > URGENCY_RANK[previous]
        course = replace(course, urgency=result.urgency)
        cid = insert_row(c, checkins, **values, urgency=result.urgency, escalated=escalated, result=result_dict(result))
        replay.save(c, ep.id, course)
    else:
        # Dated before a later entry: replay the episode so every later check-in sees it.
        cid = insert_row(c, checkins, **values, urgency="self_care", escalated=False, result={})
        result, previous = _replayed_result(c, ep, cid)
        escalated = URGENCY_RANK[result.urgency] > URGENCY_RANK[previous]
        course = replay.rebuild(c, ep, rewrite_from=when)
    if escalated:
        c.execute(
            insert(activity_log).values(
                user_id=ep.user_id,
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
    checkin = CheckIn(cid, ep.id, when, hours, pain, tuple(codes), tried, note, result.urgency, escalated,
                      tuple(gone_codes), zone)
    return CheckinOutcome(checkin, result, escalated, previous, held)


def _replayed_result(c: Connection, ep: Row[Any], checkin_id: int) -> tuple[Result, str]:
    """One check-in's re-assessment and the urgency before it, from a replay of the episode."""
    for e, _after, res, before in replay.fold(ep, replay.entries(c, ep)):
        if e.kind == 1 and e.id == checkin_id and res is not None:
            return res, before
    raise LookupError(f"check-in {checkin_id} is not in episode {ep.id}")


def _replayed(c: Connection, ep: Row[Any], key: str, asked: dict[str, Any]) -> CheckinOutcome | None:
    """The check-in already stored under this key (the retry of a request whose answer was lost), if any."""
    from sqlalchemy import select

    from .models import checkins

    row = c.execute(select(checkins).where(checkins.c.user_id == ep.user_id, checkins.c.idempotency_key == key)).first()
    if row is None:
        return None
    stored = {"episode_id": row.episode_id, "pain": row.pain, "findings": list(row.findings), "gone": list(row.gone or ()),
              "tried": dict(row.tried), "note": row.note, "at": row.at}
    if any(stored[k] != value for k, value in asked.items() if not (k == "at" and value is None)):
        raise v.bad("idempotency_key", "was already used for a different check-in")
    if row.episode_id != ep.id:
        raise v.bad("idempotency_key", "was already used for a different check-in")
    result, previous = _replayed_result(c, ep, row.id)
    return CheckinOutcome(checkin_of(row, ep.id, ep.onset_at), result, row.escalated, previous, replayed=True)


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
        idempotency_key: str | None = None,
        gone: Sequence[str] = (),
        zone: str | None = None,
    ) -> CheckinOutcome:
        """Store a rating with the findings present or gone, re-assess the episode, record any escalation.

        With an `idempotency_key`, a retry of the same check-in returns the stored
        one instead of adding it twice.
        """
        pain = v.pain(pain)
        codes = v.findings(findings)
        gone_codes = v.findings(gone, "gone")
        tried_map = v.parse_tried(tried)
        note = v.note(note)
        key = v.idempotency_key(idempotency_key)
        entered_in = v.zone_for(zone, at)
        now = v.now()
        when = v.aware(at, "at", now)
        with self.db.write() as c:
            ep = owned(c, user_id, episode_id, lock=True)  # one check-in per episode at a time
            if key is not None:
                asked = {"episode_id": ep.id, "pain": pain, "findings": codes, "gone": gone_codes, "tried": tried_map,
                         "note": note, "at": None if at is None else when}
                found = _replayed(c, ep, key, asked)
                if found is not None:
                    return found
            check_moment(ep, when, now, episode_id)
            return record_checkin(c, ep, when, pain, codes, tried_map, note, key, gone_codes, entered_in)

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
