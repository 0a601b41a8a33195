"""The report for a doctor's visit: one episode's timeline, pain chart, red flags, what helped, urgency.

Plain functions over a diary `Status`, so the CLI and the web app serve the same report:
`build_html(status) -> str`, `build_pdf(status) -> bytes`, `pain_chart_svg(points) -> str`.
"""

from __future__ import annotations

from .chart import pain_chart_svg
from .context import Reader, report_context
from .html import build_html
from .pdf import build_pdf

__all__ = ["Reader", "build_html", "build_pdf", "pain_chart_svg", "report_context"]
