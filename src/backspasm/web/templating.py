"""Rendering pages: one Jinja2 environment per app, with the helpers every page needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..knowledge import load
from .deps import csrf_token, user_for_page
from .security import CSRF_FIELD

URGENCY_CLASS = {"self_care": "green", "soon": "yellow", "urgent": "orange", "emergency": "red"}


def when_text(at_hour: float, hours_now: float, now: datetime | None = None) -> dict[str, str]:
    """How a plan step's start reads: 'now', or its clock time (UTC on the server, local time in JS)."""
    if at_hour <= hours_now:
        return {"label": "Now", "iso": ""}
    now = now or datetime.now(UTC)
    at = now + timedelta(hours=at_hour - hours_now)
    delta = at_hour - hours_now
    rel = f"in {delta:g} hours" if delta < 48 else f"in {delta / 24:.1f} days".replace(".0 ", " ")
    return {"label": f"{at:%a %d %b, %H:%M} UTC ({rel})", "iso": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "rel": rel}


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
    """The full title of a cited source, falling back to its reference."""
    src = load().sources.get(ref)
    return src.name if src else ref


def make_environment() -> Environment:
    """A Jinja2 environment over the package's templates, HTML-escaped by default."""
    env = Environment(
        loader=PackageLoader("backspasm.web", "templates"),
        autoescape=select_autoescape(("html", "svg", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        URGENCY_CLASS=URGENCY_CLASS,
        source_title=source_title,
        highlight=highlight,
        when_text=when_text,
        CSRF_FIELD=CSRF_FIELD,
    )
    return env


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render a page template; every page gets the request, the CSRF token and the signed-in user id."""
    env: Environment = request.app.state.templates
    user = user_for_page(request)
    ctx: dict[str, Any] = {
        "request": request,
        # A callable, so only pages that hold a form set the session cookie.
        "csrf": lambda: csrf_token(request),
        "signed_in": user is not None,
        "user_email": user.email if user is not None else "",
    }
    ctx.update(context or {})
    html = env.get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status_code, headers={"cache-control": "no-store"})
