"""Export and import of one user's diary.

An import is checked whole before anything is added, through the same checks as
live input (codes, ranges, note length, chronology), and then replayed: each
episode is assessed again from its answers and words, each check-in re-assessed
as if it were being entered, so nothing the file claims about urgency is trusted.
A bad file changes nothing; importing the same file twice adds nothing.
Version 2 adds findings reported gone, clinician visits and the zone of each time;
version 1 files still import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError
from sqlalchemy import Connection, func, insert, select, update

from ..codes import URGENCY_LEVELS
from ..contract import Assessment, BadInput, parse_assessment
from . import validation as v
from .accounts import require_user
from .checkins import record_checkin
from .database import Database
from .episodes import episode_values, insert_episode, read_text
from .models import activity_log, checkins, documents, episodes, visits
from .visits import record_visit

EXPORT_FORMAT = "backspasm-export"
EXPORT_VERSION = 2  # 2 adds findings reported gone, clinician visits and the zone of each time; 1 still imports
# Entries the store writes itself as episodes are replayed: never copied from a file.
DERIVED_KINDS = frozenset({"episode_started", "episode_closed", "escalation", "seen"})
ONSET_TOLERANCE = timedelta(seconds=1)

Id = Annotated[StrictInt, Field(ge=1, le=2**62)]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckinIn(_Closed):
    at: AwareDatetime
    pain: Annotated[StrictInt, Field(ge=0, le=10)]
    findings: list[StrictStr] = Field(default_factory=list, max_length=100)
    gone: list[StrictStr] = Field(default_factory=list, max_length=100)
    tried: dict[StrictStr, StrictBool | None] = Field(default_factory=dict)
    note: Annotated[StrictStr, Field(max_length=v.MAX_NOTE)] | None = None
    urgency: StrictStr  # as exported; re-derived on import
    escalated: StrictBool
    result: dict[str, Any]
    zone: Annotated[StrictStr, Field(max_length=64)] | None = None


class VisitIn(_Closed):
    at: AwareDatetime
    note: Annotated[StrictStr, Field(max_length=v.MAX_NOTE)] | None = None
    zone: Annotated[StrictStr, Field(max_length=64)] | None = None


class EpisodeIn(_Closed):
    id: Id
    started_at: AwareDatetime
    onset_at: AwareDatetime
    closed_at: AwareDatetime | None = None
    assessment: dict[str, Any]
    reading: dict[str, Any]  # as exported; re-derived from the words on import
    result: dict[str, Any]
    urgency: StrictStr
    zone: Annotated[StrictStr, Field(max_length=64)] | None = None
    checkins: list[CheckinIn] = Field(default_factory=list)
    visits: list[VisitIn] = Field(default_factory=list)


class ActivityIn(_Closed):
    episode_id: Id | None = None
    at: AwareDatetime
    kind: Annotated[StrictStr, Field(min_length=1, max_length=60)]
    code: Annotated[StrictStr, Field(max_length=100)] | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class DocumentIn(_Closed):
    value: Any
    updated_at: AwareDatetime


class ExportIn(_Closed):
    format: Literal["backspasm-export"]
    version: Literal[1, 2]
    episodes: list[EpisodeIn] = Field(default_factory=list)
    activities: list[ActivityIn] = Field(default_factory=list)
    documents: dict[Annotated[str, Field(min_length=1, max_length=200)], DocumentIn] = Field(default_factory=dict)


def _where(prefix: str, e: BadInput) -> BadInput:
    return BadInput([(f"{prefix}.{loc}" if loc else prefix, msg) for loc, msg in e.errors])


def _within(at: datetime, loc: str, onset: datetime, closed: datetime | None, now: datetime) -> None:
    """An entry's moment: zone-aware, not in the future, not before the spasm began nor after the episode closed."""
    when = v.aware(at, loc)
    if when > now + v.FUTURE_SLACK:
        raise v.bad(loc, "is in the future")
    if when < onset:
        raise v.bad(loc, "is before the spasm began")
    if closed is not None and when > closed:
        raise v.bad(loc, "is after the episode closed")


