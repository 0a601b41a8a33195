"""The program as an iCalendar file: one event per day, listing that day's exercises and doses."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from .library import load
from .program import Program


def program_to_ics(program: Program, stamp: datetime | None = None) -> bytes:
    """Serialise a ready program to iCalendar bytes (floating local times, stable UIDs)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//backspasm//prevention program//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Back care program")
    stamp = stamp or datetime.now(UTC)
    for day, sessions in program.days():
        total = sum(s.minutes for s in sessions)
        parts = ["core"] if any(s.kind == "core" for s in sessions) else []
        parts += [s.name.lower() for s in sessions if s.kind == "low_impact"]
        parts += ["stretches"] if any(s.kind == "stretch" for s in sessions) else []
        lines = [f"- {s.name}: {s.dose.describe()}" for s in sessions]
        lines += ["", "When to stop:"] + [f"- {sign.text}" for sign in load().stop_signs]
        ev = Event()
        key = f"{day.isoformat()}|" + ",".join(f"{s.code}:{s.dose.describe()}" for s in sessions)
        ev.add("uid", hashlib.sha1(key.encode()).hexdigest()[:20] + "@backspasm")
        ev.add("dtstamp", stamp)
        ev.add("summary", f"Back care, week {sessions[0].week}: " + " + ".join(parts))
        ev.add("dtstart", sessions[0].at)
        ev.add("dtend", sessions[0].at + timedelta(minutes=total))
        ev.add("description", "\n".join(lines))
        ev.add("categories", ["Health"])
        cal.add_component(ev)
    return bytes(cal.to_ical())
