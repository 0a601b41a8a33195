"""The report as one self-contained HTML page (Jinja2 template, inline SVG chart), readable on a phone and in print."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from .. import i18n
from ..diary.store import Status
from .chart import pain_chart_svg
from .context import Reader, report_context


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("backspasm.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install_jinja(env)  # the template's sentences in the result's locale
    return env


def build_html(st: Status, reader: Reader | None = None) -> str:
    """The doctor's-visit report for one episode as HTML."""
    ctx = report_context(st, reader)
    chart = Markup(pain_chart_svg(ctx["points"]))
    return _env().get_template("report.html.j2").render(r=ctx, chart=chart, locale=st.result.locale)
