"""The personal 6-week prevention program: answers in, a dated plan of sessions out.

Pure functions of the answers and the clock. The safety rules come first: no
program at all while a doctor's visit is pending (`offer.program_withheld`, the one rule
every surface follows), and no session before hour 48 of an episode (the rest period);
the program says why.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..codes import DEFAULT_LOCALE, UrgencyCode
from ..contract import MAX_HOURS, BadInput, _bad_input
from ..knowledge.schema import Citation
from .library import PreventionData, load
from .offer import Withheld, program_withheld, withholds
from .schema import ActivityLevel, Dose, Exercise, LimitCode

ActivityCode = Literal["walking", "swimming", "cycling"]
Hours = Annotated[float, Field(ge=0, le=MAX_HOURS, allow_inf_nan=False)]


class ProgramRequest(BaseModel):
    """The answers a program is built from (the JSON accepted by `backspasm prevent --json`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sitting_hours: Annotated[float, Field(ge=0, le=24, allow_inf_nan=False)] = Field(
        description="Hours spent sitting on a usual day."
    )
    lifting_at_work: bool = Field(description="Whether the person lifts loads at work.")
    activity_level: ActivityLevel = Field(description="How active the person is now.")
    activities: tuple[ActivityCode, ...] = Field(
        default=("walking",), min_length=1, description="Low-impact activities the person can do."
    )
    limits: tuple[LimitCode, ...] = Field(default=(), description="Limits that rule some exercises out.")
    urgency: UrgencyCode | None = Field(default=None, description="Urgency of the current episode, if any.")
    hours_since_onset: Hours | None = Field(default=None, description="Hours since the current episode began.")
    assessment: dict[str, Any] | None = Field(
        default=None, description="An assessment of the current episode (docs/contract.md), instead of urgency and hours."
    )
    start: date | None = Field(default=None, description="The first day of the program (default: today).")
    session_time: time = Field(default=time(8, 0), description="The time of day sessions are planned for.")

    @model_validator(mode="after")
    def _episode_is_whole(self) -> ProgramRequest:
        if self.session_time.tzinfo is not None:
            raise ValueError("session_time: a local time of day such as 08:00, without a time zone")
        if len(set(self.activities)) != len(self.activities):
            raise ValueError("activities: each activity at most once")
        if len(set(self.limits)) != len(self.limits):
            raise ValueError("limits: each limit at most once")
        if self.assessment is not None and (self.urgency is not None or self.hours_since_onset is not None):
            raise ValueError("give either assessment or urgency with hours_since_onset, not both")
        if self.urgency is not None and self.hours_since_onset is None and not withholds(self.urgency):
            raise ValueError("hours_since_onset is needed with urgency: the first 48 hours are for rest")
        if self.hours_since_onset is not None and self.urgency is None:
            raise ValueError("urgency is needed with hours_since_onset (run `backspasm assess` to find it)")
        return self


def parse_request(data: Any) -> ProgramRequest:
    """Validate decoded JSON into a request; bad input raises BadInput naming the field."""
    if not isinstance(data, dict):
        raise BadInput([("", "a program request must be a JSON object")])
    try:
        return ProgramRequest.model_validate(data)
    except ValidationError as e:
        raise _bad_input(e) from None


def parse_request_json(raw: str | bytes) -> ProgramRequest:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadInput([("", f"input is not valid JSON: {e}")]) from None
    return parse_request(data)


@dataclass(frozen=True)
class Note:
    """A cited sentence: why the program is what it is."""

    code: str
    text: str
    source: Citation

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "source": self.source.model_dump(exclude_none=True)}


@dataclass(frozen=True)
class Session:
    """One exercise on one day, with its dose for that week."""

    day: date
    at: datetime
    week: int
    kind: str
    code: str
    name: str
    dose: Dose
    minutes: int
    hours_since_onset: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "at": self.at.isoformat(timespec="minutes"),
            "week": self.week,
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "dose": self.dose.model_dump(exclude_none=True),
            "dose_text": self.dose.describe(),
            "minutes": self.minutes,
            "hours_since_onset": self.hours_since_onset,
        }


@dataclass(frozen=True)
class Week:
    number: int
    starts: date
    activity_minutes: int
    core: dict[str, Dose]
    stretches: dict[str, Dose]

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.number,
            "starts": self.starts.isoformat(),
            "activity_minutes": self.activity_minutes,
            "core": {k: d.describe() for k, d in self.core.items()},
            "stretches": {k: d.describe() for k, d in self.stretches.items()},
        }


