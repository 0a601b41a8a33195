"""The check-in questions on a terminal: pain, what was tried, whether each finding is still there, the red flags again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from ..diary.store import Status


def ask_checkin(status: Status, console: Console) -> dict[str, Any]:
    """Ask on a terminal with Rich prompts; starts from the findings that count now."""
    from rich.prompt import Confirm, IntPrompt, Prompt

    from ..diary.store import TREATMENTS
    from ..knowledge import load

    while True:
        pain = IntPrompt.ask("Pain right now, 0 (none) to 10 (worst imaginable)", console=console)
        if 0 <= pain <= 10:
            break
        console.print("[red]Please answer with a whole number from 0 to 10.[/red]")
    tried: dict[str, bool | None] = {}
    for code in TREATMENTS:
        if Confirm.ask(f"Since the last check-in, did you use {code}?", default=False, console=console):
            tried[code] = Confirm.ask("  Did it help?", default=True, console=console)
    kb = load()
    present = set(status.present)
    gone = [code for code in sorted(present, key=list(kb.findings).index)
            if not Confirm.ask(f"Still there: {kb.findings[code].label.lower()}?", default=True, console=console)]
    findings = [f.code for f in kb.findings.values()
                if f.kind != "derived" and f.level in ("emergency", "urgent") and f.code not in present
                and Confirm.ask(f.question, default=False, console=console)]
    note = Prompt.ask("A note (Enter to skip)", default="", console=console) or None
    return {"pain": pain, "tried": tried, "findings": findings, "gone": gone, "note": note}
