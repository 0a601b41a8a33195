"""The closed schema of the prevention data: exercises, checklists and program settings.

Unknown keys and codes fail at load, like the rest of the knowledge base, so a
typo in the data can never quietly drop a stop sign or a source.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..knowledge.schema import Citation

ExerciseKind = Literal["stretch", "core", "low_impact"]
ActivityLevel = Literal["inactive", "some", "active", "very_active"]
LimitCode = Literal["wrist_or_shoulder_pain", "knee_pain", "neck_pain"]
LIMIT_CODES: tuple[str, ...] = ("wrist_or_shoulder_pain", "knee_pain", "neck_pain")


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dose(_Closed):
    """How much of an exercise: sets of reps or of holds, or minutes of activity."""

    sets: int | None = Field(default=None, ge=1, le=5)
    reps: int | None = Field(default=None, ge=1, le=30)
    hold_seconds: int | None = Field(default=None, ge=5, le=120)
    minutes: int | None = Field(default=None, ge=5, le=60)

    @model_validator(mode="after")
    def _one_shape(self) -> Dose:
        if self.minutes is not None:
            if self.sets or self.reps or self.hold_seconds:
                raise ValueError("a dose in minutes has no sets, reps or hold_seconds")
        elif self.sets is None or (self.reps is None and self.hold_seconds is None):
            raise ValueError("a dose needs sets with reps and/or hold_seconds, or minutes")
        return self

    def describe(self) -> str:
        """The dose in words, e.g. '3 x 8 reps, hold 5 s' or '20 min'."""
        if self.minutes is not None:
            return f"{self.minutes} min"
        parts = [f"{self.sets} x {self.reps} reps" if self.reps else f"{self.sets} x"]
        if self.hold_seconds:
            parts.append(f"hold {self.hold_seconds} s")
        return ", ".join(parts) if self.reps else f"{self.sets} x hold {self.hold_seconds} s"


class Exercise(_Closed):
    """One exercise or activity of the library, with its picture and source."""

    code: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str
    kind: ExerciseKind
    purpose: str
    steps: tuple[str, ...] = Field(min_length=2)
    dose: Dose
    dose_week6: Dose | None = None
    easier: str
    harder: str
    stop_if: tuple[str, ...] = Field(min_length=1)
    unsuitable_with: tuple[LimitCode, ...] = ()
    figure: str = Field(pattern=r"^[a-z_]+\.svg$")
    figure_alt: str
    source: Citation

    @model_validator(mode="after")
    def _dose_fits_kind(self) -> Exercise:
        if (self.kind == "low_impact") != (self.dose.minutes is not None):
            raise ValueError("low_impact activities are dosed in minutes, the others in sets")
        if self.dose_week6 is not None:
            a, b = self.dose, self.dose_week6
            pairs = [(a.sets, b.sets), (a.reps, b.reps), (a.hold_seconds, b.hold_seconds), (a.minutes, b.minutes)]
            for start, end in pairs:
                if (start is None) != (end is None) or (start is not None and end is not None and end < start):
                    raise ValueError("dose_week6 must have the same shape as dose and be no smaller")
        return self


class StopSign(_Closed):
    """A symptom that ends any exercise session and sends the person to a doctor."""

    text: str
    source: Citation


class Limit(_Closed):
    """Something that rules out some exercises; the program leaves them out and says so."""

    code: LimitCode
    label: str
    advice: str
    source: Citation


class Library(_Closed):
    """The whole of exercises.yaml."""

    stop_signs: tuple[StopSign, ...] = Field(min_length=1)
    limits: tuple[Limit, ...]
    exercises: list[object]


class ChecklistItem(_Closed):
    """A yes/no self-check where 'yes' is the healthy answer; `fix` says what to change on 'no'."""

    code: str = Field(pattern=r"^[a-z][a-z_]*$")
    question: str
    fix: str
    source: Citation


class Checklist(_Closed):
    code: Literal["workspace", "lifting"]
    title: str
    intro: str
    items: tuple[ChecklistItem, ...] = Field(min_length=3)
    source: Citation

    @model_validator(mode="after")
    def _unique_items(self) -> Checklist:
        codes = [i.code for i in self.items]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"item codes used twice: {', '.join(dupes)}")
        return self


class LevelStart(_Closed):
    code: ActivityLevel
    label: str
    start_minutes: int = Field(ge=0, le=300)


class Tip(_Closed):
    """Advice added to a program when an answer calls for it."""

    code: str
    when: Literal["always", "sitting_hours_at_least", "lifting_at_work"]
    text: str
    source: Citation


class ProgramSettings(_Closed):
    """The numbers of the 6-week program, each with its source (program.yaml)."""

    weeks: int = Field(ge=1, le=12)
    resume_after_hours: float = Field(ge=0)
    resume_source: Citation
    withhold_from: Literal["soon", "urgent", "emergency"]
    withhold_source: Citation
    target_minutes: int = Field(ge=30, le=300)
    target_source: Citation
    weekly_increase_minutes: int = Field(ge=5, le=60)
    increase_source: Citation
    minutes_step: int = Field(ge=1, le=15)
    core_days: tuple[int, ...] = Field(min_length=1, max_length=7)
    core_source: Citation
    stretch_days: tuple[int, ...] = Field(min_length=1, max_length=7)
    stretch_source: Citation
    session_minutes_max: int = Field(ge=10, le=90)
    levels: tuple[LevelStart, ...]
    sitting_hours_flag: float = Field(ge=0, le=24)
    tips: tuple[Tip, ...]

    @model_validator(mode="after")
    def _sane(self) -> ProgramSettings:
        for days in (self.core_days, self.stretch_days):
            if any(d < 1 or d > 7 for d in days) or len(set(days)) != len(days):
                raise ValueError("days are 1 (first day) to 7, each once")
        if {lv.code for lv in self.levels} != {"inactive", "some", "active", "very_active"}:
            raise ValueError("levels must describe inactive, some, active and very_active")
        return self