@dataclass(frozen=True)
class Program:
    """A built program; `status` is 'ready' or 'not_now' (then there are no sessions, and `withheld` says why)."""

    status: Literal["ready", "not_now"]
    urgency: str | None
    hours_since_onset: float | None
    start: date | None
    notes: tuple[Note, ...]
    weeks: tuple[Week, ...] = ()
    sessions: tuple[Session, ...] = ()
    tips: tuple[Note, ...] = ()
    left_out: tuple[Note, ...] = ()
    target_minutes: int = 0
    request: dict[str, Any] = field(default_factory=dict)
    withheld: Withheld | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "urgency": self.urgency,
            "hours_since_onset": self.hours_since_onset,
            "start": self.start.isoformat() if self.start else None,
            "target_minutes": self.target_minutes,
            "notes": [n.as_dict() for n in self.notes],
            "weeks": [w.as_dict() for w in self.weeks],
            "sessions": [s.as_dict() for s in self.sessions],
            "tips": [t.as_dict() for t in self.tips],
            "left_out": [n.as_dict() for n in self.left_out],
            "withheld": self.withheld.as_dict() if self.withheld else None,
            "request": self.request,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def days(self) -> list[tuple[date, list[Session]]]:
        """Sessions grouped by day, in date order."""
        out: dict[date, list[Session]] = {}
        for s in self.sessions:
            out.setdefault(s.day, []).append(s)
        return sorted(out.items())


def _grow(start: int | None, end: int | None, week: int, weeks: int, step: int = 1) -> int | None:
    if start is None or end is None:
        return start
    frac = (week - 1) / (weeks - 1) if weeks > 1 else 1.0
    value = start + (end - start) * frac
    return max(start, min(end, math.floor(value / step + 0.5) * step))


def dose_for_week(ex: Exercise, week: int, weeks: int) -> Dose:
    """The exercise's dose in a given week: from `dose` in week 1 growing evenly to `dose_week6`."""
    top = ex.dose_week6 or ex.dose
    d = ex.dose
    return Dose(
        sets=_grow(d.sets, top.sets, week, weeks),
        reps=_grow(d.reps, top.reps, week, weeks),
        hold_seconds=_grow(d.hold_seconds, top.hold_seconds, week, weeks, step=5),
        minutes=d.minutes,
    )


