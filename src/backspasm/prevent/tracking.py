"""Following the program through: ticked-off sessions and adherence, kept in the diary's store.

The program is stored as a document (its answers and the moment it was built, so
it can be rebuilt exactly); each session done is an activity of kind "exercise".
Adherence itself is a pure function of the program and the list of sessions done. A session
is ticked off only once the program is under way (`tick_off`): never before it starts, never
while it is withheld, never without one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from .. import i18n
from ..codes import DEFAULT_LOCALE
from .library import load
from .offer import withholds
from .program import Program, Session, build_program, parse_request

DOC_KEY = "prevention.program"
ACTIVITY_KIND = "exercise"


class _Activity(Protocol):
    at: datetime
    code: str | None


@dataclass(frozen=True)
class Done:
    """A session ticked off: which exercise, on which local day."""

    code: str
    day: date


@dataclass(frozen=True)
class Adherence:
    """Planned sessions due so far against those done, overall, by week and for today."""

    due: int
    done: int
    by_week: tuple[tuple[int, int, int], ...]
    today: tuple[tuple[Session, bool], ...]
    extra: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.due) if self.due else None

    def summary(self) -> str:
        if not self.due:
            return "No sessions are due yet."
        return f"{self.done} of {self.due} sessions done so far ({self.percent}%)."

    def as_dict(self) -> dict[str, Any]:
        return {
            "due": self.due,
            "done": self.done,
            "percent": self.percent,
            "summary": self.summary(),
            "by_week": [{"week": w, "due": d, "done": n} for w, d, n in self.by_week],
            "today": [{**s.as_dict(), "done": ok} for s, ok in self.today],
            "extra": self.extra,
        }


def adherence(program: Program, done: list[Done], today: date) -> Adherence:
    """Match each done session to one planned session of the same exercise on the same day."""
    remaining: dict[tuple[str, date], int] = {}
    for d in done:
        remaining[(d.code, d.day)] = remaining.get((d.code, d.day), 0) + 1
    weeks: dict[int, list[int]] = {}
    todays: list[tuple[Session, bool]] = []
    due = matched = 0
    for s in program.sessions:
        if s.day > today:
            continue
        key = (s.code, s.day)
        ok = remaining.get(key, 0) > 0
        if ok:
            remaining[key] -= 1
        due += 1
        matched += ok
        w = weeks.setdefault(s.week, [0, 0])
        w[0] += 1
        w[1] += ok
        if s.day == today:
            todays.append((s, ok))
    extra = sum(remaining.values())
    return Adherence(due, matched, tuple((k, v[0], v[1]) for k, v in sorted(weeks.items())), tuple(todays), extra)


def local_day(at: datetime) -> date:
    """The local calendar day of a stored (aware) moment."""
    return at.astimezone().date() if at.tzinfo else at.date()


def done_from_activities(activities: list[_Activity]) -> list[Done]:
    return [Done(a.code, local_day(a.at)) for a in activities if a.code]


def save_program(store: Any, user_id: int, program: Program, built_at: datetime) -> None:
    """Keep the program's answers and build moment, enough to rebuild it exactly."""
    store.put_document(user_id, DOC_KEY, {"request": program.request, "built_at": built_at.isoformat()})


def load_program(store: Any, user_id: int, locale: str = DEFAULT_LOCALE) -> tuple[Program, datetime] | None:
    """The saved program, rebuilt; None when none was saved."""
    doc = store.get_document(user_id, DOC_KEY)
    if not isinstance(doc, dict) or "request" not in doc:
        return None
    built_at = datetime.fromisoformat(doc["built_at"])
    local = built_at.astimezone().replace(tzinfo=None) if built_at.tzinfo else built_at
    return build_program(parse_request(doc["request"]), now=local, locale=locale), built_at


def record_done(store: Any, user_id: int, code: str, at: datetime | None = None, detail: dict[str, Any] | None = None) -> Any:
    """Tick off one session of `code` at `at` (now by default)."""
    return store.log_activity(user_id, kind=ACTIVITY_KIND, code=code, at=at or datetime.now(UTC), detail=detail or {})


def progress(
    store: Any, user_id: int, today: date | None = None, locale: str = DEFAULT_LOCALE
) -> tuple[Program, Adherence] | None:
    """The saved program and how it is going; None when there is no program yet."""
    saved = load_program(store, user_id, locale)
    if saved is None:
        return None
    program, _ = saved
    program = recheck(program, episode_from_diary(store, user_id), locale=locale)
    done = done_from_activities(store.list_activities(user_id, kind=ACTIVITY_KIND))
    return program, adherence(program, done, today or datetime.now().date())


def recheck(
    program: Program, episode: tuple[str, float] | None, now: datetime | None = None, locale: str = DEFAULT_LOCALE
) -> Program:
    """Safety first on every look: an open episode that needs a doctor, or is still in its 48 hours of
    rest, replaces the saved program with one built from that episode (no sessions, or a later start)."""
    if episode is None:
        return program
    urgency, hours = episode
    s = load().settings
    if not withholds(urgency) and hours >= s.resume_after_hours:
        return program
    request = {k: v for k, v in program.request.items() if k not in ("assessment", "start")}
    request.update(urgency=urgency, hours_since_onset=round(hours, 2))
    return build_program(parse_request(request), now=now, locale=locale)


def episode_from_diary(store: Any, user_id: int, now: datetime | None = None) -> tuple[str, float] | None:
    """(urgency, hours since onset) of the open diary episode, re-assessed now; None without one."""
    current = store.current_episode(user_id)
    if current is None:
        return None
    st = store.status(user_id, current.id, now=now or datetime.now(UTC))
    return st.result.urgency, st.hours_since_onset


class NotUnderWay(Exception):
    """A session cannot be ticked off: there is no program under way on that day. `code` says which case:
    'no_program', 'program_withheld' (a doctor's visit first) or 'program_not_started' (it starts on a later day)."""

    def __init__(self, code: str, short: str, why: str = ""):
        self.code = code
        self.short = short
        self.message = f"{short} {why}".strip()
        super().__init__(self.message)


def check_under_way(program: Program | None, day: date, locale: str = DEFAULT_LOCALE) -> Program:
    """The program, when a session on `day` may be ticked off; NotUnderWay (saying why, in plain words) otherwise."""
    _ = i18n.translations(locale).gettext
    if program is None:
        raise NotUnderWay("no_program", _("Nothing was recorded: there is no program yet."))
    if program.withheld is not None or program.start is None:
        why = program.withheld.sentence() if program.withheld else ""
        raise NotUnderWay("program_withheld", _("Nothing was recorded: there is no exercise program for now."), why)
    if day < program.start:
        from ..clock import day as day_words

        start = datetime(program.start.year, program.start.month, program.start.day, 12, tzinfo=UTC)
        words = _("Nothing was recorded: your program starts on {day}. Rest and gentle movement come first until then.")
        raise NotUnderWay("program_not_started", words.format(day=day_words(start, "UTC", locale)))
    return program


def tick_off(
    store: Any,
    user_id: int,
    code: str,
    at: datetime | None = None,
    detail: dict[str, Any] | None = None,
    locale: str = DEFAULT_LOCALE,
) -> tuple[Program, Adherence]:
    """Record one session of `code` at `at` (now by default) once the program is under way on that day,
    and say how it is going; NotUnderWay, recording nothing, before that."""
    at = at or datetime.now(UTC)
    found = progress(store, user_id, locale=locale)
    check_under_way(found[0] if found else None, local_day(at), locale)
    record_done(store, user_id, code, at, detail)
    after = progress(store, user_id, locale=locale)
    assert after is not None
    return after
