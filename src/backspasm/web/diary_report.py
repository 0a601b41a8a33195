"""The doctor report on the web: HTML or PDF, with a name and birth date typed at export and kept only if asked."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from . import diary_forms as df
from .deps import check_form_csrf, get_store, require_user
from .diary_pages import episode_or_404

router = APIRouter(include_in_schema=False)

MAX_NAME = 200
# The report is a standalone document with its own inline styles and no script at all.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _identity(form: Any) -> tuple[str | None, date | None, str | None]:
    """(name, birth date, error) from the export form; both optional."""
    name = form.get("name")
    name = name.strip() if isinstance(name, str) and name.strip() else None
    if name is not None and len(name) > MAX_NAME:
        return None, None, f"Please keep the name under {MAX_NAME} characters."
    raw = form.get("birth_date")
    born = None
    if isinstance(raw, str) and raw.strip():
        try:
            born = date.fromisoformat(raw.strip())
        except ValueError:
            return None, None, "Please give the date of birth as a date."
        if not date(1900, 1, 1) <= born <= date.today():
            return None, None, "Please give a date of birth in the past."
    return name, born, None


def _build(request: Request, user: Any, episode_id: int, kind: str, name: str | None = None,
           born: date | None = None) -> Response:
    from ..report import Reader, build_html, build_pdf

    episode_or_404(request, user, episode_id)
    locale = df.page_locale(request)
    status = get_store(request).status(user.id, episode_id, locale=locale)
    reader = Reader(zone=df.display_zone(request, user.id), locale=locale, name=name,
                    birth_date=born, back_url=f"/diary/episodes/{episode_id}")
    if kind == "pdf":
        return Response(build_pdf(status, reader), media_type="application/pdf", headers={
            "content-disposition": f'attachment; filename="backspasm-episode-{episode_id}.pdf"',
            "cache-control": "no-store"})
    return HTMLResponse(build_html(status, reader), headers={"content-security-policy": REPORT_CSP,
                                                             "cache-control": "no-store"})


@router.get("/diary/episodes/{episode_id}/report", response_class=HTMLResponse)
async def report_html(request: Request, episode_id: int) -> Response:
    user = require_user(request)
    return await run_in_threadpool(_build, request, user, episode_id, "html")


@router.get("/diary/episodes/{episode_id}/report.pdf")
async def report_pdf(request: Request, episode_id: int) -> Response:
    user = require_user(request)
    return await run_in_threadpool(_build, request, user, episode_id, "pdf")


@router.post("/diary/episodes/{episode_id}/report")
async def report_for(request: Request, episode_id: int) -> Response:
    """The report with the name and birth date typed in the form; kept with the account only when asked."""
    form = await check_form_csrf(request)
    user = require_user(request)
    name, born, error = _identity(form)
    if error:
        from .diary_pages import _episode_page

        return await run_in_threadpool(lambda: _episode_page(request, user, episode_id, form=form,
                                                             errors={"report": error}, status_code=400))
    store = get_store(request)
    if form.get("remember") == "yes" and (name or born):
        await run_in_threadpool(store.put_document, user.id, df.IDENTITY_DOC,
                                {"name": name or "", "birth_date": born.isoformat() if born else ""})
    elif form.get("remember") != "yes":
        await run_in_threadpool(store.delete_document, user.id, df.IDENTITY_DOC)
    kind = "pdf" if form.get("format") == "pdf" else "html"
    return await run_in_threadpool(_build, request, user, episode_id, kind, name, born)
