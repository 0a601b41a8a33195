"""The CDS Hooks routes under /cds-services: discovery, the service, feedback, the plan a card links to.

The routes answer CORS preflights and carry CORS headers, as browser-based CDS clients
(the sandbox) need; every error is an OperationOutcome.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, Response

from . import cds
from .auth import AuthError
from .fhir import FhirError, Issue, operation_outcome
from .fhir_routes import read_body
from .state import interop_state

MAX_CDS_BODY = 5_000_000  # prefetch bundles can be large
MAX_FEEDBACK_BODY = 200_000
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept",
    "Access-Control-Expose-Headers": "Content-Location, Location, WWW-Authenticate",
    "Access-Control-Max-Age": "600",
}
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


class _CorsRoute(APIRoute):
    """Adds the CORS headers to every response of the route, errors included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            response = await handler(request)
            response.headers.update(CORS_HEADERS)
            return response

        return with_cors


cds_router = APIRouter(prefix="/cds-services", tags=["cds-hooks"], route_class=_CorsRoute)


@cds_router.get("", summary="CDS Hooks discovery")
def get_discovery() -> JSONResponse:
    return JSONResponse(cds.discovery())


def _caller(request: Request) -> tuple[str | None, bool]:
    host = request.client.host if request.client else None
    return host, any(h in request.headers for h in PROXY_HEADERS)


@cds_router.post(f"/{cds.SERVICE_ID}", summary="CDS Hooks service: back-spasm triage cards")
async def post_triage(request: Request) -> JSONResponse:
    state = interop_state(request)
    try:
        raw = await read_body(request, MAX_CDS_BODY)
    except FhirError as e:
        return JSONResponse(e.outcome(), status_code=e.status)
    host, proxied = _caller(request)
    answer = await state.service.call(raw, authorization=request.headers.get("authorization"), client_host=host,
                                      proxied=proxied)
    return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)


@cds_router.post(f"/{cds.SERVICE_ID}/feedback", summary="CDS Hooks feedback: which cards were accepted or overridden")
async def post_feedback(request: Request) -> Response:
    state = interop_state(request)
    host, proxied = _caller(request)
    try:
        client = await run_in_threadpool(state.service.authenticate, request.headers.get("authorization"), host, proxied,
                                         cds.FEEDBACK_PATH)
    except AuthError as e:
        body = operation_outcome([Issue(str(e), code="security")])
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    try:
        raw = await read_body(request, MAX_FEEDBACK_BODY)
        await run_in_threadpool(state.service.feedback, raw, client)
    except FhirError as e:
        return JSONResponse(e.outcome(), status_code=e.status)
    return Response(status_code=200)


_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@cds_router.get(f"/{cds.SERVICE_ID}/plan/{{handle}}", summary="The full plan a card links to",
                response_class=HTMLResponse)
def get_plan(handle: str, request: Request) -> Response:
    from ..engine import assess
    from .page import plan_page

    assessment = interop_state(request).service.plan(handle)
    if assessment is None:
        return HTMLResponse("<!doctype html><title>backspasm</title><p>This link has expired or does not exist. "
                            "Open the patient's chart again for a fresh card.</p>", status_code=404,
                            headers=_PAGE_HEADERS)
    return HTMLResponse(plan_page(assess(assessment)), headers=_PAGE_HEADERS)


@cds_router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def unknown_service(rest: str) -> JSONResponse:
    body = operation_outcome([Issue(f"no CDS service '{rest}'; this server offers '{cds.SERVICE_ID}'",
                                    "url", code="not-found")])
    return JSONResponse(body, status_code=404)


@cds_router.options("", include_in_schema=False)
@cds_router.options("/{rest:path}", include_in_schema=False)
def preflight(rest: str = "") -> Response:
    return Response(status_code=204)


__all__ = ["cds_router"]
