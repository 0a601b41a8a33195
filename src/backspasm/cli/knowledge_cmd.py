"""`backspasm knowledge`: the whole rule set as tables with sources, for clinical review."""

from __future__ import annotations

import json
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def knowledge(
        as_json: Annotated[bool, typer.Option("--json", help="Print the rule set as JSON instead of tables.")] = False,
        sql: Annotated[
            str | None,
            typer.Option("--sql", metavar="DIALECT", help="Print the triage as a SQL view (duckdb, postgres or spark)."),
        ] = None,
    ) -> None:
        """Print every rule with its source, for review."""
        if sql is not None:
            from ..screen.cli import print_sql

            print_sql(sql)
            return
        from ..knowledge import load, vocabulary

        if as_json:
            typer.echo(json.dumps(vocabulary(), indent=2, ensure_ascii=False))
            return
        from rich.console import Console
        from rich.table import Table

        kb = load()
        console = Console()
        t = Table(title="Findings: the urgency each sets", show_lines=False)
        for col in ("code", "sets", "asked as", "source"):
            t.add_column(col)
        for f in kb.findings.values():
            t.add_row(f.code, f.level, f.question, _cite(f.source.ref, f.source.note))
        console.print(t)
        t = Table(title="Conditions: cautions on over-the-counter pain relief")
        for col in ("code", "caution", "source"):
            t.add_column(col)
        for c in kb.conditions.values():
            t.add_row(c.code, c.caution, _cite(c.source.ref, c.source.note))
        console.print(t)
        for title, rules in (
            ("Plan items", kb.plan),
            ("Professional options", kb.professional),
            ("Prevention", kb.prevention),
        ):
            t = Table(title=title)
            for col in ("code", "when", "source"):
                t.add_column(col)
            for r in rules:
                when = r.when.describe()
                af = getattr(r, "ask_first_when", None)
                if af is not None:
                    parts = list(af.conditions_any) + ([f"age >= {af.age_at_least}"] if af.age_at_least else [])
                    when += "; ask_first with " + ", ".join(parts)
                t.add_row(r.code, when, _cite(r.source.ref, r.source.note))
            console.print(t)
        t = Table(title="Sources")
        for col in ("ref", "title"):
            t.add_column(col)
        for s in kb.sources.values():
            t.add_row(s.ref, s.title)
        console.print(t)


def _cite(ref: str, note: str | None) -> str:
    return f"{ref} ({note})" if note else ref
