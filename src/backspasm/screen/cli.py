"""What `backspasm knowledge --sql` prints, kept here so the knowledge command only delegates."""

from __future__ import annotations

import typer

from .sql import DIALECTS, view_sql


def print_sql(dialect: str) -> None:
    """Print the triage view for `dialect`; an unknown dialect is bad input (exit 2)."""
    if dialect not in DIALECTS:
        from ..cli.common import fail

        fail(f"unknown SQL dialect '{dialect}'; allowed: {', '.join(DIALECTS)}")
    typer.echo(view_sql(dialect), nl=False)
