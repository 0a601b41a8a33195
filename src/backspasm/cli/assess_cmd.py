"""`backspasm assess` (JSON or interactive) and `backspasm explain CODE`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .common import LocaleOpt, bad_input, fail, read_source, resolve_locale

CHUNK = 2000


def assess_json(path: str, locale: str = "en-US") -> None:
    """One object in, one result out; an array in, an array out, same order, any number of items.

    The whole batch is validated first (bad input prints nothing on stdout), then assessed and
    written a chunk at a time as bytes, so the results never pile up in memory. An item's own
    `locale` wins; the others are worded in `locale` (the command's).
    """
    from .. import jsonload
    from ..codes import DEFAULT_LOCALE
    from ..contract import Assessment, BadInput, parse_assessment, parse_many
    from ..engine import assess

    raw = read_source(path)
    try:
        data = jsonload.loads(raw)
        del raw
        parsed = parse_many(data) if isinstance(data, list) else parse_assessment(data)
    except BadInput as e:
        bad_input(e)
    del data

    def worded(a: Assessment) -> Assessment:
        return a if a.locale is not None or locale == DEFAULT_LOCALE else a.model_copy(update={"locale": locale})

    if not isinstance(parsed, list):
        sys.stdout.write(assess(worded(parsed)).to_json() + "\n")
        return
    sys.stdout.flush()
    out = sys.stdout.buffer
    out.write(b"[")
    for start in range(0, len(parsed), CHUNK):
        if start:
            out.write(b",\n")
        out.write(b",\n".join(assess(worded(a)).to_json().encode("utf-8") for a in parsed[start : start + CHUNK]))
    out.write(b"]\n")
    out.flush()


def register(app: typer.Typer) -> None:
    @app.command()
    def assess(
        json_path: Annotated[
            str | None,
            typer.Option("--json", metavar="FILE", help="Read the assessment (or an array of them) from FILE, '-' for stdin."),
        ] = None,
        no_color: Annotated[bool, typer.Option("--no-color", help="Plain output without colour.")] = False,
        full: Annotated[
            bool,
            typer.Option("--full", help="Questionnaire: print the whole answer (every plan item, what a doctor may offer, "
                         "prevention, every source) instead of the short one."),
        ] = False,
        locale: LocaleOpt = None,
    ) -> None:
        """Assess a back spasm: from JSON, or by answering questions."""
        loc = resolve_locale(locale)
        if json_path is not None:
            if full:
                fail("bad input:\n  --full: is for the questionnaire; --json already writes the whole result")
            assess_json(json_path, loc)
            return
        if not sys.stdin.isatty():
            fail("the interactive questionnaire needs a terminal; use --json FILE or --json - for scripts")
        from .interactive import run_questionnaire

        run_questionnaire(no_color=no_color, locale=loc, full=full)

    @app.command()
    def explain(
        code: Annotated[str, typer.Argument(help="A finding, condition, plan, professional or prevention code.")],
        locale: LocaleOpt = None,
    ) -> None:
        """Explain what a code means, why it matters, and its source."""
        loc = resolve_locale(locale)
        from .render import explain_code

        if not explain_code(code, locale=loc):
            fail(f"unknown code '{code}'; `backspasm knowledge` lists every code")
