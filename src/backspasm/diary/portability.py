"""Export and import of one user's diary: the file's schema, checked whole before anything is added.

A bad file changes nothing; importing the same file twice adds nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import insert, select, update

from ..codes import URGENCY_LEVELS
from ..contract import BadInput, parse_assessment
from . import validation as v
from .accounts import require_user
from .database import Database, insert_row
from .models import activity_log, checkins, documents, episodes

EXPORT_FORMAT = "backspasm-export"
EXPORT_VERSION = 1


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckinIn(_Closed):
    at: AwareDatetime
    pain: int = Field(ge=0, le=10)
    findings: list[str] = Field(default_factory=list)
    tried: dict[str, bool | None] = Field(default_factory=dict)
    note: str | None = None
    urgency: str
    escalated: bool
    result: dict[str, Any]


class EpisodeIn(_Closed):
    id: int
    started_at: AwareDatetime
    onset_at: AwareDatetime
    closed_at: AwareDatetime | None = None
    assessment: dict[str, Any]
    reading: dict[str, Any]
    result: dict[str, Any]
    urgency: str
    checkins: list[CheckinIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> EpisodeIn:
        parse_assessment(self.assessment)  # raises BadInput on a tampered assessment
        for i, c in enumerate(self.checkins):
            if c.at < self.started_at:
                raise ValueError(f"checkins[{i}].at is before the episode started")
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
    version: Literal[1]
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
        for j, c in enumerate(ep.checkins):
            where = f"episodes.{i}.checkins.{j}"
            if c.urgency not in URGENCY_LEVELS:
                raise BadInput([(f"{where}.urgency", f"unknown urgency {c.urgency!r}")])
            try:
                v.findings(c.findings)
                v.parse_tried(c.tried)
            except BadInput as e:
                raise BadInput([(f"{where}.{loc}", msg) for loc, msg in e.errors]) from None
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
                    "checkins": [
                        {
                            "at": r.at.isoformat(),
                            "pain": r.pain,
                            "findings": list(r.findings),
                            "tried": dict(r.tried),
                            "note": r.note,
                            "urgency": r.urgency,
                            "escalated": r.escalated,
                            "result": r.result,
                        }
                        for r in rows
                    ],
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


def import_user(db: Database, user_id: int, data: Any) -> dict[str, int]:
    """Add an export's episodes, check-ins, activity and documents to a user, all or nothing.

    Episodes already present (same start and onset) are skipped, so importing
    the same file twice adds nothing. Returns counts of what was added.
    """
    doc = validate_export(data)
    added = {"episodes": 0, "checkins": 0, "activities": 0, "documents": 0, "skipped_episodes": 0}
    with db.write() as c:
        require_user(c, user_id)
        existing = {
            (r.started_at, r.onset_at)
            for r in c.execute(select(episodes.c.started_at, episodes.c.onset_at).where(episodes.c.user_id == user_id))
        }
        id_map: dict[int, int] = {}
        for ep in doc.episodes:
            if (ep.started_at, ep.onset_at) in existing:
                added["skipped_episodes"] += 1
                continue
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
            )
            id_map[ep.id] = eid
            added["episodes"] += 1
            for ci in ep.checkins:
                c.execute(
                    insert(checkins).values(
                        episode_id=eid,
                        user_id=user_id,
                        at=ci.at,
                        pain=ci.pain,
                        findings=list(ci.findings),
                        tried=dict(ci.tried),
                        note=ci.note,
                        urgency=ci.urgency,
                        escalated=ci.escalated,
                        result=ci.result,
                    )
                )
                added["checkins"] += 1
        for a in doc.activities:
            if a.episode_id is not None and a.episode_id not in id_map:
                continue  # belongs to a skipped (already present) episode
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
        for key, d in doc.documents.items():
            current = c.execute(
                select(documents.c.id, documents.c.updated_at).where(documents.c.user_id == user_id, documents.c.key == key)
            ).first()
            if current is None:
                c.execute(insert(documents).values(user_id=user_id, key=key, value=d.value, updated_at=d.updated_at))
                added["documents"] += 1
            elif d.updated_at > current.updated_at:
                c.execute(update(documents).where(documents.c.id == current.id).values(value=d.value, updated_at=d.updated_at))
                added["documents"] += 1
    return added
