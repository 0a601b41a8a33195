"""Export and import of one user's diary: the file's schema, checked whole before anything is added.

A bad file changes nothing; importing the same file twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import Connection, insert, select, update

from ..codes import URGENCY_LEVELS
from ..contract import BadInput, parse_assessment
from . import validation as v
from .accounts import require_user
from .database import Database, insert_row
from .models import activity_log, checkins, documents, episodes, visits
from .replay import rebuild

EXPORT_FORMAT = "backspasm-export"
EXPORT_VERSION = 2  # 2 adds findings reported gone, clinician visits and the zone of each time; 1 still imports


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckinIn(_Closed):
    at: AwareDatetime
    pain: int = Field(ge=0, le=10)
    findings: list[str] = Field(default_factory=list)
    gone: list[str] = Field(default_factory=list)
    tried: dict[str, bool | None] = Field(default_factory=dict)
    note: str | None = None
    urgency: str
    escalated: bool
    result: dict[str, Any]
    zone: str | None = Field(default=None, max_length=64)


class VisitIn(_Closed):
    at: AwareDatetime
    note: str | None = None
    zone: str | None = Field(default=None, max_length=64)


class EpisodeIn(_Closed):
    id: int
    started_at: AwareDatetime
    onset_at: AwareDatetime
    closed_at: AwareDatetime | None = None
    assessment: dict[str, Any]
    reading: dict[str, Any]
    result: dict[str, Any]
    urgency: str
    zone: str | None = Field(default=None, max_length=64)
    checkins: list[CheckinIn] = Field(default_factory=list)
    visits: list[VisitIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> EpisodeIn:
        parse_assessment(self.assessment)  # raises BadInput on a tampered assessment
        moments = [("checkins", i, c.at) for i, c in enumerate(self.checkins)]
        moments += [("visits", i, x.at) for i, x in enumerate(self.visits)]
        for what, i, at in moments:
            if at < self.onset_at:
                raise ValueError(f"{what}[{i}].at is before the spasm began")
        return self


class ActivityIn(_Closed):
    episode_id: int | None = None
    at: AwareDatetime
    kind: str = Field(min_length=1, max_length=60)
    code: str | None = Field(default=None, max_length=100)
    detail: dict[str, Any] = Field(default_factory=dict)


class DocumentIn(_Closed):
    value: Any
    updated_at: AwareDatetime


class ExportIn(_Closed):
    format: Literal["backspasm-export"]
    version: Literal[1, 2]
    episodes: list[EpisodeIn] = Field(default_factory=list)
    activities: list[ActivityIn] = Field(default_factory=list)
    documents: dict[str, DocumentIn] = Field(default_factory=dict)


def validate_export(data: Any) -> ExportIn:
    """The checked export, codes included; BadInput naming the first bad field otherwise."""
    if not isinstance(data, dict):
        raise BadInput([("", "an export must be a JSON object")])
    try:
        doc = ExportIn.model_validate(data)
    except ValidationError as e:
        errs = []
        for err in e.errors(include_url=False):
            loc = ".".join(str(p) for p in err["loc"])
            errs.append((loc, err["msg"]))
        raise BadInput(errs) from None
    for i, ep in enumerate(doc.episodes):
        for field in ("urgency",):
            if getattr(ep, field) not in URGENCY_LEVELS:
                raise BadInput([(f"episodes.{i}.{field}", f"unknown urgency {getattr(ep, field)!r}")])
        _check(f"episodes.{i}", lambda ep=ep: v.zone(ep.zone))
        for j, c in enumerate(ep.checkins):
            where = f"episodes.{i}.checkins.{j}"
            if c.urgency not in URGENCY_LEVELS:
                raise BadInput([(f"{where}.urgency", f"unknown urgency {c.urgency!r}")])
            _check(where, lambda c=c: (v.findings(c.findings), v.findings(c.gone, "gone"), v.parse_tried(c.tried),
                                       v.zone(c.zone)))
        for j, visit in enumerate(ep.visits):
            _check(f"episodes.{i}.visits.{j}", lambda visit=visit: v.zone(visit.zone))
    return doc


def _check(where: str, run: Any) -> None:
    """Run one item's checks, naming the item in any BadInput."""
    try:
        run()
    except BadInput as e:
        raise BadInput([(f"{where}.{loc}", msg) for loc, msg in e.errors]) from None



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


