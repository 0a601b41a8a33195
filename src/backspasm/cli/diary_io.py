"""The diary's files: reminders as iCalendar, the doctor's report, export and import of everything."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from typing import Annotated

import typer

from .common import bad_input, fail, read_source, resolve_locale, write_output
from .diary_args import (
    EpisodeLocaleOpt,
    EpisodeOpt,
    FormatOpt,
    NowOpt,
    check_format,
    emit,
    episode_status,
    open_store,
    parse_time,
    when,
)


def _birth_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        fail(f"bad input:\n  --dob: {value!r} is not a date (e.g. 1980-02-29)")


def register(app: typer.Typer) -> None:
    @app.command("remind")
    def remind(
        ics: Annotated[str | None, typer.Option("--ics", metavar="FILE", help="Write the reminders as iCalendar.")] = None,
        episode_id: EpisodeOpt = None,
        now: NowOpt = None,
        fmt: FormatOpt = "text",
    ) -> None:
        """The next due steps; --ics FILE exports them for a phone calendar."""
        from ..diary.reminders import to_ics

        check_format(fmt)
        ep, st, _ = episode_status(episode_id, parse_time(now, "now"))
        if ics is not None:
            write_output(ics, to_ics(st.next_due, ep.id, datetime.now(UTC)))
        if fmt == "json":
            emit([r.as_dict() for r in st.next_due])
        else:
            for r in st.next_due:
                sys.stdout.write(f"{when(r.at)}  {r.title}: {r.text}\n")
            if ics is not None:
                sys.stdout.write(f"Wrote {len(st.next_due)} reminder(s) to {ics}\n")

    @app.command("report")
    def report(
        out: Annotated[str, typer.Option("--out", "-o", metavar="FILE", help="visit.pdf or visit.html")],
        episode_id: EpisodeOpt = None,
        now: NowOpt = None,
        name: Annotated[str | None, typer.Option(help="Your name, printed on the report (not stored).")] = None,
        dob: Annotated[str | None, typer.Option(help="Your date of birth, YYYY-MM-DD (printed, not stored).")] = None,
        locale: EpisodeLocaleOpt = None,
    ) -> None:
        """A summary for your doctor: urgency and why, pain now and at the start, red flags, what helped; then the timeline."""
        from .diary_args import zone

        kind = out.rsplit(".", 1)[-1].lower() if "." in out else ""
        if kind not in ("pdf", "html", "htm"):
            fail(f"bad input:\n  --out: {out!r} must end in .pdf or .html")
        if name is not None and len(name) > 200:
            fail("bad input:\n  --name: at most 200 characters")
        born = _birth_date(dob)
        loc = resolve_locale(locale) if locale is not None else None
        ep, st, _ = episode_status(episode_id, parse_time(now, "now"), locale=loc)
        from ..report import Reader, build_html, build_pdf

        reader = Reader(zone=zone(), locale=st.result.locale, name=name, birth_date=born)
        write_output(out, build_pdf(st, reader) if kind == "pdf" else build_html(st, reader).encode("utf-8"))
        sys.stderr.write(f"Wrote the report for episode {ep.id} to {out}\n")

    @app.command("export")
    def export(out: Annotated[str, typer.Option("--out", "-o", metavar="FILE", help="FILE.json, '-' for stdout.")]) -> None:
        """Export every episode and check-in (and your activity and documents) as JSON you own."""
        store, uid = open_store()
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
        from .. import jsonload
        from ..contract import BadInput

        check_format(fmt)
        raw = read_source(path)
        try:
            data = jsonload.loads(raw)
        except BadInput as e:
            bad_input(e)
        store, uid = open_store()
        try:
            added = store.import_user(uid, data)
        except BadInput as e:
            bad_input(e)
        finally:
            store.close()
        if fmt == "json":
            emit(added)
        else:
            sys.stdout.write(
                f"Imported {added['episodes']} episode(s) and {added['checkins']} check-in(s)"
                f" ({added['skipped_episodes']} already present).\n"
            )
