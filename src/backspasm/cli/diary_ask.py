"""The check-in questions on a terminal: pain, what was tried, whether each finding is still there, the red flags again.

Answers are read in words as in the first questionnaire (yes, no, not sure, "8/10", "eight");
"not sure" about a warning sign asks its follow-up, and still not sure reports the sign (it counts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from ..diary.store import Status
    from .interactive import Asker


def ask_checkin(status: Status, console: Console, ask: Asker | None = None) -> dict[str, Any]:
    """Ask on a terminal; starts from the findings that count now."""
    from ..diary.store import TREATMENTS
    from ..knowledge import load
    from .interactive import RichAsker, ask_finding

    locale = status.result.locale
    ask = ask or RichAsker(console, locale)
    pain = ask.pain("Pain right now, 0 (none) to 10 (worst imaginable)")
    tried: dict[str, bool | None] = {}
    for code in TREATMENTS:
        if ask.confirm(f"Since the last check-in, did you use {code}?", False):
            tried[code] = ask.confirm("  Did it help?", True)
    kb = load(locale)
    present = set(status.present)
    # Gone only on a clear no: "not sure" whether a sign is still there keeps it counting.
    gone = [code for code in sorted(present, key=list(kb.findings).index)
            if ask.reply(f"Still there: {kb.findings[code].label.lower()}?", "yes") == "no"]
    findings = [f.code for f in kb.findings.values()
                if f.kind != "derived" and f.level in ("emergency", "urgent") and f.code not in present
                and ask_finding(ask, f, locale) != "denied"]
    note = ask.text("A note (Enter to skip)").strip() or None
    return {"pain": pain, "tried": tried, "findings": findings, "gone": gone, "note": note}
