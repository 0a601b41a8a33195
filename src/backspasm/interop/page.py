"""The page a CDS Hooks card links to: the full result for the assessment the card was built from.

Plain, self-contained HTML (no script, no external assets) so it opens inside an
EHR's browser frame; the text is the Result's own, escaped.
"""

from __future__ import annotations

from html import escape

from ..knowledge import load
from ..result import Cited, Result


def _items(title: str, items: tuple[Cited, ...]) -> str:
    if not items:
        return ""
    kb = load()
    rows = []
    for item in items:
        ask = ""
        if item.get("status") in ("ask_first", "avoid") and item.get("cautions"):
            ask = " <strong>Why:</strong> " + escape(" ".join(item.get("cautions") or ()))
        rows.append(
            f"<li><strong>{escape(item.title)}</strong>. {escape(item.text)}{ask}"
            f"<br><small>Source: {escape(kb.sources[item.ref].name)}"
            f"{': ' + escape(item.note) if item.note else ''}</small></li>"
        )
    return f"<h2>{escape(title)}</h2><ul>{''.join(rows)}</ul>"


def _watch_for(result: Result) -> str:
    """The safety net, grouped by the level each sign would set, most urgent first."""
    if not result.watch_for:
        return ""
    levels = load().levels
    groups: dict[str, list[str]] = {}
    for item in result.watch_for:
        groups.setdefault(str(item.get("level")), []).append(str(item.get("sign") or item.title))
    parts = [f"<h3>{escape(levels[level].watch_heading or levels[level].label)}</h3>"
             f"<ul>{''.join(f'<li>{escape(sign)}</li>' for sign in signs)}</ul>" for level, signs in groups.items()]
    return "<h2>Watch for</h2>" + "".join(parts)


def plan_page(result: Result) -> str:
    """The whole result as one HTML page."""
    level = load().levels[result.urgency]
    steps = "".join(f"<li>{s.at_hour:g} h: {escape(s.text)}</li>" for s in result.schedule)
    return "".join(
        (
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            f"<title>backspasm: {escape(level.label)}</title></head><body>",
            f"<h1>{escape(level.label)}</h1><p><strong>{escape(result.headline)}</strong> {escape(level.summary)}</p>",
            _watch_for(result),
            _items("Why", result.reasons),
            _items("Plan", result.plan),
            f"<h2>By the clock</h2><ul>{steps}</ul>" if steps else "",
            _items("What a doctor may offer", result.professional),
            _items("Preventing the next spasm", result.prevention),
            f"<p><em>{escape(result.disclaimer)}</em></p></body></html>",
        )
    )


__all__ = ["plan_page"]
