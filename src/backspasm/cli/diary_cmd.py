"""The pain diary commands: episode start/close, episodes, checkin, seen, status (remind, report, export, import: diary_io).

The CLI works as one local user (store.LOCAL_EMAIL), created on first use, in the
database `open_store()` picks (BACKSPASM_DATABASE_URL, else SQLite in the user data
directory, or BACKSPASM_DATA_DIR). Times are read and shown in this machine's time
zone, and stored in UTC with that zone. Every command runs without a terminal: flags or
`--json FILE|-` in, `--format json` out, exit 2 on bad input with the error on
standard error and nothing on standard output.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated, Any

import typer

from .. import i18n
from . import diary_io
from .common import LocaleOpt, bad_input, fail, resolve_locale
from .diary_args import (
    AtOpt,
    EpisodeLocaleOpt,
    EpisodeOpt,
    FormatOpt,
    JsonOpt,
    NowOpt,
    check_format,
    codes,
    console,
    emit,
    episode_status,
    open_store,
    parse_time,
    parse_tried_flag,
    pick_episode,
    read_json_object,
    zone,
)

CHECKIN_FIELDS = ("pain", "tried", "findings", "gone", "note", "at", "episode")


def _episode_start(
    json_path: str | None,
    pain: int | None,
    hours: float | None,
    findings: str | None,
    denied: str | None,
    conditions: str | None,
    age: int | None,
    words: str | None,
    at: str | None,
    fmt: str,
    locale: str | None = None,
) -> None:
    from ..contract import BadInput, parse_assessment

    check_format(fmt)
    loc = resolve_locale(locale)
    started = parse_time(at, "at")
    reading = None
    if json_path is not None:
        data: dict[str, Any] = read_json_object(json_path)
    elif pain is not None:
        data = {"hours_since_onset": hours if hours is not None else 0.0, "pain": pain}
        for key, value in (("findings", findings), ("denied", denied), ("conditions", conditions)):
            if value:
                data[key] = codes(value)
        if age is not None:
            data["age"] = age
        if words:
            data["text"] = words
    elif sys.stdin.isatty():
        from .diary_args import console as make_console
        from .interactive import ONSET_QUESTION, PAIN_QUESTION, RichAsker, gather

        ask = RichAsker(make_console(), loc)
        answers, reading, early = gather(ask, locale=loc)
        if early:
            # The questions stop at an emergency; the diary's first rating still needs the real numbers,
            # never a made-up 0 (the emergency advice follows in full once they are given).
            if answers.pain is None:
                answers.pain = ask.pain(i18n.gettext(loc, PAIN_QUESTION))
            if answers.hours is None:
                answers.hours = ask.hours(i18n.gettext(loc, ONSET_QUESTION))
        data = answers.assessment().model_dump(exclude_none=True)
    else:
        fail("bad input: give --pain (and --hours ...), or --json FILE|-, or run on a terminal for the questions")
    if loc != "en-US" and "locale" not in data:
        data["locale"] = loc  # the episode keeps the wording it was started in
    try:
        a = parse_assessment(data)
    except BadInput as e:
        bad_input(e)
    store, uid = open_store()
    try:
        ep, result = store.start_episode(uid, a, started_at=started, reading=reading, zone=zone())
    except BadInput as e:
        bad_input(e)
    finally:
        store.close()
    if fmt == "json":
        emit({"episode": {k: v for k, v in ep.as_dict().items() if k != "result"}, "result": result.as_dict()})
        return
    from ..clock import local
    from .diary_render import episode_title, render_emergency, zone_line
    from .render import render_result

    out = console()
    out.print(f"{episode_title(ep)}. {zone_line()}")
    if result.urgency == "emergency":
        render_emergency(result, out, ep.id)
        return
    out.print("Check in with `backspasm checkin --pain N`.\n")
    # The plan by the clock counts from the moment the answers describe, not from when they were typed.
    render_result(result, out, now=local(ep.started_at, zone()).replace(tzinfo=None))


def _checkin_input(pain: int | None, tried: str | None, findings: str | None, gone: list[str] | None,
                   note: str | None, at: str | None, json_path: str | None,
                   episode_id: int | None) -> tuple[dict[str, Any], int | None]:
    """The check-in's fields from --json, from flags, or asked on a terminal."""
    data: dict[str, Any]
    if json_path is not None:
        data = read_json_object(json_path)
        unknown = set(data) - set(CHECKIN_FIELDS)
        if unknown:
            fail(f"bad input:\n  {sorted(unknown)[0]}: unknown field; allowed: {', '.join(CHECKIN_FIELDS)}")
        if "at" in data and not isinstance(data["at"], str):
            fail("bad input:\n  at: must be an ISO 8601 string")
        data["at"] = parse_time(data.get("at"), "at")
        if "episode" in data:
            episode_id = data.pop("episode")
            if not isinstance(episode_id, int) or isinstance(episode_id, bool):
                fail("bad input:\n  episode: must be an integer id")
        if "pain" not in data:
            fail("bad input:\n  pain: required field is missing")
    elif pain is not None:
        data = {"pain": pain, "tried": parse_tried_flag(tried), "findings": codes(findings), "note": note,
                "gone": [g.strip() for g in gone or () if g.strip()]}
        data["at"] = parse_time(at, "at")
    elif sys.stdin.isatty():
        data = {"at": parse_time(at, "at")}
    else:
        fail("bad input: give --pain N (0-10), or --json FILE|-, or run on a terminal to be asked")
    return data, episode_id


