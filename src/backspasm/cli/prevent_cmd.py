"""`backspasm exercises`, `prevent`, `checklist`, `done` and `program`: prevention from the terminal.

Heavy modules (Rich, the diary's SQLAlchemy store, icalendar) are imported inside
the commands so `backspasm --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import bad_input, fail, read_source, write_output

if TYPE_CHECKING:
    from rich.console import Console

    from ..prevent.program import Program
    from ..prevent.schema import Exercise
    from .interactive import Asker

FORMATS = ("text", "json")
LEVEL_CHOICES = ("inactive", "some", "active", "very_active")
ACTIVITY_CHOICES = ("walking", "swimming", "cycling")


def _format(value: str) -> str:
    if value not in FORMATS:
        fail(f"bad input: --format must be one of: {', '.join(FORMATS)}")
    return value


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(highlight=False, stderr=stderr)


def _source_line(source: Any) -> str:
    """The source by its title (people never see a raw ref), with its address and note."""
    from ..present import readable_note, source_link

    ref = source.ref if hasattr(source, "ref") else source["ref"]
    note = source.note if hasattr(source, "note") else source.get("note")
    link = source_link(ref)
    return f"source: {link.name}" + (f" <{link.url}>" if link.url else "") + (f" ({readable_note(note)})" if note else "")


# ---- exercises ----


def _exercise_or_fail(code: str) -> Exercise:
    from ..prevent.library import find_exercise, load

    ex = find_exercise(code)
    if ex is None:
        fail(f"bad input: unknown exercise '{code}'; choose one of: {', '.join(load().exercises)}")
    return ex


def write_figure(ex: Exercise, path: str) -> None:
    """The exercise's SVG figure into FILE ('-': standard output); a file that cannot be written is exit 2."""
    from ..prevent.library import load

    write_output(path, load().figures[ex.code] + "\n")


def open_figure(ex: Exercise, locale: str, console: Console | None = None) -> None:
    """Write the figure to a temporary file and open it in the web browser (exit 1 when neither can be done)."""
    import tempfile
    import webbrowser

    from .. import i18n
    from ..prevent.library import load

    _ = i18n.translations(locale).gettext
    try:
        fd, name = tempfile.mkstemp(prefix=f"backspasm-{ex.code}-", suffix=".svg")
        with open(fd, "w", encoding="utf-8") as f:
            f.write(load().figures[ex.code] + "\n")
    except OSError as e:
        fail(_("cannot write the picture to a temporary file: {error}").format(error=e.strerror or e), code=1)
    path = Path(name)
    if not webbrowser.open(path.as_uri()):
        fail(_("no web browser could be opened; the picture is in {path}").format(path=path), code=1)
    (console or _console()).print(_("Opened the picture in your browser ({path}).").format(path=path), style="dim")


def show_exercise(ex: Exercise, fmt: str, console: Console | None = None, locale: str | None = None) -> None:
    """Print one exercise in full (text: the steps, never just a file), or as JSON with its SVG figure."""
    from .. import i18n
    from ..prevent.library import load

    data = load()
    if fmt == "json":
        out = ex.model_dump(mode="json", exclude_none=True)
        out["dose_text"] = ex.dose.describe()
        out["stop_signs"] = [s.model_dump(mode="json", exclude_none=True) for s in data.stop_signs]
        out["figure_svg"] = data.figures[ex.code]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return
    from rich.panel import Panel
    from rich.text import Text

    _ = i18n.translations(locale or i18n.from_environment()).gettext
    console = console or _console()
    grow = f" (growing to {ex.dose_week6.describe()} by week 6)" if ex.dose_week6 else ""
    body = Text()
    body.append(ex.purpose + "\n\n")
    body.append("How to do it\n", style="bold")
    for i, step in enumerate(ex.steps, 1):
        body.append(f"  {i}. {step}\n")
    body.append("\nHow much: ", style="bold")
    body.append(ex.dose.describe() + grow + "\n")
    body.append("Easier: ", style="bold")
    body.append(ex.easier + "\n")
    body.append("Harder: ", style="bold")
    body.append(ex.harder + "\n\n")
    body.append("Stop when\n", style="bold red")
    for s in ex.stop_if:
        body.append(f"  ! {s}\n", style="red")
    for sign in data.stop_signs:
        body.append(f"  ! {sign.text}\n", style="red")
    body.append("\n" + _source_line(ex.source) + "\n")
    body.append(_("Picture:") + " ", style="bold")
    body.append(ex.figure_alt + "\n")
    body.append(
        _("See it: backspasm exercises show {code} --open (in your browser), or --svg FILE to save it.").format(code=ex.code),
        style="dim",
    )
    console.print(Panel(body, title=Text(f"{ex.name} ({ex.code})"), expand=False))


