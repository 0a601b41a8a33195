"""Rendering pages: one Jinja2 environment per app, with the helpers every page needs.

Templates are translated with Jinja2's i18n extension: `{% trans %}` blocks and `_()` look
the sentence up in the gettext catalog of the page's `locale` (see `backspasm.i18n`), and
dates and numbers are formatted by Babel for that locale.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .. import clock, i18n
from ..codes import DEFAULT_LOCALE, LOCALES
from ..present import readable_note, source_link, status_words, watch_groups
from .deps import csrf_token, request_locale, user_for_page
from .security import CSRF_FIELD

URGENCY_CLASS = {"self_care": "green", "soon": "yellow", "urgent": "orange", "emergency": "red"}
# Each locale named in its own words, for the switch in the page header.
LOCALE_NAMES = {"en-US": "English (US)", "en-GB": "English (UK)"}


def _locale_of(ctx: Context) -> str:
    value = ctx.get("locale")
    return value if isinstance(value, str) and value in LOCALES else DEFAULT_LOCALE


def when_text(at_hour: float, hours_now: float, now: datetime | None = None,
              locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    """How a plan step's start reads: 'now', or its clock time (UTC on the server, local time in JS)."""
    from babel.dates import format_timedelta

    gettext = i18n.translations(locale).gettext
    if at_hour <= hours_now:
        return {"label": gettext("Now"), "iso": ""}
    now = now or datetime.now(UTC)
    delta = timedelta(hours=at_hour - hours_now)
    at = now + delta
    rel = format_timedelta(delta, threshold=2, add_direction=True, locale=i18n.babel_locale(locale))
    return {"label": f"{clock.moment(at, locale)} UTC ({rel})", "iso": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "rel": rel}


@pass_context
def _when_text(ctx: Context, at_hour: float, hours_now: float) -> dict[str, str]:
    return when_text(at_hour, hours_now, locale=_locale_of(ctx))


@pass_context
def _number(ctx: Context, value: float, digits: int = 0) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(round(value, digits), locale=i18n.babel_locale(_locale_of(ctx))))


@pass_context
def _status_words(ctx: Context, status: str | None) -> str | None:
    return status_words(status, _locale_of(ctx))


def highlight(text: str, spans: list[tuple[int, int, str]]) -> Markup:
    """The person's words with the spans that were read as findings wrapped in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end, code in sorted(spans):
        if start < pos or end > len(text) or start >= end:
            continue
        out.append(str(escape(text[pos:start])))
        out.append(f'<mark title="{escape(code)}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def source_title(ref: str) -> str:
    """The title people see for a cited source (every ref resolves: checked when the knowledge loads)."""
    return source_link(ref).name


def make_environment() -> Environment:
    """A Jinja2 environment over the package's templates, HTML-escaped by default, translated per page."""
    env = Environment(
        loader=PackageLoader("backspasm.web", "templates"),
        autoescape=select_autoescape(("html", "svg", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install_jinja(env)
    env.filters.update(number=_number)
    env.globals.update(
        URGENCY_CLASS=URGENCY_CLASS,
        LOCALES=LOCALES,
        LOCALE_NAMES=LOCALE_NAMES,
        source_title=source_title,
        source_link=source_link,
        readable_note=readable_note,
        status_words=_status_words,
        watch_groups=watch_groups,
        highlight=highlight,
        when_text=_when_text,
        CSRF_FIELD=CSRF_FIELD,
    )
    return env


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render a page template; every page gets the request, the CSRF token and the signed-in user id."""
    env: Environment = request.app.state.templates
    user = user_for_page(request)
    ctx: dict[str, Any] = {
        "request": request,
        "locale": request_locale(request),
        # A callable, so only pages that hold a form set the session cookie.
        "csrf": lambda: csrf_token(request),
        "signed_in": user is not None,
        "user_email": user.email if user is not None else "",
    }
    ctx.update(context or {})
    html = env.get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status_code, headers={"cache-control": "no-store"})
