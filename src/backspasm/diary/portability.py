"""The export file's schema: checked whole before anything is imported, so a bad file changes nothing."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..codes import URGENCY_LEVELS
from ..contract import BadInput, parse_assessment


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
    from .store import _findings, parse_tried

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
                _findings(c.findings)
                parse_tried(c.tried)
            except BadInput as e:
                raise BadInput([(f"{where}.{loc}", msg) for loc, msg in e.errors]) from None
    return doc