def list_exercises(fmt: str, console: Console | None = None) -> None:
    from ..prevent.library import load

    data = load()
    if fmt == "json":
        rows = [
            {
                "code": e.code,
                "name": e.name,
                "kind": e.kind,
                "purpose": e.purpose,
                "dose": e.dose.describe(),
                "source": e.source.model_dump(exclude_none=True),
            }
            for e in data.exercises.values()
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    from rich.table import Table

    from ..present import source_link

    console = console or _console()
    t = Table(title="Exercise library", title_justify="left")
    for col in ("code", "exercise", "kind", "how much (week 1)", "source"):
        t.add_column(col, overflow="fold")
    kinds = {"stretch": "stretch", "core": "core", "low_impact": "low-impact"}
    for e in data.exercises.values():
        t.add_row(e.code, e.name, kinds[e.kind], e.dose.describe(), source_link(e.source.ref).name)
    console.print(t)
    console.print("Show one in full: backspasm exercises show CODE", style="dim")


# ---- the program ----


def ask_program(ask: Asker, known: dict[str, Any], diary_episode: bool) -> dict[str, Any]:
    """Fill in the answers the flags left open by asking; the episode check runs the assessment questions."""
    from ..prevent.library import load

    data = load()
    answers = dict(known)
    if "sitting_hours" not in answers:
        answers["sitting_hours"] = ask.integer("On a usual day, how many hours do you spend sitting?", 0, 24, 8)
    if "lifting_at_work" not in answers:
        answers["lifting_at_work"] = ask.confirm("Do you lift or carry loads at work?", False)
    if "activity_level" not in answers:
        levels = data.settings.levels
        ask.say("How active are you now?")
        for i, lv in enumerate(levels, 1):
            ask.say(f"  {i}. {lv.label}")
        answers["activity_level"] = levels[ask.integer("Choose a number", 1, len(levels), 1) - 1].code
    if "activities" not in answers:
        chosen = [a for a in ACTIVITY_CHOICES if ask.confirm(f"Can you go {a}?", a == "walking")]
        if not chosen:
            ask.say("None chosen: the program uses walking, which needs no equipment.")
        answers["activities"] = chosen or ["walking"]
    if "limits" not in answers:
        answers["limits"] = [lim.code for lim in data.limits.values() if ask.confirm(f"Any {lim.label.lower()}?", False)]
    has_episode = any(k in answers for k in ("urgency", "hours_since_onset", "assessment"))
    if not has_episode and not diary_episode and ask.confirm("Do you have a back spasm right now?", False):
        from ..engine import assess
        from .interactive import gather

        ask.say("Then a few questions about it first: exercise has to wait while it needs a doctor.")
        gathered, reading, _ = gather(ask)
        result = assess(gathered.assessment(), read_text=lambda _t: reading)
        answers["urgency"] = result.urgency
        answers["hours_since_onset"] = gathered.hours or 0.0
    return answers


def _open_store() -> Any:
    from ..diary.store import open_store

    return open_store()


def render_program(program: Program, console: Console, adherence: Any = None) -> None:
    """The program in the terminal: why, the six weeks at a glance, tips, what was left out, when to stop."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from ..prevent.library import load

    data = load()
    if program.status == "not_now":
        render_withheld(program, console)
        return
    assert program.start is not None
    console.print(
        Panel(
            Text(f"Your {len(program.weeks)}-week back care program, starting {program.start:%A %d %B %Y}", style="bold"),
            border_style="green",
        )
    )
    for n in program.notes:
        console.print(Text.assemble(("• ", "bold"), n.text))
        console.print(Text("  " + _source_line(n.source), style="dim"))
    t = Table(title="Week by week", title_justify="left")
    t.add_column("week", justify="right")
    t.add_column("from")
    t.add_column("low-impact", justify="right")
    t.add_column("core (3 days a week)", overflow="fold")
    t.add_column("stretches (daily)", overflow="fold")
    for w in program.weeks:
        core = "\n".join(f"{data.exercises[c].name}: {d.describe()}" for c, d in w.core.items()) or "-"
        st = "\n".join(f"{data.exercises[c].name}: {d.describe()}" for c, d in w.stretches.items()) or "-"
        t.add_row(str(w.number), f"{w.starts:%a %d %b}", f"{w.activity_minutes} min", core, st)
    console.print(t)
    first_day, first_sessions = program.days()[0]
    console.print(Text(f"First day ({first_day:%a %d %b}):", style="bold"))
    for s in first_sessions:
        console.print(Text(f"  [ ] {s.name}: {s.dose.describe()}"))
    if program.tips:
        console.rule("Every day")
        for n in program.tips:
            console.print(Text.assemble(("• ", "bold"), n.text))
            console.print(Text("  " + _source_line(n.source), style="dim"))
    if program.left_out:
        console.rule("Left out for you")
        for n in program.left_out:
            console.print(Text.assemble(("• ", "bold"), n.text))
            console.print(Text("  " + _source_line(n.source), style="dim"))
    console.rule("Stop and see a doctor")
    for sign in data.stop_signs:
        console.print(Text("! " + sign.text, style="red"))
    if adherence is not None:
        console.rule("How it is going")
        render_adherence(adherence, console)
    console.print(
        Text("Each exercise in full: backspasm exercises show CODE. Tick off a session: backspasm done CODE.", style="dim")
    )


def render_withheld(program: Program, console: Console, locale: str | None = None) -> None:
    """Why there is no program for now, what still applies until the visit, and when to come back."""
    from rich.panel import Panel
    from rich.text import Text

    from .. import i18n

    _ = i18n.translations(locale or i18n.from_environment()).gettext
    w = program.withheld
    if w is None:  # an older saved shape: the notes carry the reason
        for n in program.notes:
            console.print(Text(n.text, style="bold red"))
        return
    colour = {"soon": "yellow", "urgent": "dark_orange"}.get(w.urgency, "red")
    console.print(Panel(Text(w.text, style="bold"), title=w.title.upper(), border_style=colour))
    console.print(Text("  " + _source_line(w.source), style="dim"))
    if w.still_applies:
        console.rule(_("Until the visit"))
        for step in w.still_applies:
            console.print(Text.assemble(("• ", "bold"), (step.title + ": ", "bold"), step.text))
            console.print(Text("  " + _source_line(step.source), style="dim"))
    console.rule(_("After the visit"))
    console.print(Text(w.come_back))


def render_adherence(adh: Any, console: Console) -> None:
    from rich.text import Text

    console.print(Text(adh.summary(), style="bold"))
    for week, due, done in adh.by_week:
        bar = "#" * done + "." * (due - done)
        console.print(Text(f"  week {week}: {done:>3}/{due:<3} {bar}"))
    if adh.today:
        console.print(Text("Today:", style="bold"))
        for s, ok in adh.today:
            console.print(Text(f"  [{'x' if ok else ' '}] {s.name} ({s.code}): {s.dose.describe()}"))


def _collect_flags(
    sitting_hours: float | None,
    lifting_at_work: bool | None,
    activity_level: str | None,
    activities: list[str] | None,
    limits: list[str] | None,
    urgency: str | None,
    hours_since_onset: float | None,
    start: str | None,
    at_time: str | None,
) -> dict[str, Any]:
    flags: dict[str, Any] = {
        "sitting_hours": sitting_hours,
        "lifting_at_work": lifting_at_work,
        "activity_level": activity_level,
        "activities": activities or None,
        "limits": limits or None,
        "urgency": urgency,
        "hours_since_onset": hours_since_onset,
        "start": start,
        "session_time": at_time,
    }
    return {k: v for k, v in flags.items() if v is not None}


def run_prevent(
    known: dict[str, Any],
    json_path: str | None,
    fmt: str,
    ics_path: str | None,
    use_diary: bool,
    now: datetime | None = None,
) -> None:
    """Gather answers (JSON, flags, diary, prompts), build the program, print, export and save it."""
    from ..contract import BadInput
    from ..prevent.program import build_program, parse_request

    now_local = now or datetime.now()
    answers = dict(known)
    if json_path is not None:
        try:
            loaded = json.loads(read_source(json_path))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            fail(f"bad input: input is not valid JSON: {e}")
        if not isinstance(loaded, dict):
            fail("bad input: a program request must be a JSON object")
        answers = {**loaded, **answers}
    store = user = None
    diary_episode = False
    has_episode = any(k in answers for k in ("urgency", "hours_since_onset", "assessment"))
    if use_diary:
        try:
            store = _open_store()
            user = store.local_user()
        except Exception as e:  # the diary is a convenience here: say so and carry on without it
            sys.stderr.write(f"backspasm: the diary is not available ({e}); continuing without it\n")
            store = None
    if store is not None and user is not None and not has_episode:
        from ..prevent.tracking import episode_from_diary

        found = episode_from_diary(store, user.id, now_local.astimezone(UTC))
        if found is not None:
            answers["urgency"], answers["hours_since_onset"] = found[0], round(found[1], 2)
            diary_episode = True
    missing = [k for k in ("sitting_hours", "lifting_at_work", "activity_level") if k not in answers]
    if missing:
        if json_path is None and sys.stdin.isatty():
            from .interactive import RichAsker

            answers = ask_program(RichAsker(_console()), answers, diary_episode)
        else:
            flags = {
                "sitting_hours": "--sitting-hours",
                "lifting_at_work": "--lifting-at-work/--no-lifting-at-work",
                "activity_level": "--activity-level",
            }
            where = "the JSON" if json_path is not None else "flags (or run it in a terminal to be asked)"
            fail(
                "bad input:\n  "
                + "\n  ".join(f"{k}: required field is missing (give it in {where}: {flags[k]})" for k in missing)
            )
    from .. import i18n

    try:
        program = build_program(parse_request(answers), now=now_local, locale=i18n.from_environment())
    except BadInput as e:
        bad_input(e)
    if ics_path is not None and program.status == "ready":
        from ..prevent.ics import program_to_ics

        payload = program_to_ics(program)
        if ics_path == "-":
            sys.stdout.buffer.write(payload)
        else:
            try:
                Path(ics_path).write_bytes(payload)
            except OSError as e:
                fail(f"cannot write {ics_path}: {e.strerror or e}", code=1)
    if store is not None and user is not None and program.status == "ready":
        from ..prevent.tracking import save_program

        save_program(store, user.id, program, now_local.astimezone(UTC))
    if ics_path == "-":
        return
    if fmt == "json":
        sys.stdout.write(program.to_json() + "\n")
    else:
        console = _console()
        render_program(program, console)
        if ics_path is not None and program.status == "ready":
            console.print(f"Calendar written to {ics_path}.", style="green")
        elif ics_path is not None:
            console.print("No calendar written: there is no program for now.", style="yellow")
    if store is not None:
        store.close()


# ---- checklists ----


def run_checklist(name: str, json_path: str | None, fmt: str, ask: Asker | None = None) -> None:
    from ..contract import BadInput
    from ..prevent.checklists import evaluate, evaluate_json, get_checklist

    try:
        checklist = get_checklist(name)
    except BadInput as e:
        bad_input(e)
    if json_path is not None:
        try:
            result = evaluate_json(name, read_source(json_path))
        except BadInput as e:
            bad_input(e)
    else:
        if ask is None:
            if not sys.stdin.isatty():
                fail("the self-check needs a terminal; use --json FILE (or -) with {item: true|false} answers")
            from .interactive import RichAsker

            ask = RichAsker(_console())
        ask.say(checklist.title + ": " + checklist.intro)
        result = evaluate(name, {i.code: ask.confirm(i.question) for i in checklist.items})
    if fmt == "json":
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    from rich.text import Text

    console = _console()
    console.rule(checklist.title)
    console.print(Text(result.summary(), style="bold green" if not result.to_change else "bold yellow"))
    for item in result.to_change:
        console.print(Text.assemble(("• ", "bold"), item.fix))
        console.print(Text("  " + _source_line(item.source), style="dim"))


# ---- ticking off and adherence ----


def _parse_at(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(at)
    except ValueError:
        fail(f"bad input: --at: '{at}' is not an ISO date and time (e.g. 2026-11-27T08:30)")
    return value if value.tzinfo else value.astimezone()


def register(app: typer.Typer) -> None:
    """Add the prevention commands to the root app."""
    exercises_app = typer.Typer(help="The exercise library: stretches, core work and low-impact activity.", rich_markup_mode=None)

    @exercises_app.callback(invoke_without_command=True)
    def exercises(
        ctx: typer.Context,
        fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    ) -> None:
        """List the exercises (or `show CODE` for one in full)."""
        if ctx.invoked_subcommand is None:
            list_exercises(_format(fmt))

    @exercises_app.command("show")
    def show(
        code: Annotated[str, typer.Argument(help="An exercise code, e.g. plank.")],
        fmt: Annotated[str, typer.Option("--format", help="text or json (json includes the SVG figure).")] = "text",
        svg: Annotated[
            str | None,
            typer.Option("--svg", metavar="FILE", help="Also write the figure to FILE as SVG ('-': only the SVG, to stdout)."),
        ] = None,
        open_it: Annotated[
            bool, typer.Option("--open", help="Also open the figure in your web browser (from a temporary file).")
        ] = False,
    ) -> None:
        """Show one exercise: purpose, steps, how much, easier and harder, when to stop, what the picture shows,
        source. Exit 2 for an unknown exercise or a FILE that cannot be written; 1 when no browser opens."""
        from .. import i18n

        fmt = _format(fmt)
        ex = _exercise_or_fail(code)
        if svg is not None:
            write_figure(ex, svg)
            if svg == "-":
                return
        show_exercise(ex, fmt)
        if open_it:
            open_figure(ex, i18n.from_environment(), _console(stderr=fmt == "json"))

    app.add_typer(exercises_app, name="exercises")

    @app.command()
    def prevent(
        sitting_hours: Annotated[float | None, typer.Option(help="Hours sitting on a usual day (0-24).")] = None,
        lifting_at_work: Annotated[
            bool | None, typer.Option("--lifting-at-work/--no-lifting-at-work", help="Whether you lift loads at work.")
        ] = None,
        activity_level: Annotated[
            str | None, typer.Option(help="How active you are now: " + ", ".join(LEVEL_CHOICES) + ".")
        ] = None,
        activity: Annotated[
            list[str] | None,
            typer.Option("--activity", help="A low-impact activity you can do (repeat): walking, swimming, cycling."),
        ] = None,
        limit: Annotated[
            list[str] | None, typer.Option("--limit", help="A limit (repeat): wrist_or_shoulder_pain, knee_pain, neck_pain.")
        ] = None,
        urgency: Annotated[str | None, typer.Option(help="Urgency of a current spasm (from `backspasm assess`).")] = None,
        hours_since_onset: Annotated[float | None, typer.Option(help="Hours since a current spasm began.")] = None,
        start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD (default today).")] = None,
        at_time: Annotated[str | None, typer.Option("--time", help="Time of day for sessions, HH:MM (default 08:00).")] = None,
        json_path: Annotated[
            str | None, typer.Option("--json", metavar="FILE", help="Read the answers from FILE, '-' for stdin.")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
        ics: Annotated[
            str | None, typer.Option("--ics", metavar="FILE", help="Export the program to an iCalendar file ('-': stdout).")
        ] = None,
        diary: Annotated[
            bool, typer.Option("--diary/--no-diary", help="Read the current episode from, and save the program to, the diary.")
        ] = True,
    ) -> None:
        """Build your personal 6-week prevention program (asks a few questions on a terminal)."""
        known = _collect_flags(
            sitting_hours, lifting_at_work, activity_level, activity, limit, urgency, hours_since_onset, start, at_time
        )
        run_prevent(known, json_path, _format(fmt), ics, diary)

    @app.command()
    def checklist(
        name: Annotated[str, typer.Argument(help="workspace or lifting.")],
        json_path: Annotated[
            str | None, typer.Option("--json", metavar="FILE", help="Answers {item: true|false} from FILE, '-' for stdin.")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    ) -> None:
        """A short self-check of your workspace or your lifting, ending with what to change."""
        run_checklist(name, json_path, _format(fmt))

    @app.command()
    def done(
        code: Annotated[str, typer.Argument(help="The exercise you did, e.g. plank or walking.")],
        at: Annotated[str | None, typer.Option(help="When, ISO date and time (default now).")] = None,
        minutes: Annotated[int | None, typer.Option(min=1, max=600, help="How many minutes (for activities).")] = None,
    ) -> None:
        """Tick off a session of your program in the diary. Refused (exit 2, nothing recorded) with no program
        saved, while the program is withheld (a doctor's visit first) or before its first day."""
        from .. import i18n
        from ..prevent.tracking import NotUnderWay, tick_off

        ex = _exercise_or_fail(code)
        when = _parse_at(at)
        locale = i18n.from_environment()
        _ = i18n.translations(locale).gettext
        store = _open_store()
        try:
            user = store.local_user()
            try:
                _program, adherence = tick_off(store, user.id, ex.code, when, {"minutes": minutes} if minutes else {}, locale)
            except NotUnderWay as e:
                hint = {
                    "no_program": _("Build one with `backspasm prevent`."),
                    "program_not_started": _("See it with `backspasm program`."),
                }.get(e.code, "")
                fail(f"{e.message} {hint}".strip())
            console = _console()
            console.print(f"Done: {ex.name} on {when.astimezone():%a %d %b %H:%M}.", style="green")
            render_adherence(adherence, console)
        finally:
            store.close()

    @app.command()
    def program(
        fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
        ics: Annotated[str | None, typer.Option("--ics", metavar="FILE", help="Export the saved program to FILE.")] = None,
    ) -> None:
        """Your saved prevention program and how closely you have followed it."""
        from .. import i18n
        from ..prevent.tracking import progress

        fmt = _format(fmt)
        store = _open_store()
        try:
            found = progress(store, store.local_user().id, locale=i18n.from_environment())
        finally:
            store.close()
        if found is None:
            fail("no program saved yet: run `backspasm prevent` first", code=1)
        prog, adh = found
        if ics is not None:
            from ..prevent.ics import program_to_ics

            Path(ics).write_bytes(program_to_ics(prog))
        if fmt == "json":
            sys.stdout.write(
                json.dumps({"program": prog.as_dict(), "adherence": adh.as_dict()}, ensure_ascii=False, indent=2) + "\n"
            )
            return
        render_program(prog, _console(), adh)