def _check_episode(i: int, ep: EpisodeIn, now: datetime) -> Assessment:
    """The episode's answers and clocks, checked as live input is; its check-ins likewise."""
    where = f"episodes.{i}"
    try:
        a = parse_assessment(ep.assessment)
    except BadInput as e:
        raise _where(f"{where}.assessment", e) from None
    started = v.aware(ep.started_at, f"{where}.started_at")
    onset = v.aware(ep.onset_at, f"{where}.onset_at")
    if started > now + v.FUTURE_SLACK:
        raise v.bad(f"{where}.started_at", "is in the future")
    if onset > started:
        raise v.bad(f"{where}.onset_at", "is after the episode started")
    try:
        expected = started - timedelta(hours=a.hours_since_onset)
    except OverflowError:
        raise v.bad(f"{where}.started_at", "is out of range") from None
    if abs(onset - expected) > ONSET_TOLERANCE:
        raise v.bad(f"{where}.onset_at", "does not match started_at less the assessment's hours_since_onset")
    if ep.urgency not in URGENCY_LEVELS:
        raise v.bad(f"{where}.urgency", f"unknown urgency {ep.urgency!r}")
    closed = v.aware(ep.closed_at, f"{where}.closed_at") if ep.closed_at is not None else None
    if closed is not None and closed < started:
        raise v.bad(f"{where}.closed_at", "is before the episode started")
    if closed is not None and closed > now + v.FUTURE_SLACK:
        raise v.bad(f"{where}.closed_at", "is in the future")
    for j, c in enumerate(ep.checkins):
        here = f"{where}.checkins.{j}"
        if c.urgency not in URGENCY_LEVELS:
            raise v.bad(f"{here}.urgency", f"unknown urgency {c.urgency!r}")
        _within(c.at, f"{here}.at", onset, closed, now)
        try:
            v.findings(c.findings)
            v.findings(c.gone, "gone")
            v.parse_tried(c.tried)
            v.note(c.note)
            v.zone(c.zone)
        except BadInput as e:
            raise _where(here, e) from None
    for j, visit in enumerate(ep.visits):
        here = f"{where}.visits.{j}"
        _within(visit.at, f"{here}.at", onset, closed, now)
        try:
            v.note(visit.note)
            v.zone(visit.zone)
        except BadInput as e:
            raise _where(here, e) from None
    try:
        v.zone(ep.zone)
    except BadInput as e:
        raise _where(where, e) from None
    return a


def validate_export(data: Any, now: datetime | None = None) -> ExportIn:
    """The checked export, codes, limits and chronology included; BadInput naming the first bad field otherwise."""
    if not isinstance(data, dict):
        raise BadInput([("", "an export must be a JSON object")])
    try:
        doc = ExportIn.model_validate(data)
    except ValidationError as e:
        errs = []
        for err in e.errors(include_url=False)[:20]:
            loc = ".".join(str(p) for p in err["loc"])
            errs.append((loc, err["msg"]))
        raise BadInput(errs) from None
    at = v.aware(now, "now", v.now())
    ids = [ep.id for ep in doc.episodes]
    if len(set(ids)) != len(ids):
        raise v.bad("episodes", "two episodes share an id")
    for i, ep in enumerate(doc.episodes):
        _check_episode(i, ep, at)
    for i, a in enumerate(doc.activities):
        if a.episode_id is not None and a.episode_id not in ids:
            raise v.bad(f"activities.{i}.episode_id", f"no episode {a.episode_id} in this file")
        v.aware(a.at, f"activities.{i}.at")
        v.plain_text(a.kind, f"activities.{i}.kind")
        if a.code is not None:
            v.plain_text(a.code, f"activities.{i}.code")
        v.json_value(a.detail, f"activities.{i}.detail")
    for key, d in doc.documents.items():
        v.plain_text(key, f"documents.{key[:40]}")
        v.json_value(d.value, f"documents.{key[:40]}.value")
    return doc