def _checkin(episode_id: int | None, pain: int | None, tried: str | None, findings: str | None, gone: list[str] | None,
             note: str | None, at: str | None, json_path: str | None, fmt: str) -> None:
    from ..contract import BadInput

    check_format(fmt)
    data, episode_id = _checkin_input(pain, tried, findings, gone, note, at, json_path, episode_id)
    store, uid = open_store()
    try:
        ep = pick_episode(store, uid, episode_id, open_only=True)
        if "pain" not in data:  # on a terminal: ask, starting from what counts now
            from .diary_ask import ask_checkin

            data |= ask_checkin(store.status(uid, ep.id), console())
        out = store.add_checkin(uid, ep.id, **data, zone=zone())
    except BadInput as e:
        bad_input(e)
    finally:
        store.close()
    if fmt == "json":
        emit(out.as_dict())
        return
    from .diary_render import render_checkin

    render_checkin(out, ep, console())


def _seen(episode_id: int | None, note: str | None, at: str | None, fmt: str) -> None:
    from ..contract import BadInput

    check_format(fmt)
    when = parse_time(at, "at")
    store, uid = open_store()
    try:
        ep = pick_episode(store, uid, episode_id, open_only=True)
        out = store.record_seen(uid, ep.id, at=when, note=note, zone=zone())
    except BadInput as e:
        bad_input(e)
    finally:
        store.close()
    if fmt == "json":
        emit(out.as_dict())
        return
    from ..knowledge import load
    from .diary_args import when as fmt_when
    from .render import banner, print_safety_net

    c = console()
    loc = out.result.locale
    c.print(f"Recorded: a clinician saw you {fmt_when(out.visit.at, loc)} (episode {ep.id}).")
    labels = {code: f.label.lower() for code, f in load(loc).findings.items()}
    if out.released:
        c.print("These emergency signs no longer count: " + ", ".join(labels[x] for x in out.released) + ".")
    c.print(out.as_dict()["advice"])
    c.print(banner(out.result))
    print_safety_net(out.result, c)
    c.print("Keep checking in: `backspasm checkin --pain N`. A new warning sign counts again.")


def _status(episode_id: int | None, now: str | None, fmt: str, locale: str | None = None) -> None:
    check_format(fmt)
    loc = resolve_locale(locale) if locale is not None else None
    when = parse_time(now, "now")
    st = _quick_status(episode_id, when, loc)
    adherence = None
    if st is None:
        _ep, st, adherence = episode_status(episode_id, when, lambda store, uid: _adherence(store, uid, when), loc)
    if fmt == "json":
        emit({**st.as_dict(), "zone": zone(), "prevention_program": adherence.as_dict() if adherence else None})
    else:
        from .diary_render import render_status

        out = console()
        render_status(st, out)
        if adherence is not None:
            out.print(f"Prevention program: {adherence.summary()}")


def _quick_status(episode_id: int | None, when: datetime | None, locale: str | None = None) -> Any:
    """The status read without opening the store (diary/quick.py), or None when the store must answer."""
    from ..contract import BadInput
    from ..diary.quick import read
    from ..diary.status import status_of

    found = read(episode_id, document="prevention.program")
    if found is None or found[1]:  # a prevention program's adherence is read through the store
        return None
    try:
        return status_of(found[0], when, locale)
    except BadInput as e:
        bad_input(e)


def _adherence(store: Any, uid: int, when: datetime | None) -> Any:
    """How the prevention program is going, when the person has one (None otherwise)."""
    if store.get_document(uid, "prevention.program") is None:  # prevent.tracking.DOC_KEY, without importing it
        return None
    from ..prevent.tracking import progress

    found = progress(store, uid, today=(when or datetime.now()).date())
    return found[1] if found else None


