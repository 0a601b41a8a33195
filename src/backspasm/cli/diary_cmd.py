"""The pain diary commands: episode start/close, episodes, checkin, status, remind, report, export, import.

The CLI works as one local user (store.LOCAL_EMAIL), created on first use, in the
database `open_store()` picks (BACKSPASM_DATABASE_URL, else SQLite in the user data
directory, or BACKSPASM_DATA_DIR). Every command runs without a terminal: flags or
`--json FILE|-` in, `--format json` out, exit 2 on bad input with the error on
standard error and nothing on standard output.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import LocaleOpt, bad_input, fail, read_source, resolve_locale, write_output

if TYPE_CHECKING:
    from rich.console import Console

    from ..diary.store import CheckinOutcome, Episode, Status, Store

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output: text (for people) or json (for scripts).")]
EpisodeOpt = Annotated[int | None, typer.Option("--episode", "-e", help="Episode id (default: the latest open episode).")]
JsonOpt = Annotated[str | None, typer.Option("--json", metavar="FILE", help="Read the input from FILE, '-' for stdin.")]
AtOpt = Annotated[
    str | None, typer.Option("--at", metavar="TIME", help="When, as ISO 8601 (default: now; no zone = local time).")
]
NowOpt = Annotated[str | None, typer.Option("--now", metavar="TIME", help="Evaluate as of TIME (ISO 8601).")]
EpisodeLocaleOpt = Annotated[
    str | None,
    typer.Option("--locale", metavar="TAG", help="Wording: en-US or en-GB (default: the one the episode was started in)."),
]

YES = {"yes", "y", "true", "1", "+", "helped"}
NO = {"no", "n", "false", "0", "-", "didnt", "didn't"}


# ---- parsing helpers (all failures are bad input: exit 2) ----


def _check_format(fmt: str) -> str:
    if fmt not in ("text", "json"):
        fail(f"bad input: --format must be text or json, got {fmt!r}")
    return fmt


def parse_time(value: str | None, name: str) -> datetime | None:
    """ISO 8601 to an aware datetime; a time without a zone is local time."""
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(f"bad input:\n  {name}: {value!r} is not an ISO 8601 time (e.g. 2026-11-25T08:30)")
    return dt.astimezone() if dt.tzinfo is None else dt


def parse_tried_flag(value: str | None) -> dict[str, bool | None]:
    """'cold,nsaid' (helped unknown) or 'cold=yes,heat=no'."""
    out: dict[str, bool | None] = {}
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        code, sep, answer = part.partition("=")
        helped: bool | None = None
        if sep:
            a = answer.strip().lower()
            if a in YES:
                helped = True
            elif a in NO:
                helped = False
            elif a not in ("", "?", "unknown"):
                fail(f"bad input:\n  tried.{code.strip()}: say yes or no after '=', got {answer!r}")
        out[code.strip().lower()] = helped
    return out


def _codes(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


def _read_json_object(path: str) -> dict[str, Any]:
    raw = read_source(path)
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        fail(f"bad input: input is not valid JSON: {e}")
    if not isinstance(data, dict):
        fail("bad input: expected a JSON object")
    return data


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def _console(no_color: bool = False) -> Console:
    from rich.console import Console

    return Console(no_color=no_color, highlight=False)


# ---- store access ----


def _open() -> tuple[Store, int]:
    from ..diary.store import open_store

    try:
        store = open_store()
    except Exception as e:  # a database we cannot open is an environment problem, not bad input
        fail(f"cannot open the diary database: {type(e).__name__}: {e}", code=1)
    return store, store.local_user().id


def _pick_episode(store: Store, user_id: int, episode_id: int | None, open_only: bool = False) -> Episode:
    if episode_id is not None:
        ep = store.get_episode(user_id, episode_id)
        if ep is None:
            fail(f"bad input:\n  episode: no episode {episode_id}; `backspasm episodes` lists them")
        return ep
    ep = store.current_episode(user_id)
    if ep is None and not open_only:
        eps = store.list_episodes(user_id)
        ep = eps[0] if eps else None
    if ep is None:
        fail("bad input: no open episode; start one with `backspasm episode start`")
    return ep


# ---- rendering ----


def _when(dt: datetime) -> str:
    return dt.astimezone().strftime("%a %d %b %H:%M")


def render_escalation(out: CheckinOutcome, console: Console) -> None:
    """The prominent warning when a check-in raises urgency."""
    from rich.panel import Panel
    from rich.text import Text

    from ..knowledge import load
    from ..present import source_link
    from .render import COLOURS

    r = out.result
    kb = load(r.locale)
    body = Text.assemble(
        (f"{kb.levels[out.previous_urgency].label} → {kb.levels[r.urgency].label}\n", "bold"),
        (r.headline + "\n", "bold"),
    )
    for reason in r.reasons:
        body.append(f"• {reason.title}: {reason.text} (source: {source_link(reason.ref).name})\n")
    body.rstrip()
    console.print(Panel(body, title="URGENCY RAISED", border_style=COLOURS[r.urgency], style=f"bold {COLOURS[r.urgency]}"))


def render_status(st: Status, console: Console) -> None:
    from rich.text import Text

    from ..present import source_link, status_words
    from .render import banner, print_safety_net, timeline

    ep = st.episode
    state = "open" if ep.is_open else f"closed {_when(ep.closed_at)}" if ep.closed_at else ""
    console.print(
        Text(
            f"Episode {ep.id} ({state}): started {_when(ep.started_at)}, hour {st.hours_since_onset:.0f} since onset",
            style="bold",
        )
    )
    console.print(banner(st.result))
    print_safety_net(st.result, console)
    pains = [int(ep.assessment["pain"]), *(c.pain for c in st.checkins)]
    console.print(Text.assemble(("Pain trend  ", "bold"), st.sparkline, f"  {' '.join(map(str, pains[-12:]))}"))
    if st.changes:
        console.rule("Since your last check-in")
        for c in st.changes:
            console.print(Text.assemble(("• ", "bold"), c.text, (f"  (source: {source_link(c.ref).name})", "dim")))
    if st.result.reasons:
        console.rule("Why")
        for r in st.result.reasons:
            source = source_link(r.ref).name
            console.print(Text.assemble(("• ", "bold"), (r.title, "bold"), f": {r.text}", (f"  (source: {source})", "dim")))
    console.rule("What to do now")
    for p in st.result.plan:
        words = status_words(p.get("status"), st.result.locale)
        if words:
            console.print(Text.assemble(("• ", "bold"), (f"{words}: ", "bold yellow"), p.title))
        else:
            console.print(Text.assemble(("• ", "bold"), p.title))
    if st.next_due:
        console.rule("Next")
        console.print(timeline([("now" if d.at <= st.now else _when(d.at), f"{d.title}: {d.text}") for d in st.next_due]))
    if st.escalations:
        console.print(Text(f"Urgency was raised {len(st.escalations)} time(s) in this episode.", style="dim"))
    console.print(Text(st.result.disclaimer, style="italic"))


# ---- commands ----


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

    _check_format(fmt)
    loc = resolve_locale(locale)
    started = parse_time(at, "at")
    reading = None
    if json_path is not None:
        data: dict[str, Any] = _read_json_object(json_path)
    elif pain is not None:
        data = {"hours_since_onset": hours if hours is not None else 0.0, "pain": pain}
        for key, value in (("findings", findings), ("denied", denied), ("conditions", conditions)):
            if value:
                data[key] = _codes(value)
        if age is not None:
            data["age"] = age
        if words:
            data["text"] = words
    elif sys.stdin.isatty():
        from .interactive import RichAsker, gather

        answers, reading, _ = gather(RichAsker(_console()), locale=loc)
        data = answers.assessment().model_dump(exclude_none=True)
    else:
        fail("bad input: give --pain (and --hours ...), or --json FILE|-, or run on a terminal for the questions")
    if loc != "en-US" and isinstance(data, dict) and "locale" not in data:
        data["locale"] = loc  # the episode keeps the wording it was started in
    try:
        a = parse_assessment(data)
    except BadInput as e:
        bad_input(e)
    store, uid = _open()
    try:
        ep, result = store.start_episode(uid, a, started_at=started, reading=reading)
    except BadInput as e:
        bad_input(e)
    finally:
        store.close()
    if fmt == "json":
        _emit({"episode": {k: v for k, v in ep.as_dict().items() if k != "result"}, "result": result.as_dict()})
        return
    from .render import render_result

    console = _console()
    console.print(f"Episode {ep.id} started. Check in with `backspasm checkin --pain N`.\n")
    render_result(result, console)


def _checkin(
    episode_id: int | None,
    pain: int | None,
    tried: str | None,
    findings: str | None,
    note: str | None,
    at: str | None,
    json_path: str | None,
    fmt: str,
) -> None:
    from ..contract import BadInput

    _check_format(fmt)
    data: dict[str, Any]
    if json_path is not None:
        data = _read_json_object(json_path)
        unknown = set(data) - {"pain", "tried", "findings", "note", "at", "episode"}
        if unknown:
            fail(f"bad input:\n  {sorted(unknown)[0]}: unknown field; allowed: pain, tried, findings, note, at, episode")
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
        data = {"pain": pain, "tried": parse_tried_flag(tried), "findings": _codes(findings), "note": note}
        data["at"] = parse_time(at, "at")
    elif sys.stdin.isatty():
        data = _ask_checkin()
        data["at"] = parse_time(at, "at")
    else:
        fail("bad input: give --pain N (0-10), or --json FILE|-, or run on a terminal to be asked")
    store, uid = _open()
    try:
        ep = _pick_episode(store, uid, episode_id, open_only=True)
        out = store.add_checkin(uid, ep.id, **data)
    except BadInput as e:
        bad_input(e)
    finally:
        store.close()
    if fmt == "json":
        _emit(out.as_dict())
        return
    from rich.text import Text

    from .render import banner, print_safety_net

    console = _console()
    c = out.checkin
    console.print(Text(f"Check-in saved: pain {c.pain}/10 at hour {c.hours_since_onset:.0f} of episode {ep.id}."))
    if out.escalated:
        render_escalation(out, console)
    else:
        console.print(banner(out.result))
    print_safety_net(out.result, console)
    console.print("See `backspasm status` for what changed and what is next.")


def _ask_checkin() -> dict[str, Any]:
    """The check-in questions on a terminal, with Rich prompts."""
    from rich.prompt import Confirm, IntPrompt, Prompt

    from ..diary.store import TREATMENTS
    from ..knowledge import load

    console = _console()
    while True:
        pain = IntPrompt.ask("Pain right now, 0 (none) to 10 (worst imaginable)", console=console)
        if 0 <= pain <= 10:
            break
        console.print("[red]Please answer with a whole number from 0 to 10.[/red]")
    tried: dict[str, bool | None] = {}
    for code in TREATMENTS:
        if Confirm.ask(f"Since the last check-in, did you use {code}?", default=False, console=console):
            tried[code] = Confirm.ask("  Did it help?", default=True, console=console)
    kb = load()
    findings = []
    for f in kb.findings.values():
        if f.kind != "derived" and f.level in ("emergency", "urgent") and Confirm.ask(f.question, default=False, console=console):
            findings.append(f.code)
    note = Prompt.ask("A note (Enter to skip)", default="", console=console) or None
    return {"pain": pain, "tried": tried, "findings": findings, "note": note}


def _episode_status(
    episode_id: int | None, when: datetime | None, extra: Any = None, locale: str | None = None
) -> tuple[Any, Any, Any]:
    """The episode (the one given, or the current one), its status now (worded in `locale`, else the
    episode's own), and `extra(store, uid)` if given."""
    from ..contract import BadInput

    store, uid = _open()
    try:
        ep = _pick_episode(store, uid, episode_id)
        st = store.status(uid, ep.id, now=when, locale=locale)
        more = extra(store, uid) if extra is not None else None
    except BadInput as e:
        bad_input(e)
    finally:
        store.close()
    return ep, st, more


def _status(episode_id: int | None, now: str | None, fmt: str, locale: str | None = None) -> None:

    _check_format(fmt)
    loc = resolve_locale(locale) if locale is not None else None
    when = parse_time(now, "now")
    _ep, st, adherence = _episode_status(episode_id, when, lambda store, uid: _adherence(store, uid, when), loc)
    if fmt == "json":
        _emit({**st.as_dict(), "prevention_program": adherence.as_dict() if adherence else None})
    else:
        console = _console()
        render_status(st, console)
        if adherence is not None:
            console.print(f"Prevention program: {adherence.summary()}")


def _adherence(store: Any, uid: int, when: datetime | None) -> Any:
    """How the prevention program is going, when the person has one (None otherwise)."""
    if store.get_document(uid, "prevention.program") is None:  # prevent.tracking.DOC_KEY, without importing it
        return None
    from ..prevent.tracking import progress

    found = progress(store, uid, today=(when or datetime.now()).date())
    return found[1] if found else None


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
        from ..contract import BadInput

        _check_format(fmt)
        when = parse_time(at, "at")
        store, uid = _open()
        try:
            ep = _pick_episode(store, uid, episode_id, open_only=True)
            closed = store.close_episode(uid, ep.id, at=when)
        except BadInput as e:
            bad_input(e)
        finally:
            store.close()
        if fmt == "json":
            _emit({k: v for k, v in closed.as_dict().items() if k != "result"})
        else:
            sys.stdout.write(f"Episode {closed.id} closed.\n")

    @app.command("episodes")
    def episodes(fmt: FormatOpt = "text") -> None:
        """List your episodes, newest first."""
        _check_format(fmt)
        store, uid = _open()
        try:
            eps = store.list_episodes(uid)
            counts = {e.id: len(store.list_checkins(uid, e.id)) for e in eps}
        finally:
            store.close()
        if fmt == "json":
            _emit([{**{k: v for k, v in e.as_dict().items() if k != "result"}, "checkins": counts[e.id]} for e in eps])
            return
        if not eps:
            sys.stdout.write("No episodes yet: `backspasm episode start` opens one.\n")
            return
        from rich.table import Table

        t = Table("id", "started", "state", "urgency at start", "check-ins")
        for e in eps:
            t.add_row(str(e.id), _when(e.started_at), "open" if e.is_open else "closed", e.urgency, str(counts[e.id]))
        _console().print(t)

    @app.command("checkin")
    def checkin(
        pain: Annotated[int | None, typer.Option(help="Pain now, 0-10.")] = None,
        tried: Annotated[
            str | None,
            typer.Option(help="What you tried: cold, heat, rest, stretches, nsaid, acetaminophen; e.g. cold=yes,nsaid=no."),
        ] = None,
        findings: Annotated[str | None, typer.Option(help="New finding codes, comma-separated.")] = None,
        note: Annotated[str | None, typer.Option(help="A note in your own words.")] = None,
        episode_id: EpisodeOpt = None,
        at: AtOpt = None,
        json_path: JsonOpt = None,
        fmt: FormatOpt = "text",
    ) -> None:
        """Record how the pain is now and what you tried; re-assesses the episode."""
        _checkin(episode_id, pain, tried, findings, note, at, json_path, fmt)

    @app.command("status")
    def status(
        episode_id: EpisodeOpt = None, now: NowOpt = None, fmt: FormatOpt = "text", locale: EpisodeLocaleOpt = None
    ) -> None:
        """Re-assess with the diary: what changed, the pain trend, what is due next."""
        _status(episode_id, now, fmt, locale)

    @app.command("remind")
    def remind(
        ics: Annotated[str | None, typer.Option("--ics", metavar="FILE", help="Write the reminders as iCalendar.")] = None,
        episode_id: EpisodeOpt = None,
        now: NowOpt = None,
        fmt: FormatOpt = "text",
    ) -> None:
        """The next due steps; --ics FILE exports them for a phone calendar."""
        from ..diary.reminders import to_ics

        _check_format(fmt)
        ep, st, _ = _episode_status(episode_id, parse_time(now, "now"))
        if ics is not None:
            write_output(ics, to_ics(st.next_due, ep.id, datetime.now(UTC)))
        if fmt == "json":
            _emit([r.as_dict() for r in st.next_due])
        else:
            for r in st.next_due:
                sys.stdout.write(f"{_when(r.at)}  {r.title}: {r.text}\n")
            if ics is not None:
                sys.stdout.write(f"Wrote {len(st.next_due)} reminder(s) to {ics}\n")

    @app.command("report")
    def report(
        out: Annotated[str, typer.Option("--out", "-o", metavar="FILE", help="visit.pdf or visit.html")],
        episode_id: EpisodeOpt = None,
        now: NowOpt = None,
        locale: EpisodeLocaleOpt = None,
    ) -> None:
        """A summary for your doctor: timeline, pain chart, red flags, what helped, urgency with sources."""

        kind = out.rsplit(".", 1)[-1].lower() if "." in out else ""
        if kind not in ("pdf", "html", "htm"):
            fail(f"bad input:\n  --out: {out!r} must end in .pdf or .html")
        loc = resolve_locale(locale) if locale is not None else None
        ep, st, _ = _episode_status(episode_id, parse_time(now, "now"), locale=loc)
        from ..report import build_html, build_pdf

        write_output(out, build_pdf(st) if kind == "pdf" else build_html(st).encode("utf-8"))
        sys.stderr.write(f"Wrote the report for episode {ep.id} to {out}\n")

    @app.command("export")
    def export(out: Annotated[str, typer.Option("--out", "-o", metavar="FILE", help="FILE.json, '-' for stdout.")]) -> None:
        """Export every episode and check-in (and your activity and documents) as JSON you own."""
        store, uid = _open()
        try:
            data = json.dumps(store.export_user(uid), ensure_ascii=False, indent=2) + "\n"
        finally:
            store.close()
        write_output(out, data)
        if out != "-":
            sys.stderr.write(f"Exported to {out}\n")

    @app.command("import")
    def import_(
        path: Annotated[str, typer.Argument(metavar="FILE", help="An export file, '-' for stdin.")],
        fmt: FormatOpt = "text",
    ) -> None:
        """Import an export file; all or nothing, and episodes already present are skipped."""
        from ..contract import BadInput

        _check_format(fmt)
        raw = read_source(path)
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            fail(f"bad input: {path} is not valid JSON: {e}")
        store, uid = _open()
        try:
            added = store.import_user(uid, data)
        except BadInput as e:
            bad_input(e)
        finally:
            store.close()
        if fmt == "json":
            _emit(added)
        else:
            sys.stdout.write(
                f"Imported {added['episodes']} episode(s) and {added['checkins']} check-in(s)"
                f" ({added['skipped_episodes']} already present).\n"
            )
