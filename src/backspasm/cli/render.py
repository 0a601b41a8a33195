"""Showing a result to a person in the terminal: banner, the safety net, reasons, the plan by the clock.

`render_compact` is the short answer the questionnaire prints by default (the banner, why,
the next 48 hours, what to watch for, and how answers were counted); `render_result` is
everything, with every source.

Every sentence is in the result's locale: the knowledge base's through `load(locale)`,
this module's own through the gettext catalogs. Sources show as titles with addresses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.console import Console, Group
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from .. import i18n
from ..clock import moment
from ..codes import DEFAULT_LOCALE
from ..knowledge import load
from ..knowledge.schema import PlanRule, PreventionRule, ProfessionalRule
from ..present import not_asked, readable_note, source_link, status_words, watch_groups
from ..result import Cited, Result, Step

COLOURS = {"self_care": "green", "soon": "yellow", "urgent": "dark_orange", "emergency": "red"}
STATUS_STYLE = {"ask_first": "bold yellow", "avoid": "bold red"}
AHEAD_HOURS = 48  # the short answer's plan covers this many hours from now


def when_text(at_hour: float, hours_now: float, now: datetime | None = None, locale: str = DEFAULT_LOCALE) -> str:
    """'now', or the clock time a step starts in the locale's format, e.g. 'from Thu 14:00 (hour 48)'."""
    _ = i18n.translations(locale).gettext
    if at_hour <= hours_now:
        return _("now")
    now = now or datetime.now()
    at = now + timedelta(hours=at_hour - hours_now)
    return _("from {clock} (hour {hour})").format(clock=moment(at, locale), hour=f"{at_hour:g}")


def short_when(at_hour: float, hours_now: float, now: datetime | None = None, locale: str = DEFAULT_LOCALE) -> str:
    """'now', or 'from Thu, Nov 26, 2:00 PM': when_text without the hour count, for the short answer."""
    _ = i18n.translations(locale).gettext
    if at_hour <= hours_now:
        return _("now")
    at = (now or datetime.now()) + timedelta(hours=at_hour - hours_now)
    return _("from {clock}").format(clock=moment(at, locale))


def timeline(rows: list[tuple[str, str]]) -> Table:
    """A borderless two-column table: when (bold) and what."""
    t = Table(show_header=False, box=None, pad_edge=False)
    t.add_column(style="bold", no_wrap=True)
    t.add_column()
    for when, what in rows:
        t.add_row(when, what)
    return t


def source_text(ref: str, note: str | None = None, locale: str = DEFAULT_LOCALE, dim: bool = True) -> Text:
    """'<title> <address>' (the title also a terminal hyperlink), with the note if any: never the raw ref."""
    link = source_link(ref)
    plain = "dim" if dim else ""
    out = Text(link.name, style=Style(dim=dim, link=link.url) if link.url else plain)
    if link.url:
        out.append(f" <{link.url}>", style=plain)
    if note:
        out.append(f" ({readable_note(note)})", style=plain)
    return out


def _source(item: Cited, locale: str) -> Text:
    _ = i18n.translations(locale).gettext
    return Text(_("source:") + " ", style="dim") + source_text(item.ref, item.note, locale)


def banner(result: Result) -> Panel:
    level = load(result.locale).levels[result.urgency]
    colour = COLOURS[result.urgency]
    body = Text.assemble((result.headline, "bold"), "\n", level.summary)
    return Panel(body, title=level.label.upper(), style=f"bold {colour}", border_style=colour, expand=True)


def safety_net(result: Result) -> Group | None:
    """The signs that would change the advice, grouped by level, the emergency group first; None when empty."""
    groups = watch_groups(result)
    if not groups:
        return None
    parts: list[Text | Table] = []
    for group in groups:
        colour = COLOURS[group.level]
        parts.append(Text(f"{group.heading}:", style=f"bold {colour}"))
        signs = Table.grid(padding=(0, 1))  # a grid, so a long sign wraps under its own text, not the bullet
        signs.add_column(style=colour, no_wrap=True)
        signs.add_column()
        for sign in group.signs:
            signs.add_row("  •", str(sign.get("sign")))
        parts.append(signs)
    return Group(*parts)


def unasked_line(result: Result) -> Text | None:
    """'Not asked: ...' naming the red flags this input never covered (None when it covered them all)."""
    labels = not_asked(result)
    if not labels:
        return None
    _ = i18n.translations(result.locale).gettext
    head = _("Not asked:")
    tail = _("answer these before relying on this advice.")
    return Text.assemble((head + " ", "bold yellow"), "; ".join(labels), f" ({tail})")


