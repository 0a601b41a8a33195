"""An episode's course read back from the episode, or rebuilt by replaying its entries in time order.

The course is stored after every write, so the usual check-in (the newest entry) folds one
rating into it. An entry dated before the newest one, an imported episode, or one written
before courses were stored, is replayed from the start: every entry is re-assessed in
order, and the check-ins after the new entry get the urgency they now had at their moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..codes import URGENCY_RANK
from ..result import Result
from . import course as cs
from .trends import hours_between, reassess, result_dict

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row


def result_at(course: cs.Course, ep: Any, hours: float, locale: str | None = None) -> Result:
    """The engine's answer for the episode's state at `hours` since onset (worded in `locale`, else the episode's)."""
    return reassess(cs.assessment(course, ep.assessment, hours, locale), cs.reading_now(course, ep.reading))


def started(ep: Any) -> cs.Course:
    """The course right after the first rating, as the episode opens."""
    course = cs.first_rating(cs.begin(ep.assessment, ep.reading), ep.assessment, ep.reading, ep.started_at)
    return replace(course, urgency=ep.urgency)


@dataclass(frozen=True, slots=True)
class Entry:
    """One moment of the episode: the first rating, a check-in, or a clinician's visit."""

    kind: int  # 0 first rating, 1 check-in, 2 visit (the order among entries made at the same moment)
    at: datetime
    id: int
    pain: int = 0
    findings: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()


def entries(c: Connection, ep: Row[Any]) -> list[Entry]:
    """Every entry of the episode in the order it happened."""
    from sqlalchemy import select

    from .models import checkins, visits

    found = [Entry(0, ep.started_at, 0)]
    found += [
        Entry(1, r.at, r.id, r.pain, tuple(r.findings), tuple(r.gone or ()))
        for r in c.execute(
            select(checkins.c.id, checkins.c.at, checkins.c.pain, checkins.c.findings, checkins.c.gone).where(
                checkins.c.episode_id == ep.id
            )
        )
    ]
    found += [Entry(2, r.at, r.id) for r in c.execute(select(visits.c.id, visits.c.at).where(visits.c.episode_id == ep.id))]
    return sorted(found, key=lambda e: (e.at, e.kind, e.id))


def fold(ep: Row[Any], items: list[Entry]) -> Iterator[tuple[Entry, cs.Course, Result | None, str]]:
    """Each entry with the course after it, its re-assessment (None for the first rating) and the urgency before it."""
    course = cs.begin(ep.assessment, ep.reading)
    before = "self_care"
    for e in items:
        hours = hours_between(ep.onset_at, e.at)
        result: Result | None
        if e.kind == 0:
            course = cs.first_rating(course, ep.assessment, ep.reading, e.at)
            result = None
            urgency = result_at(course, ep, hours).urgency if course.prior else ep.urgency
        elif e.kind == 1:
            cs.check_gone(course, e.findings, e.gone)
            course = cs.with_rating(course, e.at, hours, e.pain, e.findings, e.gone)
            result = result_at(course, ep, hours)
            urgency = result.urgency
        else:
            course = cs.with_visit(course, e.at, hours)
            result = None
            urgency = result_at(course, ep, hours).urgency if course.last else before
        course = replace(course, urgency=urgency)
        yield e, course, result, before
        before = urgency


def rebuild(c: Connection, ep: Row[Any], rewrite_from: datetime | None = None) -> cs.Course:
    """Replay the episode; from `rewrite_from` on, store each check-in's urgency as it now was. Saves the course."""
    from sqlalchemy import update

    from .models import checkins

    course = started(ep)
    for e, after, result, before in fold(ep, entries(c, ep)):
        course = after
        if rewrite_from is not None and e.kind == 1 and e.at >= rewrite_from and result is not None:
            c.execute(
                update(checkins)
                .where(checkins.c.id == e.id)
                .values(
                    urgency=result.urgency,
                    escalated=URGENCY_RANK[result.urgency] > URGENCY_RANK[before],
                    result=result_dict(result),
                )
            )
    save(c, ep.id, course)
    return course


def stored(ep: Any) -> cs.Course | None:
    """The course stored with the episode, if one is."""
    return cs.Course.from_dict(ep.course) if ep.course else None


def load(c: Connection, ep: Row[Any]) -> cs.Course:
    """The stored course, or the replayed one when none is stored yet (not saved: a read never writes)."""
    found = stored(ep)
    if found is not None:
        return found
    course = started(ep)
    for _e, after, _r, _b in fold(ep, entries(c, ep)):
        course = after
    return course


def save(c: Connection, episode_id: int, course: cs.Course) -> None:
    from sqlalchemy import update

    from .models import episodes

    c.execute(update(episodes).where(episodes.c.id == episode_id).values(course=course.as_dict()))
