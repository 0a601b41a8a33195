"""Showing the diary in the terminal: a saved check-in, an escalation, an emergency, an episode's status.

Wording follows the result's locale (the episode's own, or the one `--locale` asked for);
sources show by title, and the safety net follows the banner of every non-emergency answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .diary_args import day, when, zone

if TYPE_CHECKING:
    from rich.console import Console

    from ..diary.store import CheckinOutcome, Episode, Status
    from ..result import Cited, Result


def source_name(ref: str) -> str:
    """A source as people see it: its title, never the raw ref."""
    from ..present import source_link

    return source_link(ref).name


def episode_title(ep: Episode, loc: str | None = None) -> str:
    """'Episode 3: began Mon 23 Nov, recorded Mon 30 Nov' (the spasm's onset is the anchor)."""
    state = "" if ep.is_open else f", closed {day(ep.closed_at, loc)}" if ep.closed_at else ""
    return f"Episode {ep.id}: began {day(ep.onset_at, loc)}, recorded {day(ep.started_at, loc)}{state}"


def zone_line() -> str:
    return f"Times are in {zone()} (this machine's time zone)."


def _reasons(reasons: tuple[Cited, ...], console: Console) -> None:
    from rich.text import Text

    for r in reasons:
        console.print(Text.assemble(("• ", "bold"), (r.title, "bold"), f": {r.text}",
                                    (f"  (source: {source_name(r.ref)})", "dim")))


def render_emergency(result: Result, console: Console, episode_id: int) -> None:
    """The emergency in plain sight: why, what to do now, and how to record the visit; no routine next step."""
    from rich.panel import Panel
    from rich.text import Text

    from ..knowledge import load

    level = load(result.locale).levels["emergency"]
    body = Text.assemble((result.headline + "\n", "bold"), level.summary + "\n")
    for r in result.reasons:
        body.append(f"• {r.title}: {r.text}\n")
    body.rstrip()
    console.print(Panel(body, title=level.label.upper(), border_style="red", style="bold red"))
    console.print(f"When a clinician has seen you, record it: backspasm seen --episode {episode_id} --note \"what they said\"")


def render_escalation(out: CheckinOutcome, console: Console) -> None:
    """The prominent warning when a check-in raises urgency."""
    from rich.panel import Panel
    from rich.text import Text

    from ..knowledge import load
    from .render import COLOURS

    r = out.result
    kb = load(r.locale)
    body = Text.assemble(
        (f"{kb.levels[out.previous_urgency].label} → {kb.levels[r.urgency].label}\n", "bold"),
        (r.headline + "\n", "bold"),
    )
    for reason in r.reasons:
        body.append(f"• {reason.title}: {reason.text} (source: {source_name(reason.ref)})\n")
    body.rstrip()
    console.print(Panel(body, title="URGENCY RAISED", border_style=COLOURS[r.urgency], style=f"bold {COLOURS[r.urgency]}"))


def render_checkin(out: CheckinOutcome, ep: Episode, console: Console) -> None:
    from rich.text import Text

    from ..knowledge import load
    from .render import banner, print_safety_net

    c = out.checkin
    loc = out.result.locale
    console.print(Text(f"Check-in saved: pain {c.pain}/10 at {when(c.at, loc)} (hour {c.hours_since_onset:.0f}) "
                       f"of episode {ep.id}. {zone_line()}"))
    labels = {code: f.label.lower() for code, f in load(loc).findings.items()}
    for code in c.gone:
        if code in out.held:
            console.print(Text(f"Noted that the {labels[code]} has gone, but an emergency sign holds until you record "
                               "that a clinician has seen you.", style="bold red"))
        else:
            console.print(Text(f"Noted: {labels[code]} gone; it no longer counts from this check-in."))
    if out.result.urgency == "emergency":
        render_emergency(out.result, console, ep.id)
        return
    if out.escalated:
        render_escalation(out, console)
    else:
        console.print(banner(out.result))
    print_safety_net(out.result, console)
    console.print("See `backspasm status` for what changed and what is next.")


def render_status(st: Status, console: Console) -> None:
    from rich.text import Text

    from ..knowledge import load
    from ..present import status_words
    from .render import banner, print_safety_net, timeline

    ep = st.episode
    loc = st.result.locale
    console.print(Text(f"{episode_title(ep, loc)}. Hour {st.hours_since_onset:.0f} since the spasm began.", style="bold"))
    console.print(Text(zone_line(), style="dim"))
    if st.result.urgency == "emergency":
        render_emergency(st.result, console, ep.id)
    else:
        console.print(banner(st.result))
        print_safety_net(st.result, console)
    labels = {code: f.label for code, f in load(loc).findings.items()}
    if st.held:
        console.print(Text("Reported gone but still counted until you record a clinician's visit: "
                           + ", ".join(labels[c] for c in st.held), style="bold red"))
    if st.advice:
        console.print(Text(st.advice, style="bold"))
        for v in st.visits:
            console.print(Text(f"  Seen {when(v.at, loc)}" + (f": {v.note}" if v.note else ""), style="dim"))
    pains = [int(ep.assessment["pain"]), *(c.pain for c in st.checkins)]
    console.print(Text.assemble(("Pain trend  ", "bold"), st.sparkline, f"  {' '.join(map(str, pains[-12:]))}"))
    if st.changes:
        console.rule("Since your last check-in")
        for c in st.changes:
            console.print(Text.assemble(("• ", "bold"), c.text, (f"  (source: {source_name(c.ref)})", "dim")))
    if st.result.reasons and st.result.urgency != "emergency":
        console.rule("Why")
        _reasons(st.result.reasons, console)
    console.rule("What to do now")
    for p in st.result.plan:
        words = status_words(p.get("status"), loc)
        if words:
            console.print(Text.assemble(("• ", "bold"), (f"{words}: ", "bold yellow"), p.title))
        else:
            console.print(Text.assemble(("• ", "bold"), p.title))
    if st.next_due:
        console.rule("Next")
        console.print(timeline([("now" if d.at <= st.now else when(d.at, loc), f"{d.title}: {d.text}")
                                for d in st.next_due]))
    if st.escalations:
        console.print(Text(f"Urgency was raised {len(st.escalations)} time(s) in this episode.", style="dim"))
    console.print(Text(st.result.disclaimer, style="italic"))