def print_safety_net(result: Result, console: Console) -> None:
    """The safety net and the unasked red flags, right after the banner."""
    net = safety_net(result)
    if net is not None:
        console.print(net)
    line = unasked_line(result)
    if line is not None:
        console.print(line)


def plan_card(item: Cited, locale: str) -> list[Text]:
    """One plan item; a pain reliever to avoid or to ask about first leads with why, never as a recommendation."""
    words = status_words(item.get("status"), locale)
    lines: list[Text] = []
    if words is None:
        lines.append(Text.assemble(("• ", "bold"), (item.title, "bold")))
    else:
        style = STATUS_STYLE[str(item.get("status"))]
        lines.append(Text.assemble(("• ", style), (words.upper() + ": ", style), (item.title, "bold")))
        lines.extend(Text("  ! " + c, style="yellow") for c in item.get("cautions") or ())
    lines.append(Text("  " + item.text))
    lines.append(_source(item, locale))
    return lines


def render_result(result: Result, console: Console, now: datetime | None = None) -> None:
    """Print a whole result the way a person would want to read it, in the result's locale."""
    loc = result.locale
    _ = i18n.translations(loc).gettext
    console.print(banner(result))
    print_safety_net(result, console)
    if result.reasons:
        console.rule(_("Why"))
        for r in result.reasons:
            mark = " (" + _("from your words") + ")" if r.get("from_text") else ""
            console.print(Text.assemble(("• ", COLOURS[str(r.get("level"))]), (r.title + mark, "bold"), f": {r.text}"))
            console.print(_source(r, loc))
    print_notes(result, console)
    if result.schedule:
        console.rule(_("Your plan by the clock"))
        console.print(timeline([(when_text(s.at_hour, result.hours_since_onset, now, loc), s.text)
                                for s in result.schedule]))
    console.rule(_("What to do"))
    for p in result.plan:
        for line in plan_card(p, loc):
            console.print(line)
    if result.professional:
        console.rule(_("What a doctor may offer"))
        for o in result.professional:
            console.print(Text.assemble(("• ", "bold"), (o.title, "bold"), f": {o.text}"))
            console.print(_source(o, loc))
    if result.prevention:
        console.rule(_("Keeping the next spasm away"))
        for o in result.prevention:
            console.print(Text.assemble(("• ", "bold"), (o.title, "bold"), f": {o.text}"))
            console.print(_source(o, loc))
    console.rule()
    console.print(Text(result.disclaimer, style="italic"))


def print_notes(result: Result, console: Console) -> None:
    """How answers were counted (not sure, or words and answers at odds), when there is anything to say."""
    if not result.notes:
        return
    _ = i18n.translations(result.locale).gettext
    console.rule(_("How your answers were counted"))
    console.print(_bullets([Text.assemble((n.label, "bold"), f": {n.text}") for n in result.notes], "bold yellow"))


def short_banner(result: Result) -> Panel:
    """The level and its headline: the first thing the short answer says."""
    level = load(result.locale).levels[result.urgency]
    colour = COLOURS[result.urgency]
    return Panel(Text(result.headline, style="bold"), title=level.label.upper(), style=f"bold {colour}",
                 border_style=colour, expand=True)


def steps_ahead(result: Result, hours: float = AHEAD_HOURS) -> tuple[Step, ...]:
    """The steps of the plan by the clock that are due now or within `hours`."""
    return tuple(s for s in result.schedule if s.at_hour - result.hours_since_onset <= hours)


