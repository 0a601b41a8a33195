"""The `backspasm` command: a thin Typer shell over the engine, the diary and the web app.

Each command group lives in its own module and imports its heavy dependencies
inside the command, so `backspasm --help` stays fast.
"""

from __future__ import annotations

import sys

import typer

from . import assess_cmd, diary_cmd, fhir_cmd, knowledge_cmd, prevent_cmd, screen_cmd, serve_cmd

app = typer.Typer(
    name="backspasm",
    help="Back-spasm care: triage, a self-care plan by the clock, a pain diary and a report for your doctor. "
    "Not a diagnosis, and not a doctor.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

for module in (assess_cmd, knowledge_cmd, diary_cmd, prevent_cmd, serve_cmd, fhir_cmd, screen_cmd):
    module.register(app)


def main() -> None:
    """Console-script entry point: bad input exits 2 (handled in the commands), a fault exits 1 with one line."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        sys.exit(130)
    except Exception as e:  # a fault (database, disk, a bug): one line, never a traceback
        detail = (str(e).strip().splitlines() or [""])[0][:300]
        sys.stderr.write(f"backspasm: error: {type(e).__name__}{': ' + detail if detail else ''}\n")
        sys.exit(1)