def export_user(db: Database, user_id: int) -> dict[str, Any]:
    """Everything one user owns, as JSON-ready data (episodes with check-ins, activity, documents)."""
    with db.read() as c:
        require_user(c, user_id)
        out_episodes = []
        for ep in c.execute(
            select(episodes).where(episodes.c.user_id == user_id).order_by(episodes.c.started_at, episodes.c.id)
        ).all():
            rows = c.execute(select(checkins).where(checkins.c.episode_id == ep.id).order_by(checkins.c.at, checkins.c.id))
            seen = c.execute(select(visits).where(visits.c.episode_id == ep.id).order_by(visits.c.at, visits.c.id))
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
                    "zone": ep.zone,
                    "checkins": [
                        {
                            "at": r.at.isoformat(),
                            "zone": r.zone,
                            "pain": r.pain,
                            "findings": list(r.findings),
                            "gone": list(r.gone or ()),
                            "tried": dict(r.tried),
                            "note": r.note,
                            "urgency": r.urgency,
                            "escalated": r.escalated,
                            "result": r.result,
                        }
                        for r in rows
                    ],
                    "visits": [{"at": x.at.isoformat(), "zone": x.zone, "note": x.note} for x in seen],
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


def _activity_key(episode_id: int | None, at: datetime, kind: str, code: str | None, detail: Any) -> tuple[Any, ...]:
    return (episode_id, at, kind, code, json.dumps(detail, sort_keys=True))


def _activity_count(c: Connection, user_id: int) -> int:
    return int(c.scalar(select(func.count()).select_from(activity_log).where(activity_log.c.user_id == user_id)) or 0)


def _replay_episode(c: Connection, user_id: int, ep: EpisodeIn, a: Assessment, prepared: tuple[dict[str, Any], Any]) -> int:
    """Insert one episode as if it were being kept now: assessed, then each check-in and visit in time order, then closed."""
    values, result = prepared
    episode = insert_episode(c, values, result)
    entries: list[tuple[datetime, int, CheckinIn | VisitIn]] = [(v.aware(ci.at, "at"), 0, ci) for ci in ep.checkins]
    entries += [(v.aware(x.at, "at"), 1, x) for x in ep.visits]
    for when, _, item in sorted(entries, key=lambda e: (e[0], e[1])):
        row = c.execute(select(episodes).where(episodes.c.id == episode.id)).one()  # with the course saved so far
        if isinstance(item, CheckinIn):
            record_checkin(c, row, when, item.pain, v.findings(item.findings), v.parse_tried(item.tried), v.note(item.note),
                           gone=v.findings(item.gone, "gone"), zone=v.zone(item.zone))
        else:
            seen = record_visit(c, row, when, v.note(item.note), v.zone(item.zone))
            c.execute(insert(activity_log).values(user_id=user_id, episode_id=episode.id, at=when, kind="seen", code=None,
                                                  detail={"visit_id": seen.visit.id, "released": list(seen.released)}))
    if ep.closed_at is not None:
        closed = v.aware(ep.closed_at, "closed_at")
        c.execute(update(episodes).where(episodes.c.id == episode.id).values(closed_at=closed))
        c.execute(insert(activity_log).values(user_id=user_id, episode_id=episode.id, at=closed, kind="episode_closed",
                                              code=None, detail={}))
    return episode.id


