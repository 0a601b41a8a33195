"""The closed schema of the knowledge files: unknown keys and codes fail at load."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..codes import (
    ConditionCode,
    FindingCode,
    PlanCode,
    PreventionCode,
    ProfessionalCode,
    SourceRef,
    UrgencyCode,
)


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Closed):
    """Where a rule comes from: a PATHWAY.md reference, with an optional pointer."""

    ref: SourceRef
    note: str | None = None


class When(_Closed):
    """All parts must hold. A small closed vocabulary: no expressions, no strings evaluated."""

    urgency_in: tuple[UrgencyCode, ...] | None = None
    hours_since_onset_at_least: float | None = Field(default=None, ge=0)
    hours_since_onset_below: float | None = Field(default=None, ge=0)
    findings_any: tuple[FindingCode, ...] | None = None
    findings_none: tuple[FindingCode, ...] | None = None

    def describe(self) -> str:
        """The condition in words, for `backspasm knowledge`."""
        parts = []
        if self.urgency_in is not None:
            parts.append("urgency is " + " or ".join(self.urgency_in))
        if self.hours_since_onset_at_least is not None:
            parts.append(f"{self.hours_since_onset_at_least:g} h or more since onset")
        if self.hours_since_onset_below is not None:
            parts.append(f"under {self.hours_since_onset_below:g} h since onset")
        if self.findings_any:
            parts.append("any of " + ", ".join(self.findings_any))
        if self.findings_none:
            parts.append("none of " + ", ".join(self.findings_none))
        return "; ".join(parts) or "always"


class AvoidWhen(_Closed):
    """A pain reliever becomes avoid (do not take unless a doctor prescribes it) with any listed condition."""

    conditions_any: tuple[ConditionCode, ...]
    text: str


class AskFirstWhen(_Closed):
    """A pain reliever becomes ask_first when any listed condition is present, or at the age."""

    conditions_any: tuple[ConditionCode, ...] = ()
    age_at_least: int | None = Field(default=None, ge=0, le=120)
    age_text: str | None = None
    text: str | None = None  # the item's text when it is ask_first: it leads with the caution

    @model_validator(mode="after")
    def _age_needs_text(self) -> AskFirstWhen:
        if (self.age_at_least is None) != (self.age_text is None):
            raise ValueError("age_at_least and age_text go together")
        return self


class Source(_Closed):
    """A record a clinician can find and check: what it is, who published it, where, which version."""

    ref: SourceRef
    kind: Literal["article", "guideline", "label", "study"]
    title: str
    publisher: str
    url: str | None = None
    read: str = Field(description="the date or version read")
    section: str | None = None
    superseded_by: SourceRef | None = None  # an earlier name, kept so stored results still resolve

    @property
    def name(self) -> str:
        """What people see: the title, with the section for an article (whose refs name sections)."""
        return f"{self.title}: {self.section}" if self.kind == "article" and self.section else self.title

    def citation(self) -> str:
        """One line: title, section, publisher, version."""
        parts = [self.title + (f": {self.section}" if self.section else ""), self.publisher, self.read]
        return ". ".join(p.rstrip(".") for p in parts if p) + "."


class Level(_Closed):
    code: UrgencyCode
    label: str
    headline: str
    colour: Literal["green", "yellow", "orange", "red"]
    summary: str
    watch_heading: str | None = None  # how a safety-net group at this level opens ("Call 911 now if:")


class Followup(_Closed):
    """The one concrete question asked when a person is not sure about a sign, and which answer means it is there."""

    question: str
    present_if: Literal["yes", "no"]
    source: Citation


class Finding(_Closed):
    code: FindingCode
    level: Literal["soon", "urgent", "emergency"]
    kind: Literal["asked", "derived", "both"]
    label: str
    question: str
    text: str
    watch: str = Field(description="the safety-net clause: what to look out for, after 'if'")
    arises_during_episode: bool = Field(default=True, description="False keeps the code out of the safety net")
    source: Citation
    persistent_from_hour: float | None = Field(
        default=None, gt=0, description="before this hour the finding counts but sets self_care"
    )
    deviation: str | None = Field(default=None, description="where this rule departs from its named source, and why")
    unsure: Followup | None = Field(
        default=None, description="the follow-up asked when the person answers 'not sure'; still unsure counts as present"
    )

    def level_at(self, hours: float) -> str:
        """The level this finding sets at `hours` since onset."""
        if self.persistent_from_hour is not None and hours < self.persistent_from_hour:
            return "self_care"
        return self.level


class Condition(_Closed):
    code: ConditionCode
    label: str
    question: str
    caution: str
    source: Citation


class PlanRule(_Closed):
    code: PlanCode
    title: str
    text: str
    source: Citation
    when: When
    ask_first_when: AskFirstWhen | None = None
    avoid_when: AvoidWhen | None = None


class ProfessionalRule(_Closed):
    code: ProfessionalCode
    title: str
    text: str
    source: Citation
    when: When


class PreventionRule(_Closed):
    code: PreventionCode
    title: str
    text: str
    source: Citation
    when: When


class ScheduleRule(_Closed):
    at_hour: float = Field(ge=0)
    text: str
    source: Citation
    when: When


class Disclaimer(_Closed):
    text: str