def _plan(c: Connection, user_id: int, doc: ExportIn) -> tuple[list[EpisodeIn], list[ActivityIn], dict[str, DocumentIn], int]:
    """The episodes, activity and documents an import adds (episodes already present, by start and onset, are skipped)."""
    require_user(c, user_id)
    existing = {
        (r.started_at, r.onset_at)
        for r in c.execute(select(episodes.c.started_at, episodes.c.onset_at).where(episodes.c.user_id == user_id))
    }
    new = [ep for ep in doc.episodes if (ep.started_at, ep.onset_at) not in existing]
    ids = {ep.id for ep in new}
    acts = [a for a in doc.activities if a.episode_id is None or a.episode_id in ids]
    docs: dict[str, DocumentIn] = {}
    for key, d in doc.documents.items():
        current = c.scalar(select(documents.c.updated_at).where(documents.c.user_id == user_id, documents.c.key == key))
        if current is None or d.updated_at > current:
            docs[key] = d
    return new, acts, docs, len(doc.episodes) - len(new)


def preview_import(db: Database, user_id: int, data: Any) -> ImportPreview:
    """What importing `data` would add, after checking it whole; nothing is written."""
    doc = validate_export(data)
    with db.read() as c:
        new, acts, docs, skipped = _plan(c, user_id, doc)
    return ImportPreview(
        episodes=tuple({"onset_at": ep.onset_at, "started_at": ep.started_at, "checkins": len(ep.checkins),
                        "urgency": ep.urgency, "closed": ep.closed_at is not None} for ep in new),
        skipped_episodes=skipped,
        checkins=sum(len(ep.checkins) for ep in new),
        visits=sum(len(ep.visits) for ep in new),
        activities=len(acts),
        documents=len(docs),
    )


def import_user(db: Database, user_id: int, data: Any) -> dict[str, int]:
    """Add an export's episodes, check-ins, visits, activity and documents to a user, all or nothing.

    Episodes already present (same start and onset) are skipped, so importing
    the same file twice adds nothing. Returns counts of what was added.
    """
    doc = validate_export(data)
    with db.write() as c:
        new, acts, docs, skipped = _plan(c, user_id, doc)
        added = {"episodes": 0, "checkins": 0, "visits": 0, "activities": 0, "documents": 0, "skipped_episodes": skipped}
        id_map: dict[int, int] = {}
        for ep in new:
            eid = insert_row(
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
                zone=ep.zone,
                course=None,  # set by the replay below, once the entries are in
            )
            id_map[ep.id] = eid
            added["episodes"] += 1
            for ci in ep.checkins:
                c.execute(
                    insert(checkins).values(
                        episode_id=eid,
                        user_id=user_id,
                        at=ci.at,
                        zone=ci.zone,
                        pain=ci.pain,
                        findings=list(ci.findings),
                        gone=list(ci.gone),
                        tried=dict(ci.tried),
                        note=ci.note,
                        urgency=ci.urgency,
                        escalated=ci.escalated,
                        result=ci.result,
                    )
                )
                added["checkins"] += 1
            for visit in ep.visits:
                c.execute(insert(visits).values(episode_id=eid, user_id=user_id, at=visit.at, zone=visit.zone,
                                                note=visit.note))
                added["visits"] += 1
            row = c.execute(select(episodes).where(episodes.c.id == eid)).one()
            rebuild(c, row)  # replays the entries: a gone finding that was never present is refused here
        for a in acts:
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
        for key, d in docs.items():
            current = c.scalar(select(documents.c.id).where(documents.c.user_id == user_id, documents.c.key == key))
            if current is None:
                c.execute(insert(documents).values(user_id=user_id, key=key, value=d.value, updated_at=d.updated_at))
            else:
                c.execute(update(documents).where(documents.c.id == current).values(value=d.value, updated_at=d.updated_at))
            added["documents"] += 1
    return added