def _bullets(rows: list[Text], style: str = "bold") -> Table:
    """Rows under a bullet each; a long row wraps under its own text, not under the bullet."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style=style, no_wrap=True)
    grid.add_column()
    for row in rows:
        grid.add_row("•", row)
    return grid


def render_compact(result: Result, console: Console, now: datetime | None = None, words_read: bool = False) -> None:
    """The short answer: banner, why, how answers were counted, the next 48 hours, what to watch for.

    With no reason to give, it says so plainly. The whole plan and its sources are `render_result`.
    """
    loc = result.locale
    _ = i18n.translations(loc).gettext
    console.print(short_banner(result))
    if result.reasons:
        console.rule(_("Why"))
        why = Table.grid(padding=(0, 1))
        why.add_column(no_wrap=True)
        why.add_column()
        for r in result.reasons:
            mark = " (" + _("from your words") + ")" if r.get("from_text") else ""
            why.add_row(Text("•", style=COLOURS[str(r.get("level"))]), Text.assemble((r.title + mark, "bold"), f": {r.text}"))
            why.add_row("", _source(r, loc))
        console.print(why)
    elif words_read:
        console.print(Text(_("Nothing in what you wrote, or in your answers, points to a warning sign."), style="bold"))
    else:
        console.print(Text(_("Nothing in your answers points to a warning sign."), style="bold"))
    print_notes(result, console)
    steps = steps_ahead(result)
    if steps:
        console.rule(_("The next 48 hours"))
        console.print(_bullets([Text.assemble((short_when(s.at_hour, result.hours_since_onset, now, loc) + ": ", "bold"),
                                              s.text) for s in steps]))
    groups = watch_groups(result)
    if groups:
        console.rule(_("What to watch for"))
        for group in groups:
            colour = COLOURS[group.level]
            signs = "; ".join(str(sign.get("sign")) for sign in group.signs)
            console.print(Text.assemble((f"{group.heading}: ", f"bold {colour}"), signs + "."))
    line = unasked_line(result)
    if line is not None:
        console.print(line)
    console.print(Text(result.disclaimer, style="italic dim"))


def _source_lines(ref: str, note: str | None, deviation: str | None, locale: str) -> list[Text]:
    _ = i18n.translations(locale).gettext
    lines = [Text.assemble((_("Source:") + " ", "bold"), source_text(ref, note, locale, dim=False))]
    if deviation:
        lines.append(Text.assemble((_("Where this rule departs from its source:") + " ", "bold"), deviation))
    return lines


def explain_code(code: str, console: Console | None = None, locale: str = DEFAULT_LOCALE) -> bool:
    """Print what a code means and why, with its source by title and address; False when the code is unknown."""
    console = console or Console()
    _ = i18n.translations(locale).gettext
    kb = load(locale)
    blocks: list[Text] = []
    if code in kb.findings:
        f = kb.findings[code]
        blocks.append(Text.assemble((f.label, "bold"), "  (" + _("finding, sets: {level}").format(level=f.level) + ")"))
        if f.persistent_from_hour:
            blocks.append(Text(_("Sets it from hour {hour}; before then it counts but sets self_care.").format(
                hour=f"{f.persistent_from_hour:g}")))
        blocks.append(Text(_("Asked as: {question}").format(question=f.question)))
        blocks.append(Text(_("Why it matters: {text}").format(text=f.text)))
        if f.arises_during_episode:
            heading = kb.levels[f.level].watch_heading or ""
            blocks.append(Text(_("Safety net: {heading} {sign}.").format(heading=heading, sign=f.watch)))
        blocks += _source_lines(f.source.ref, f.source.note, f.deviation, locale)
        if f.kind != "asked":
            blocks.append(Text(_("Also derived from the numbers you give (see docs/contract.md)."), style="dim"))
    elif code in kb.conditions:
        c = kb.conditions[code]
        blocks.append(Text.assemble((c.label, "bold"), "  (" + _("condition") + ")"))
        blocks.append(Text(_("Asked as: {question}").format(question=c.question)))
        blocks.append(Text(_("Caution: {caution}").format(caution=c.caution)))
        blocks += _source_lines(c.source.ref, c.source.note, None, locale)
    else:
        rules: list[tuple[str, PlanRule | ProfessionalRule | PreventionRule]] = [(_("plan item"), r) for r in kb.plan]
        rules += [(_("professional option"), r) for r in kb.professional]
        rules += [(_("prevention"), r) for r in kb.prevention]
        match = next(((kind, r) for kind, r in rules if r.code == code), None)
        if match is None:
            return False
        kind, r = match
        blocks.append(Text.assemble((r.title, "bold"), f"  ({kind})"))
        blocks.append(Text(r.text))
        blocks.append(Text(_("When: {when}").format(when=r.when.describe())))
        av = getattr(r, "avoid_when", None)
        if av is not None:
            names = [kb.conditions[c].label.lower() for c in av.conditions_any]
            blocks.append(Text(_("Do not take unless a doctor prescribes it, with: {names}").format(names=", ".join(names))))
        af = getattr(r, "ask_first_when", None)
        if af is not None:
            names = [kb.conditions[c].label.lower() for c in af.conditions_any]
            if af.age_at_least:
                names.append(_("age {age} or over").format(age=af.age_at_least))
            blocks.append(Text(_("Ask a pharmacist or doctor first with: {names}").format(names=", ".join(names))))
        blocks += _source_lines(r.source.ref, r.source.note, None, locale)
    console.print(Panel(Group(*blocks), title=code, expand=False))
    return True
