"""`backspasm screen`: a whole intake (CSV, JSON Lines, Parquet, FHIR NDJSON) triaged into a table."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from .common import bad_input, fail


def _progress(enabled: bool) -> Any:
    """A Rich progress bar with rows/s and an ETA on standard error, when it is a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        return None
    return Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def _print_summary(summary: Any, out: str) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Screened {summary.rows:,} rows into {out} in {summary.seconds:.1f} s")
    t.add_column("urgency")
    t.add_column("rows", justify="right")
    t.add_column("share", justify="right")
    total = max(summary.rows, 1)
    for level, n in summary.counts():
        t.add_row(level, f"{n:,}", f"{100 * n / total:.1f}%")
    t.add_row("bad rows (see error)", f"{summary.errors:,}", f"{100 * summary.errors / total:.1f}%")
    Console().print(t)


def register(app: typer.Typer) -> None:
    @app.command()
    def screen(
        input_path: Annotated[str, typer.Argument(metavar="INPUT", help="CSV, JSON Lines, Parquet or FHIR NDJSON file.")],
        out: Annotated[str, typer.Option("--out", metavar="OUTPUT", help="Parquet, CSV or JSON Lines file to write.")],
        from_format: Annotated[
            str | None, typer.Option("--from", help="Input format: csv, jsonl, parquet or fhir (default: from the name).")
        ] = None,
        to_format: Annotated[
            str | None, typer.Option("--to", help="Output format: parquet, csv or jsonl (default: from the name).")
        ] = None,
        jobs: Annotated[int, typer.Option(
            "--jobs", "-j", min=1,
            help="Processes that screen: this one and N-1 workers. Pays off for rows with text (the reader takes "
                 "milliseconds a row); structured rows are fastest in one process, which already reads on a second core.",
        )] = 1,
        strict: Annotated[bool, typer.Option("--strict", help="Exit 2, writing nothing, if any row is bad.")] = False,
        engine: Annotated[str, typer.Option("--engine", help="duckdb (this machine) or spark.")] = "duckdb",
        master: Annotated[
            str | None, typer.Option("--master", help="Spark master (default: spark-submit's, else local[*]).")
        ] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    ) -> None:
        """Screen a service's whole intake: one urgency per row, bad rows marked, a summary by urgency."""
        from ..contract import BadInput

        if engine not in ("duckdb", "spark"):
            fail(f"unknown engine '{engine}'; allowed: duckdb, spark")
        try:
            if engine == "spark":
                from ..screen.spark import screen_spark

                summary = screen_spark(input_path, out, input_format=from_format, output_format=to_format,
                                       strict=strict, master=master)
            else:
                summary = _run_local(input_path, out, from_format, to_format, jobs, strict, quiet)
        except BadInput as e:
            bad_input(e)
        if not quiet:
            _print_summary(summary, out)
        elif summary.errors:
            sys.stderr.write(f"backspasm: {summary.errors} of {summary.rows} rows are bad (see the error column)\n")


def _run_local(src: str, out: str, from_format: str | None, to_format: str | None, jobs: int, strict: bool,
               quiet: bool) -> Any:
    import time

    from ..screen import screen_file

    progress = _progress(not quiet)
    if progress is None:
        return screen_file(src, out, input_format=from_format, output_format=to_format, jobs=jobs, strict=strict)
    state: dict[str, Any] = {}

    def on_start(source: Any) -> None:
        state["task"] = progress.add_task("screen", total=source.count(), rate="-")
        state["t0"] = time.perf_counter()

    def on_rows(n: int) -> None:
        task = progress.tasks[0]
        done = task.completed + n
        rate = done / max(time.perf_counter() - state["t0"], 1e-9)
        progress.update(state["task"], advance=n, rate=f"{rate:,.0f}")

    with progress:
        return screen_file(src, out, input_format=from_format, output_format=to_format, jobs=jobs, strict=strict,
                           on_start=on_start, on_rows=on_rows)