def import_user(db: Database, user_id: int, data: Any) -> dict[str, int]:
    """Add an export's episodes, check-ins, activity and documents to a user, all or nothing.

    Episodes already present (same start and onset) are skipped, and activity
    already present is not added again, so importing the same file twice adds
    nothing. Returns counts of what was added.
    """
    doc = validate_export(data)
    # Reading the words is the slow part: done before the write transaction opens.
    prepared = {}
    for ep in doc.episodes:
        a = parse_assessment(ep.assessment)
        prepared[ep.id] = (a, episode_values(user_id, a, v.aware(ep.started_at, "started_at"), read_text(a.text),
                                             v.zone(ep.zone)))
    added = {"episodes": 0, "checkins": 0, "visits": 0, "activities": 0, "documents": 0, "skipped_episodes": 0}
    with db.write() as c:
        require_user(c, user_id)
        before = _activity_count(c, user_id)
        existing = {
            (r.started_at, r.onset_at): r.id
            for r in c.execute(select(episodes.c.id, episodes.c.started_at, episodes.c.onset_at)
                               .where(episodes.c.user_id == user_id))
        }
        id_map: dict[int, int] = {}
        for ep in doc.episodes:
            a, values = prepared[ep.id]
            found = existing.get((values[0]["started_at"], values[0]["onset_at"]))
            if found is not None:
                id_map[ep.id] = found
                added["skipped_episodes"] += 1
                continue
            id_map[ep.id] = _replay_episode(c, user_id, ep, a, values)
            added["episodes"] += 1
            added["checkins"] += len(ep.checkins)
            added["visits"] += len(ep.visits)
        have = {
            _activity_key(r.episode_id, r.at, r.kind, r.code, r.detail)
            for r in c.execute(select(activity_log).where(activity_log.c.user_id == user_id))
        }
        for act in doc.activities:
            if act.kind in DERIVED_KINDS:
                continue  # written by the replay itself
            eid = id_map[act.episode_id] if act.episode_id is not None else None
            at = v.aware(act.at, "at")
            key = _activity_key(eid, at, act.kind, act.code, act.detail)
            if key in have:
                continue
            have.add(key)
            c.execute(insert(activity_log).values(user_id=user_id, episode_id=eid, at=at, kind=act.kind, code=act.code,
                                                  detail=act.detail))
        added["activities"] = _activity_count(c, user_id) - before
        for key_, d in doc.documents.items():
            current = c.execute(
                select(documents.c.id, documents.c.updated_at).where(documents.c.user_id == user_id, documents.c.key == key_)
            ).first()
            updated = v.aware(d.updated_at, "updated_at")
            if current is None:
                c.execute(insert(documents).values(user_id=user_id, key=key_, value=d.value, updated_at=updated))
                added["documents"] += 1
            elif updated > current.updated_at:
                c.execute(update(documents).where(documents.c.id == current.id).values(value=d.value, updated_at=updated))
                added["documents"] += 1
    return added


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would add: each new episode (when it began, how many check-ins), and what is already there."""

    episodes: tuple[dict[str, Any], ...]
    skipped_episodes: int
    checkins: int
    visits: int
    activities: int
    documents: int

    def as_dict(self) -> dict[str, Any]:
        return {"episodes": list(self.episodes), "skipped_episodes": self.skipped_episodes, "checkins": self.checkins,
                "visits": self.visits, "activities": self.activities, "documents": self.documents}


def preview_import(db: Database, user_id: int, data: Any) -> ImportPreview:
    """What importing `data` would add, after checking it whole exactly as the import does; nothing is written."""
    doc = validate_export(data)
    with db.read() as c:
        require_user(c, user_id)
        existing = {
            (r.started_at, r.onset_at)
            for r in c.execute(select(episodes.c.started_at, episodes.c.onset_at).where(episodes.c.user_id == user_id))
        }
        new = [ep for ep in doc.episodes if (v.aware(ep.started_at, "started_at"), v.aware(ep.onset_at, "onset_at"))
               not in existing]
        ids = {ep.id for ep in new}
        acts = [a for a in doc.activities if a.kind not in DERIVED_KINDS and (a.episode_id is None or a.episode_id in ids)]
        docs = 0
        for key, d in doc.documents.items():
            current = c.scalar(select(documents.c.updated_at).where(documents.c.user_id == user_id, documents.c.key == key))
            docs += current is None or v.aware(d.updated_at, "updated_at") > current
    return ImportPreview(
        episodes=tuple({"onset_at": ep.onset_at, "started_at": ep.started_at, "checkins": len(ep.checkins),
                        "urgency": ep.urgency, "closed": ep.closed_at is not None} for ep in new),
        skipped_episodes=len(doc.episodes) - len(new),
        checkins=sum(len(ep.checkins) for ep in new),
        visits=sum(len(ep.visits) for ep in new),
        activities=len(acts),
        documents=docs,
    )
