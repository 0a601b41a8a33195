"""An episode now: re-assessed from its course, what changed since the last rating, what is due, the trend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..result import Result
from . import reminders as rem
from . import replay
from . import validation as v
from .activity import Activity, activity_of
from .checkins import CheckIn, checkins_of
from .course import Course
from .database import Part
from .episodes import Episode, episode_of, owned
from .trends import hours_between, sparkline
from .visits import SEEN_ADVICE, Visit, visits_of


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
    visits: tuple[Visit, ...] = field(default=())
    course: Course | None = None

    @property
    def present(self) -> dict[str, float]:
        """Reported findings that count now, with the hour since onset each has counted from."""
        return dict(self.course.present) if self.course else {}

    @property
    def held(self) -> tuple[str, ...]:
        """Emergency findings reported gone that still count until a clinician's visit is recorded."""
        return tuple(sorted(self.course.held)) if self.course else ()

    @property
    def gone(self) -> tuple[str, ...]:
        return tuple(sorted(c for c in self.course.gone if c not in self.course.held)) if self.course else ()

    @property
    def advice(self) -> str | None:
        """What the diary adds to the plan: after a clinician's visit, their advice comes first."""
        return SEEN_ADVICE if self.visits else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "episode": {k: v for k, v in self.episode.as_dict().items() if k != "result"},
            "now": self.now.isoformat(),
            "hours_since_onset": round(self.hours_since_onset, 3),
            "urgency": self.result.urgency,
            "result": self.result.as_dict(),
            "findings_now": sorted(self.present),
            "held_until_seen": list(self.held),
            "gone": list(self.gone),
            "advice": self.advice,
            "changes": [c.as_dict() for c in self.changes],
            "next_due": [r.as_dict() for r in self.next_due],
            "pain_trend": [c.pain for c in self.checkins],
            "sparkline": self.sparkline,
            "checkins": [c.as_dict() for c in self.checkins],
            "visits": [x.as_dict() for x in self.visits],
            "escalations": [a.as_dict() for a in self.escalations],
        }


@dataclass(frozen=True, slots=True)
class EpisodeRows:
    """What an episode's status is computed from, however it was read."""

    episode: Any  # the episode's row: attributes named as its columns
    course: Course
    checkins: list[CheckIn]
    visits: list[Visit]
    escalations: list[Activity]
    last_result: dict[str, Any] | None  # the stored re-assessment of the latest check-in


def status_of(rows: EpisodeRows, now: datetime | None, locale: str | None = None) -> Status:
    """Re-assess the episode at `now` (default: the clock) from its course, worded in `locale` (else the
    episode's own); what changed; what is due."""
    ep, diary = rows.episode, rows.checkins
    now_ = v.aware(now, "now", v.now())
    if ep.closed_at is not None and now_ > ep.closed_at:
        now_ = ep.closed_at
    if now_ < ep.onset_at:
        raise v.bad("now", "is before the spasm began")
    latest = max(ep.started_at, diary[-1].at if diary else ep.started_at)
    if now_ < latest:
        if now is not None:
            raise v.bad("now", "is before the latest check-in")
        now_ = latest  # a check-in a moment ahead of this clock
    episode = episode_of(ep)
    hours_now = hours_between(ep.onset_at, now_)
    result = replay.result_at(rows.course, ep, hours_now, locale)
    last_at = diary[-1].at if diary and diary[-1].at >= ep.started_at else ep.started_at
    hours_before = hours_between(episode.onset_at, last_at)
    ratings = sorted([(ep.started_at, int(episode.assessment["pain"])), *((x.at, x.pain) for x in diary)])
    return Status(
        episode=episode,
        now=now_,
        hours_since_onset=hours_now,
        result=result,
        checkins=tuple(diary),
        changes=tuple(rem.changes(rows.last_result or ep.result, result, hours_before, hours_now)),
        next_due=tuple(rem.next_due(episode.onset_at, result, last_at, now_, not episode.is_open)),
        sparkline=sparkline([p for _, p in ratings]),
        escalations=tuple(rows.escalations),
        visits=tuple(rows.visits),
        course=rows.course,
    )


class Statuses(Part):
    """The episode's status now."""

    def status(
        self, user_id: int, episode_id: int, now: datetime | None = None, locale: str | None = None
    ) -> Status:
        """Re-assess the episode now from its course (worded in `locale`, else the episode's own); what changed
        since the last rating; what is due."""
        from sqlalchemy import select

        from .models import activity_log, checkins

        v.aware(now, "now", v.now())
        with self.db.read() as c:
            ep = owned(c, user_id, episode_id)
            diary = checkins_of(c, ep)
            last = c.scalar(select(checkins.c.result).where(checkins.c.id == diary[-1].id)) if diary else None
            escalations = [
                activity_of(r)
                for r in c.execute(
                    select(activity_log)
                    .where(activity_log.c.episode_id == ep.id, activity_log.c.kind == "escalation")
                    .order_by(activity_log.c.at, activity_log.c.id)
                )
            ]
            rows = EpisodeRows(ep, replay.load(c, ep), diary, visits_of(c, ep), escalations, last)
        return status_of(rows, now, locale)
