"""Showing a result to a person in the terminal: banner, reasons, the plan by the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..knowledge import load
from ..knowledge.schema import PlanRule, PreventionRule, ProfessionalRule
from ..result import Cited, Result

COLOURS = {"self_care": "green", "soon": "yellow", "urgent": "dark_orange", "emergency": "red"}


def when_text(at_hour: float, hours_now: float, now: datetime | None = None) -> str:
    """'now', or the clock time a step starts, e.g. 'from Thu 14:00 (hour 48)'."""
    if at_hour <= hours_now:
        return "now"
    now = now or datetime.now()
    at = now + timedelta(hours=at_hour - hours_now)
    return f"from {at:%a %d %b %H:%M} (hour {at_hour:g})"


def timeline(rows: list[tuple[str, str]]) -> Table:
    """A borderless two-column table: when (bold) and what."""
    t = Table(show_header=False, box=None, pad_edge=False)
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    for when, what in rows:
        t.add_row(when, what)
    return t


def _source(item: Cited) -> Text:
    return Text(f"source: {item.ref}" + (f" ({item.note})" if item.note else ""), style="dim")


def banner(result: Result) -> Panel:
    level = load().levels[result.urgency]
    colour = COLOURS[result.urgency]
    body = Text.assemble((result.headline, "bold"), "\n", level.summary)
    return Panel(body, title=level.label.upper(), style=f"bold {colour}", border_style=colour, expand=True)


def render_result(result: Result, console: Console, now: datetime | None = None) -> None:
    """Print a whole result the way a person would want to read it."""
    console.print(banner(result))
    if result.reasons:
        console.rule("Why")
        for r in result.reasons:
            mark = " (from your words)" if r.get("from_text") else ""
            console.print(Text.assemble(("• ", COLOURS[str(r.get("level"))]), (r.title + mark, "bold"), f": {r.text}"))
            console.print(_source(r))
    if result.schedule:
        console.rule("Your plan by the clock")
        console.print(timeline([(when_text(s.at_hour, result.hours_since_onset, now), s.text) for s in result.schedule]))
    console.rule("What to do")
    for p in result.plan:
        caution = p.get("status") == "ask_first"
        head = Text.assemble(("• ", "bold"), (p.title, "bold"))
        if caution:
            head.append("  ASK A PHARMACIST OR DOCTOR FIRST", style="bold yellow")
        console.print(head)
        console.print(Text("  " + p.text))
        for c in p.get("cautions") or ():
            console.print(Text("  ! " + c, style="yellow"))
        console.print(_source(p))
    if result.professional:
        console.rule("What a doctor may offer")
        for o in result.professional:
            console.print(Text.assemble(("• ", "bold"), (o.title, "bold"), f": {o.text}"))
            console.print(_source(o))
    if result.prevention:
        console.rule("Keeping the next spasm away")
        for o in result.prevention:
            console.print(Text.assemble(("• ", "bold"), (o.title, "bold"), f": {o.text}"))
            console.print(_source(o))
    console.rule()
    console.print(Text(result.disclaimer, style="italic"))


def explain_code(code: str, console: Console | None = None) -> bool:
    """Print what a code means and why, with its source; False when the code is unknown."""
    console = console or Console()
    kb = load()
    blocks: list[Text] = []
    if code in kb.findings:
        f = kb.findings[code]
        blocks.append(Text.assemble((f.label, "bold"), f"  (finding, sets: {f.level})"))
        blocks.append(Text(f"Asked as: {f.question}"))
        blocks.append(Text(f"Why it matters: {f.text}"))
        blocks.append(Text(f"Source: {f.source.ref}" + (f" ({f.source.note})" if f.source.note else "")))
        if f.kind != "asked":
            blocks.append(Text("Also derived from the numbers you give (see CONTRACT.md).", style="dim"))
    elif code in kb.conditions:
        c = kb.conditions[code]
        blocks.append(Text.assemble((c.label, "bold"), "  (condition)"))
        blocks.append(Text(f"Asked as: {c.question}"))
        blocks.append(Text(f"Caution: {c.caution}"))
        blocks.append(Text(f"Source: {c.source.ref}" + (f" ({c.source.note})" if c.source.note else "")))
    else:
        rules: list[tuple[str, PlanRule | ProfessionalRule | PreventionRule]] = [("plan item", r) for r in kb.plan]
        rules += [("professional option", r) for r in kb.professional]
        rules += [("prevention", r) for r in kb.prevention]
        match = next(((kind, r) for kind, r in rules if r.code == code), None)
        if match is None:
            return False
        kind, r = match
        blocks.append(Text.assemble((r.title, "bold"), f"  ({kind})"))
        blocks.append(Text(r.text))
        blocks.append(Text(f"When: {r.when.describe()}"))
        af = getattr(r, "ask_first_when", None)
        if af is not None:
            names = [kb.conditions[c].label.lower() for c in af.conditions_any]
            if af.age_at_least:
                names.append(f"age {af.age_at_least} or over")
            blocks.append(Text("Ask a pharmacist or doctor first with: " + ", ".join(names)))
        blocks.append(Text(f"Source: {r.source.ref}" + (f" ({r.source.note})" if r.source.note else "")))
    console.print(Panel(Group(*blocks), title=code, expand=False))
    return True
