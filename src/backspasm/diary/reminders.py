"""What is due next in an episode (check-in, cold-to-heat switch, end of rest), what changed, and iCalendar export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..codes import URGENCY_RANK
from ..knowledge import load
from ..result import Result

CHECKIN_EVERY_EARLY = timedelta(hours=12)  # twice a day while the clock-driven advice changes
CHECKIN_EVERY_LATER = timedelta(hours=24)
EARLY_HOURS = 72


@dataclass(frozen=True, slots=True)
class Reminder:
    """A step due at a moment: what, when, why (with its source)."""

    code: str
    at: datetime
    title: str
    text: str
    ref: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "at": self.at.isoformat(), "title": self.title, "text": self.text, "ref": self.ref}


@dataclass(frozen=True, slots=True)
class Change:
    """Something different since the last check-in, with the source behind the advice."""

    code: str
    text: str
    ref: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "ref": self.ref}


def next_due(onset_at: datetime, result: Result, last_rating_at: datetime, now: datetime, closed: bool) -> list[Reminder]:
    """The next steps in time order; none for a closed episode, and no routine step in an emergency."""
    if closed or result.urgency == "emergency":
        return []
    hours_now = (now - onset_at).total_seconds() / 3600
    plan = set(result.codes("plan"))
    out: list[Reminder] = []
    every = CHECKIN_EVERY_EARLY if hours_now < EARLY_HOURS else CHECKIN_EVERY_LATER
    due = max(last_rating_at + every, now)
    out.append(
        Reminder(
            "next_checkin",
            due,
            "Pain diary check-in",
            "Rate your pain 0-10 and note what you tried: the trend shows whether it is easing.",
            "article:when-to-consult",
        )
    )
    switch_hour = switch_to_heat_hour()
    switch_at = onset_at + timedelta(hours=switch_hour)
    if hours_now < switch_hour and result.urgency != "emergency":
        if "cold_therapy" in plan:
            out.append(
                Reminder(
                    "heat_switch",
                    switch_at,
                    "Switch from cold to heat",
                    "48 hours since the spasm began: swap the cold pack for heat (heating pad or warm bath, "
                    "15-20 minutes at a time).",
                    "article:immediate-self-care",
                )
            )
        if "short_rest" in plan:
            out.append(
                Reminder(
                    "end_rest",
                    switch_at,
                    "End of rest",
                    "Rest no longer than one or two days: from now get back to your usual activities step by step.",
                    "article:immediate-self-care",
                )
            )
    for step in result.schedule:
        if step.at_hour > hours_now and step.at_hour != switch_hour:
            out.append(
                Reminder(
                    f"schedule_{step.at_hour:g}h",
                    onset_at + timedelta(hours=step.at_hour),
                    f"Hour {step.at_hour:g} of the episode",
                    step.text,
                    step.ref,
                )
            )
    return sorted(out, key=lambda r: (r.at, r.code))


def switch_to_heat_hour() -> float:
    """The hour the knowledge base ends cold therapy (and so starts heat): one source for the clock."""
    cold = next(r for r in load().plan if r.code == "cold_therapy")
    hour = cold.when.hours_since_onset_below
    if hour is None:
        raise RuntimeError("plan.yaml: cold_therapy has no hours_since_onset_below")
    return hour


def changes(before: dict[str, Any], after: Result, hours_before: float, hours_after: float) -> list[Change]:
    """What is different now from the result stored at the last check-in (or at the start), in the result's wording."""
    kb = load(after.locale)
    out: list[Change] = []
    plan_before = {p["code"] for p in before.get("plan", ())}
    plan_after = set(after.codes("plan"))
    to_heat = "cold_therapy" in plan_before and "cold_therapy" not in plan_after and "heat_therapy" in plan_after
    to_moving = "short_rest" in plan_before and "resume_activity" in plan_after
    if to_heat or to_moving:
        switch_hour = switch_to_heat_hour()
        hours = int(max(switch_hour, hours_before) if hours_before < switch_hour <= hours_after else hours_after)
        parts = []
        if to_heat:
            parts.append("switch from cold to heat")
        if to_moving:
            parts.append("start moving more")
        out.append(
            Change("heat_and_movement", f"{hours} hours have passed: {' and '.join(parts)}", "article:immediate-self-care")
        )
    old, new = before.get("urgency", "self_care"), after.urgency
    if URGENCY_RANK[new] > URGENCY_RANK[old]:
        why = ", ".join(r.title.lower() for r in after.reasons) or "the diary"
        ref = after.reasons[0].ref if after.reasons else "article:when-to-consult"
        out.append(
            Change(
                "urgency_raised",
                f"Urgency rose from {kb.levels[old].label.lower()} to {kb.levels[new].label.lower()} ({why}). {after.headline}",
                ref,
            )
        )
    elif URGENCY_RANK[new] < URGENCY_RANK[old]:
        out.append(
            Change(
                "urgency_eased",
                f"Urgency eased from {kb.levels[old].label.lower()} to {kb.levels[new].label.lower()}.",
                "article:when-to-consult",
            )
        )
    found_before = set(before.get("findings", ()))
    for code in after.findings:
        if code not in found_before:
            f = kb.findings[code]
            out.append(Change(f"new_{code}", f"New: {f.label.lower()}. {f.text}", str(f.source.ref)))
    for code in sorted(found_before - set(after.findings)):
        f = kb.findings[code]
        out.append(Change(f"gone_{code}", f"No longer counted: {f.label.lower()}.", str(f.source.ref)))
    return out


def to_ics(reminders: Sequence[Reminder], episode_id: int, now: datetime) -> bytes:
    """An iCalendar file with one event (and an alarm at its start) per reminder."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//backspasm//pain diary//EN")
    cal.add("version", "2.0")
    for r in reminders:
        ev = Event()
        ev.add("uid", f"episode-{episode_id}-{r.code}@backspasm")
        ev.add("dtstamp", now)
        ev.add("dtstart", r.at)
        ev.add("dtend", r.at + timedelta(minutes=15))
        ev.add("summary", f"Back spasm: {r.title}")
        ev.add("description", f"{r.text}\nSource: {r.ref}")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", r.title)
        alarm.add("trigger", timedelta(0))
        ev.add_component(alarm)
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data
