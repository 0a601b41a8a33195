"""`backspasm knowledge` and `backspasm sources`: the rule set and its sources, for clinical review.

Sources show as titles with addresses (the record a clinician can look up), never as raw
refs; each rule that departs from its named source says where and why.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from .common import LocaleOpt, resolve_locale

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def _cite(ref: str, note: str | None, locale: str) -> Text:
    from .render import source_text

    return source_text(ref, note, locale, dim=False)


def print_knowledge(locale: str) -> None:
    """Every rule as tables: findings with their level, safety-net clause, source and deviation; the rest."""
    from rich.console import Console
    from rich.table import Table

    from .. import i18n
    from ..knowledge import load

    _ = i18n.translations(locale).gettext
    kb = load(locale)
    console = Console()
    t = Table(title=_("Findings: the urgency each sets"), show_lines=True)
    for col in (_("code"), _("sets"), _("asked as"), _("watch for"), _("source"), _("departs from the source")):
        t.add_column(col)
    for f in kb.findings.values():
        sets = f.level if f.persistent_from_hour is None else _("{level} from hour {hour}").format(
            level=f.level, hour=f"{f.persistent_from_hour:g}")
        watch = f.watch if f.arises_during_episode else _("(not watched for: it cannot arise during an episode)")
        t.add_row(f.code, sets, f.question, watch, _cite(f.source.ref, f.source.note, locale), f.deviation or "")
    console.print(t)
    t = Table(title=_("Conditions: cautions on over-the-counter pain relief"))
    for col in (_("code"), _("caution"), _("source")):
        t.add_column(col)
    for c in kb.conditions.values():
        t.add_row(c.code, c.caution, _cite(c.source.ref, c.source.note, locale))
    console.print(t)
    for title, rules in (
        (_("Plan items"), kb.plan),
        (_("Professional options"), kb.professional),
        (_("Prevention"), kb.prevention),
    ):
        t = Table(title=title)
        for col in (_("code"), _("when"), _("source")):
            t.add_column(col)
        for r in rules:
            when = r.when.describe()
            av = getattr(r, "avoid_when", None)
            if av is not None:
                when += "; avoid with " + ", ".join(av.conditions_any)
            af = getattr(r, "ask_first_when", None)
            if af is not None:
                parts = list(af.conditions_any) + ([f"age >= {af.age_at_least}"] if af.age_at_least else [])
                when += "; ask_first with " + ", ".join(parts)
            t.add_row(r.code, when, _cite(r.source.ref, r.source.note, locale))
        console.print(t)
    print_sources(console, locale)


def print_sources(console: Console, locale: str) -> None:
    """The source records as a table: what each is, where to find it, and which rules cite it."""
    from rich.table import Table
    from rich.text import Text

    from .. import i18n
    from ..knowledge import load
    from ..sources import cited_by

    _ = i18n.translations(locale).gettext
    kb = load()
    index = cited_by()
    t = Table(title=_("Sources"), show_lines=True)
    t.add_column(_("source"), ratio=3)
    t.add_column(_("where it is cited"), ratio=2)
    for src in kb.sources.values():
        record = Text(src.name, style="bold")
        if src.url:
            record.append(f"\n{src.url}", style=f"link {src.url}")
        record.append(f"\n{src.kind} · {src.publisher} · {src.read}", style="dim")
        if src.section and src.kind != "article":
            record.append("\n" + _("section: {section}").format(section=src.section), style="dim")
        if src.superseded_by:
            cited = _("an earlier name of {name}, kept so stored results still resolve").format(
                name=kb.sources[src.superseded_by].name)
        else:
            grouped: dict[str, list[str]] = {}
            for section, code in index[src.ref]:
                grouped.setdefault(section, []).append(code)
            cited = "\n".join(f"{section}: {', '.join(codes)}" for section, codes in grouped.items())
        t.add_row(record, cited)
    console.print(t)


def register(app: typer.Typer) -> None:
    @app.command()
    def knowledge(
        as_json: Annotated[bool, typer.Option("--json", help="Print the rule set as JSON instead of tables.")] = False,
        sql: Annotated[
            str | None,
            typer.Option("--sql", metavar="DIALECT", help="Print the triage as a SQL view (duckdb, postgres or spark)."),
        ] = None,
        locale: LocaleOpt = None,
    ) -> None:
        """Print every rule with its source, for review."""
        if sql is not None:
            from ..screen.cli import print_sql

            print_sql(sql)
            return
        loc = resolve_locale(locale)
        if as_json:
            from ..knowledge import vocabulary

            typer.echo(json.dumps(vocabulary(loc), indent=2, ensure_ascii=False))
            return
        print_knowledge(loc)

    @app.command()
    def sources(
        as_json: Annotated[bool, typer.Option("--json", help="Print the records as JSON instead of a table.")] = False,
        locale: LocaleOpt = None,
    ) -> None:
        """List every source: kind, title, publisher, address, version read, section, and where it is cited."""
        loc = resolve_locale(locale)
        if as_json:
            from ..sources import listing

            typer.echo(json.dumps(listing(), indent=2, ensure_ascii=False))
            return
        from rich.console import Console

        print_sources(Console(), loc)
