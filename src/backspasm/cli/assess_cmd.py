"""`backspasm assess` (JSON or interactive) and `backspasm explain CODE`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .common import bad_input, fail, read_source

CHUNK = 2000


def assess_json(path: str) -> None:
    """One object in, one result out; an array in, an array out, same order, any number of items.

    The whole batch is validated first (bad input prints nothing on stdout), then
    assessed and written a chunk at a time, so the results never pile up in memory.
    """
    from .. import jsonload
    from ..contract import BadInput, parse_assessment, parse_many
    from ..engine import assess

    raw = read_source(path)
    try:
        data = jsonload.loads(raw)
        del raw
        parsed = parse_many(data) if isinstance(data, list) else parse_assessment(data)
    except BadInput as e:
        bad_input(e)
    del data
    out = sys.stdout
    if not isinstance(parsed, list):
        out.write(assess(parsed).to_json() + "\n")
        return
    out.write("[")
    for start in range(0, len(parsed), CHUNK):
        if start:
            out.write(",\n")
        out.write(",\n".join(assess(a).to_json() for a in parsed[start : start + CHUNK]))
    out.write("]\n")


def register(app: typer.Typer) -> None:
    @app.command()
    def assess(
        json_path: Annotated[
            str | None,
            typer.Option("--json", metavar="FILE", help="Read the assessment (or an array of them) from FILE, '-' for stdin."),
        ] = None,
        no_color: Annotated[bool, typer.Option("--no-color", help="Plain output without colour.")] = False,
    ) -> None:
        """Assess a back spasm: from JSON, or by answering questions."""
        if json_path is not None:
            assess_json(json_path)
            return
        if not sys.stdin.isatty():
            fail("the interactive questionnaire needs a terminal; use --json FILE or --json - for scripts")
        from .interactive import run_questionnaire

        run_questionnaire(no_color=no_color)

    @app.command()
    def explain(
        code: Annotated[str, typer.Argument(help="A finding, condition, plan, professional or prevention code.")],
    ) -> None:
        """Explain what a code means, why it matters, and its source."""
        from .render import explain_code

        if not explain_code(code):
            fail(f"unknown code '{code}'; `backspasm knowledge` lists every code")