def _close(episode_id: int | None, at: str | None, fmt: str) -> None:
    from ..contract import BadInput

    check_format(fmt)
    when = parse_time(at, "at")
    store, uid = open_store()
    try:
        ep = pick_episode(store, uid, episode_id, open_only=True)
        closed = store.close_episode(uid, ep.id, at=when)
    except BadInput as e:
        bad_input(e)
    finally:
        store.close()
    if fmt == "json":
        emit({k: v for k, v in closed.as_dict().items() if k != "result"})
    else:
        sys.stdout.write(f"Episode {closed.id} closed.\n")


def _episodes(fmt: str) -> None:
    from .diary_args import day

    check_format(fmt)
    store, uid = open_store()
    try:
        eps = store.list_episodes(uid)
        counts = {e.id: len(store.list_checkins(uid, e.id)) for e in eps}
    finally:
        store.close()
    if fmt == "json":
        emit([{**{k: v for k, v in e.as_dict().items() if k != "result"}, "checkins": counts[e.id]} for e in eps])
        return
    if not eps:
        sys.stdout.write("No episodes yet: `backspasm episode start` opens one.\n")
        return
    from rich.table import Table

    t = Table("id", "began", "recorded", "state", "urgency at start", "check-ins")
    for e in eps:
        t.add_row(str(e.id), day(e.onset_at), day(e.started_at), "open" if e.is_open else "closed", e.urgency,
                  str(counts[e.id]))
    console().print(t)


def register(app: typer.Typer) -> None:
    """Add the diary's commands to the root app."""
    episode = typer.Typer(help="Start or close an episode (one spasm, followed over days).", no_args_is_help=True)
    app.add_typer(episode, name="episode")

    @episode.command("start")
    def episode_start(
        json_path: JsonOpt = None,
        pain: Annotated[int | None, typer.Option(help="Pain now, 0-10.")] = None,
        hours: Annotated[float | None, typer.Option(help="Hours since the spasm began.")] = None,
        findings: Annotated[str | None, typer.Option(help="Finding codes present, comma-separated.")] = None,
        denied: Annotated[str | None, typer.Option(help="Finding codes asked about and absent.")] = None,
        conditions: Annotated[str | None, typer.Option(help="Condition codes, comma-separated.")] = None,
        age: Annotated[int | None, typer.Option(help="Age in years.")] = None,
        text: Annotated[str | None, typer.Option("--text", help="What happened, in your own words.")] = None,
        at: AtOpt = None,
        fmt: FormatOpt = "text",
        locale: LocaleOpt = None,
    ) -> None:
        """Assess the spasm and open an episode (JSON, flags, or the questions on a terminal)."""
        _episode_start(json_path, pain, hours, findings, denied, conditions, age, text, at, fmt, locale)

    @episode.command("close")
    def episode_close(episode_id: EpisodeOpt = None, at: AtOpt = None, fmt: FormatOpt = "text") -> None:
        """Close an episode (the spasm is over)."""
        _close(episode_id, at, fmt)

    @app.command("episodes")
    def episodes(fmt: FormatOpt = "text") -> None:
        """List your episodes, newest first."""
        _episodes(fmt)

    @app.command("checkin")
    def checkin(
        pain: Annotated[int | None, typer.Option(help="Pain now, 0-10.")] = None,
        tried: Annotated[
            str | None,
            typer.Option(help="What you tried: cold, heat, rest, stretches, nsaid, acetaminophen; e.g. cold=yes,nsaid=no."),
        ] = None,
        findings: Annotated[str | None, typer.Option(help="New finding codes, comma-separated.")] = None,
        gone: Annotated[
            list[str] | None, typer.Option("--gone", metavar="CODE", help="A finding that has gone (repeat for more).")
        ] = None,
        note: Annotated[str | None, typer.Option(help="A note in your own words.")] = None,
        episode_id: EpisodeOpt = None,
        at: AtOpt = None,
        json_path: JsonOpt = None,
        fmt: FormatOpt = "text",
    ) -> None:
        """Record how the pain is now, what you tried, what is new or gone; re-assesses the episode."""
        _checkin(episode_id, pain, tried, findings, gone, note, at, json_path, fmt)

    @app.command("seen")
    def seen(
        note: Annotated[str | None, typer.Option(help="What the clinician said, in your own words.")] = None,
        episode_id: EpisodeOpt = None,
        at: AtOpt = None,
        fmt: FormatOpt = "text",
    ) -> None:
        """Record that a clinician has seen you: emergency signs so far stop counting; the diary goes on."""
        _seen(episode_id, note, at, fmt)

    @app.command("status")
    def status(
        episode_id: EpisodeOpt = None, now: NowOpt = None, fmt: FormatOpt = "text", locale: EpisodeLocaleOpt = None
    ) -> None:
        """Re-assess with the diary: the safety net, what changed, the pain trend, what is due next."""
        _status(episode_id, now, fmt, locale)

    diary_io.register(app)
