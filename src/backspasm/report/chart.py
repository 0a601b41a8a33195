"""The pain chart: an SVG line of pain (0-10) over the hours of the episode, each rating marked."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 36


MIN_SPAN_HOURS = 4.0  # so that the five hour labels of a short diary never repeat


def _scale(points: Sequence[tuple[float, int]]) -> tuple[float, float]:
    hours = [h for h, _ in points]
    lo, hi = min(hours, default=0.0), max(hours, default=0.0)
    return lo, max(hi, lo + MIN_SPAN_HOURS)


def chart_coords(points: Sequence[tuple[float, int]]) -> list[tuple[float, float]]:
    """Plot coordinates for (hours since onset, pain) points, shared by the SVG and the PDF."""
    lo, hi = _scale(points)
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    return [(LEFT + (x - lo) / (hi - lo) * w, TOP + (10 - p) / 10 * h) for x, p in points]


def pain_chart_svg(points: Sequence[tuple[float, int]], labels: Sequence[str] | None = None) -> str:
    """An SVG line chart; `points` are (hours since onset, pain 0-10), `labels` optional marker titles."""
    lo, hi = _scale(points)
    coords = chart_coords(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        'role="img" aria-label="Pain over time" font-family="sans-serif" font-size="11">',
        "<title>Pain (0-10) over the hours since the spasm began</title>",
    ]
    for level in range(0, 11, 2):
        y = TOP + (10 - level) / 10 * (HEIGHT - TOP - BOTTOM)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{level}</text>')
    if level_band := TOP + (10 - 7) / 10 * (HEIGHT - TOP - BOTTOM):
        parts.append(
            f'<line x1="{LEFT}" y1="{level_band:.1f}" x2="{WIDTH - RIGHT}" y2="{level_band:.1f}" '
            'stroke="#c0392b" stroke-dasharray="4 3"><title>7: severe pain</title></line>'
        )
    for i in range(5):
        hour = lo + (hi - lo) * i / 4
        x = LEFT + (WIDTH - LEFT - RIGHT) * i / 4
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{hour:.0f} h</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle">hours since onset</text>')
    if coords:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline class="pain-line" points="{path}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    for i, ((x, y), (hour, pain)) in enumerate(zip(coords, points, strict=True)):
        title = labels[i] if labels and i < len(labels) else f"hour {hour:.0f}: pain {pain}"
        parts.append(
            f'<circle class="checkin" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#1f5fa8"><title>{escape(title)}</title></circle>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