def weekly_minutes(level: str, week: int, data: PreventionData | None = None) -> int:
    """Low-impact minutes planned in `week`: from the level's start, up by a fixed step, capped at the target."""
    s = (data or load()).settings
    start = min(next(lv.start_minutes for lv in s.levels if lv.code == level), s.target_minutes)
    value = start + s.weekly_increase_minutes * (week - 1)
    return min(s.target_minutes, value // s.minutes_step * s.minutes_step)


def split_minutes(total: int, sessions: int, step: int) -> list[int]:
    """Split a week's minutes into near-equal sessions in multiples of `step` that add up to `total`."""
    units, extra = divmod(total // step, sessions)
    parts = [(units + (1 if i < extra else 0)) * step for i in range(sessions)]
    parts[0] += total - sum(parts)
    return parts


def activity_days(count: int, core_days: tuple[int, ...]) -> list[int]:
    """Which days of the week carry activity: days without core work first, then the others."""
    free = [d for d in range(1, 8) if d not in core_days]
    return sorted((free + [d for d in range(1, 8) if d in core_days])[:count])


def estimate_minutes(dose: Dose) -> int:
    """Roughly how long a dose takes, rests included, for calendars."""
    if dose.minutes is not None:
        return dose.minutes
    seconds = (dose.sets or 1) * ((dose.reps or 1) * (dose.hold_seconds or 4) + 30)
    return max(1, math.ceil(seconds / 60))


def _episode(req: ProgramRequest) -> tuple[str | None, float | None]:
    if req.assessment is None:
        return req.urgency, req.hours_since_onset
    from ..contract import parse_assessment
    from ..engine import assess

    try:
        parsed = parse_assessment(req.assessment)
    except BadInput as e:
        raise BadInput([(f"assessment.{loc}" if loc else "assessment", msg) for loc, msg in e.errors]) from None
    return assess(parsed).urgency, parsed.hours_since_onset


def build_program(
    req: ProgramRequest, now: datetime | None = None, data: PreventionData | None = None, locale: str = DEFAULT_LOCALE
) -> Program:
    """Build the program for `req` as of `now` (local time), applying the safety rules first."""
    data = data or load()
    s = data.settings
    now = now or datetime.now()
    urgency, hours = _episode(req)
    request = req.model_dump(mode="json", exclude_none=True)
    withheld = program_withheld(urgency, locale, data)
    if withheld is not None:
        return Program(
            "not_now",
            urgency,
            hours,
            None,
            (Note(withheld.code, withheld.sentence(), withheld.source),),
            target_minutes=s.target_minutes,
            request=request,
            withheld=withheld,
        )

    notes: list[Note] = []
    first = req.start or now.date()
    resume_at: datetime | None = None
    if hours is not None:
        onset = now - timedelta(hours=hours)
        resume_at = onset + timedelta(hours=s.resume_after_hours)
        while datetime.combine(first, req.session_time) < resume_at:
            first += timedelta(days=1)
        if hours < s.resume_after_hours:
            notes.append(
                Note(
                    "rest_first",
                    f"The first {s.resume_after_hours:g} hours of a spasm are for rest and gentle movement, not "
                    f"exercise: your program starts on {first:%A %d %B}, after hour {s.resume_after_hours:g}.",
                    s.resume_source,
                )
            )
    else:
        notes.append(
            Note(
                "no_current_episode",
                "Built for a back without a current spasm. If you have one now, check it first with "
                "`backspasm assess`: no exercise in the first 48 hours, nor while it needs a doctor.",
                s.resume_source,
            )
        )
    notes.append(
        Note(
            "target",
            f"Low-impact activity builds towards {s.target_minutes} minutes a week, the amount recommended for adults.",
            s.target_source,
        )
    )

    stretches = data.of_kind("stretch")
    core = data.of_kind("core")
    left_out = []
    for ex in stretches + core:
        hit = [lim for lim in ex.unsuitable_with if lim in req.limits]
        if hit:
            lim = data.limits[hit[0]]
            left_out.append(Note(ex.code, f"{ex.name} left out ({lim.label.lower()}): {lim.advice}", lim.source))
    excluded = {n.code for n in left_out}
    stretches = [e for e in stretches if e.code not in excluded]
    core = [e for e in core if e.code not in excluded]
    activities = [data.exercises[a] for a in req.activities]

    weeks: list[Week] = []
    sessions: list[Session] = []
    turn = 0
    for w in range(1, s.weeks + 1):
        week_start = first + timedelta(days=7 * (w - 1))
        minutes = weekly_minutes(req.activity_level, w, data)
        n = min(5, max(3, math.ceil(minutes / s.session_minutes_max)))
        parts = split_minutes(minutes, n, s.minutes_step)
        a_days = activity_days(n, s.core_days)
        core_doses = {e.code: dose_for_week(e, w, s.weeks) for e in core}
        stretch_doses = {e.code: dose_for_week(e, w, s.weeks) for e in stretches}
        weeks.append(Week(w, week_start, minutes, core_doses, stretch_doses))
        for day in range(1, 8):
            d = week_start + timedelta(days=day - 1)
            at = datetime.combine(d, req.session_time)
            since = round(hours + (at - now).total_seconds() / 3600, 1) if hours is not None else None
            todays: list[tuple[Exercise, Dose]] = []
            if day in s.stretch_days:
                todays += [(e, stretch_doses[e.code]) for e in stretches]
            if day in s.core_days:
                todays += [(e, core_doses[e.code]) for e in core]
            if day in a_days:
                ex = activities[turn % len(activities)]
                turn += 1
                todays.append((ex, Dose(minutes=parts[a_days.index(day)])))
            for ex, dose in todays:
                sessions.append(Session(d, at, w, ex.kind, ex.code, ex.name, dose, estimate_minutes(dose), since))

    tips = []
    for t in s.tips:
        if (
            t.when == "always"
            or (t.when == "sitting_hours_at_least" and req.sitting_hours >= s.sitting_hours_flag)
            or (t.when == "lifting_at_work" and req.lifting_at_work)
        ):
            tips.append(Note(t.code, t.text, t.source))
    return Program(
        "ready",
        urgency,
        hours,
        first,
        tuple(notes),
        tuple(weeks),
        tuple(sessions),
        tuple(tips),
        tuple(left_out),
        target_minutes=s.target_minutes,
        request=request,
    )


def activity_week_minutes(program: Program) -> list[int]:
    """Planned low-impact minutes per program week, summed from the sessions themselves."""
    out = [0] * len(program.weeks)
    for sess in program.sessions:
        if sess.kind == "low_impact" and sess.dose.minutes:
            out[sess.week - 1] += sess.dose.minutes
    return out
