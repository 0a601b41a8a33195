"""Check-ins: a pain rating with what was tried and any new findings, each re-assessing its episode."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from ..codes import URGENCY_RANK
from ..result import Result
from . import reminders as rem
from . import validation as v
from .activity import Activity, activity_of
from .database import Part, insert_row
from .episodes import Episode, episode_of, owned, result_dict
from .models import activity_log, checkins
from .trends import diary_assessment, hours_between, reading_from_dict, reassess, sparkline


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
    replayed: bool = False  # True when an idempotency key matched a check-in stored earlier

    def as_dict(self) -> dict[str, Any]:
        return {
            "checkin": self.checkin.as_dict(),
            "escalated": self.escalated,
            "previous_urgency": self.previous_urgency,
            "result": self.result.as_dict(),
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


def _checkins(c: Connection, ep: Row[Any]) -> list[CheckIn]:
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


def _reassess_at(
    c: Connection, ep: Row[Any], when: datetime, pain: int, codes: list[str], before_id: int | None = None
) -> tuple[Result, str]:
    """The episode re-assessed with a rating at `when` and the diary up to then; and the urgency before it."""
    q = select(checkins.c.at, checkins.c.pain, checkins.c.findings, checkins.c.urgency).where(
        checkins.c.episode_id == ep.id, checkins.c.at <= when
    )
    if before_id is not None:
        q = q.where(checkins.c.id < before_id)
    earlier = c.execute(q.order_by(checkins.c.at, checkins.c.id)).all()
    reported = [f for r in earlier for f in r.findings] + codes
    a = diary_assessment(
        ep.assessment,
        hours_between(ep.onset_at, when),
        pain,
        [(hours_between(ep.onset_at, r.at), r.pain) for r in earlier],
        reported,
    )
    result = reassess(a, reading_from_dict(ep.reading, current=False))
    return result, earlier[-1].urgency if earlier else ep.urgency


def record_checkin(
    c: Connection,
    ep: Row[Any],
    when: datetime,
    pain: int,
    codes: list[str],
    tried: dict[str, bool | None],
    note: str | None,
    idempotency_key: str | None = None,
) -> CheckinOutcome:
    """Store one checked rating in an open episode (inside the caller's transaction), with any escalation."""
    result, previous = _reassess_at(c, ep, when, pain, codes)
    escalated = URGENCY_RANK[result.urgency] > URGENCY_RANK[previous]
    cid = insert_row(
        c,
        checkins,
        episode_id=ep.id,
        user_id=ep.user_id,
        at=when,
        pain=pain,
        findings=codes,
        tried=tried,
        note=note,
        urgency=result.urgency,
        escalated=escalated,
        result=result_dict(result),
        idempotency_key=idempotency_key,
    )
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
    checkin = CheckIn(
        cid, ep.id, when, hours_between(ep.onset_at, when), pain, tuple(codes), tried, note, result.urgency, escalated
    )
    return CheckinOutcome(checkin, result, escalated, previous)


def _replayed(c: Connection, ep: Row[Any], key: str, asked: dict[str, Any]) -> CheckinOutcome | None:
    """The check-in already stored under this key (the retry of a request whose answer was lost), if any."""
    row = c.execute(select(checkins).where(checkins.c.user_id == ep.user_id, checkins.c.idempotency_key == key)).first()
    if row is None:
        return None
    stored = {"episode_id": row.episode_id, "pain": row.pain, "findings": list(row.findings), "tried": dict(row.tried),
              "note": row.note, "at": row.at}
    if any(stored[k] != value for k, value in asked.items() if not (k == "at" and value is None)):
        raise v.bad("idempotency_key", "was already used for a different check-in")
    result, previous = _reassess_at(c, ep, row.at, row.pain, list(row.findings), before_id=row.id)
    checkin = CheckIn(row.id, ep.id, row.at, hours_between(ep.onset_at, row.at), row.pain, tuple(row.findings),
                      dict(row.tried), row.note, row.urgency, row.escalated)
    return CheckinOutcome(checkin, result, row.escalated, previous, replayed=True)


def check_when(ep: Row[Any], when: datetime, now: datetime, loc: str = "at") -> None:
    """A rating belongs between the episode's start and now, in an open episode."""
    if when > now + v.FUTURE_SLACK:
        raise v.bad(loc, "is in the future")
    if when < ep.started_at:
        raise v.bad(loc, f"{when.isoformat()} is before the episode started ({ep.started_at.isoformat()})")
    if ep.closed_at is not None and when > ep.closed_at:
        raise v.bad(loc, f"{when.isoformat()} is after the episode closed ({ep.closed_at.isoformat()})")


class CheckIns(Part):
    """Adding ratings to an episode, reading them back, and the episode's status now."""

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
    ) -> CheckinOutcome:
        """Store a rating, re-assess the episode with the diary, and record any escalation.

        With an `idempotency_key`, a retry of the same check-in returns the stored
        one instead of adding it twice.
        """
        pain = v.pain(pain)
        codes = v.findings(findings)
        tried_map = v.parse_tried(tried)
        note = v.note(note)
        key = v.idempotency_key(idempotency_key)
        now = v.now()
        when = v.aware(at, "at", now)
        if when > now + v.FUTURE_SLACK:
            raise v.bad("at", "is in the future")
        with self.db.write() as c:
            ep = owned(c, user_id, episode_id, lock=True)  # one check-in per episode at a time
            if key is not None:
                asked = {"episode_id": ep.id, "pain": pain, "findings": codes, "tried": tried_map, "note": note,
                         "at": None if at is None else when}
                found = _replayed(c, ep, key, asked)
                if found is not None:
                    return found
            if ep.closed_at is not None:
                raise v.bad("episode_id", f"episode {episode_id} is closed; start a new one")
            check_when(ep, when, now)
            return record_checkin(c, ep, when, pain, codes, tried_map, note, key)

    def list_checkins(self, user_id: int, episode_id: int) -> list[CheckIn]:
        """An episode's check-ins in time order; BadInput when the episode is not the user's."""
        with self.db.read() as c:
            ep = owned(c, user_id, episode_id)
            return _checkins(c, ep)

    def checkin_result(self, user_id: int, checkin_id: int) -> dict[str, Any] | None:
        """The stored re-assessment of one check-in (None when missing or not the user's)."""
        with self.db.read() as c:
            row = c.execute(
                select(checkins.c.user_id, checkins.c.result).where(checkins.c.id == v.positive_id(checkin_id, "checkin_id"))
            ).first()
            if row is None or row.user_id != v.positive_id(user_id, "user_id"):
                return None
            return dict(row.result)

    def status(self, user_id: int, episode_id: int, now: datetime | None = None) -> Status:
        """Re-assess the episode now with its diary; what changed since the last rating; what is due."""
        now_ = v.aware(now, "now", v.now())
        with self.db.read() as c:
            ep = owned(c, user_id, episode_id)
            diary = _checkins(c, ep)
            if ep.closed_at is not None and now_ > ep.closed_at:
                now_ = ep.closed_at
            if now_ < ep.started_at:
                raise v.bad("now", "is before the episode started")
            if diary and now_ < diary[-1].at:
                if now is not None:
                    raise v.bad("now", "is before the latest check-in")
                now_ = diary[-1].at  # a check-in a moment ahead of this clock
            last_result: dict[str, Any] = ep.result
            if diary:
                last_result = c.scalar(select(checkins.c.result).where(checkins.c.id == diary[-1].id)) or ep.result
            escalations = [
                activity_of(r)
                for r in c.execute(
                    select(activity_log)
                    .where(activity_log.c.episode_id == ep.id, activity_log.c.kind == "escalation")
                    .order_by(activity_log.c.at, activity_log.c.id)
                )
            ]
            episode = episode_of(ep)
            reading_data = ep.reading
        hours_now = hours_between(episode.onset_at, now_)
        if diary:
            last = diary[-1]
            pain_now, last_at = last.pain, last.at
            earlier = [(x.hours_since_onset, x.pain) for x in diary[:-1]]
        else:
            pain_now, last_at, earlier = int(episode.assessment["pain"]), episode.started_at, []
        reported = [f for x in diary for f in x.findings]
        a = diary_assessment(episode.assessment, hours_now, pain_now, earlier, reported)
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
