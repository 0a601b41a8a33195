"""HTTP routes for FHIR R4 and CDS Hooks: thin handlers over questionnaire, bundle and cds.

Every error is answered here, as an OperationOutcome (never the app's generic JSON
error, never a 500): 400 for a body that is not JSON, 422 for an invalid resource,
412 for a CDS Hooks request without the prefetch the service needs. The CDS Hooks
routes answer CORS preflights and carry CORS headers, as browser-based CDS clients
(the sandbox) need.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..contract import BadInput
from . import cds
from .fhir import FHIR_JSON, FhirError, Issue, check, operation_outcome

MAX_FHIR_BODY = 1_000_000  # a QuestionnaireResponse is a few kilobytes
MAX_CDS_BODY = 5_000_000  # prefetch bundles can be large
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept",
    "Access-Control-Expose-Headers": "Content-Location, Location",
    "Access-Control-Max-Age": "600",
}


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


class _CorsRoute(APIRoute):
    """Adds the CORS headers to every response of the route, errors included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            response = await handler(request)
            response.headers.update(CORS_HEADERS)
            return response

        return with_cors


def _fhir(body: dict[str, Any], status: int = 200) -> FhirResponse:
    return FhirResponse(body, status_code=status)


def _problem(status: int, message: str, expression: str = "", code: str = "invalid") -> FhirResponse:
    return _fhir(operation_outcome([Issue(message, expression, code=code)]), status)


fhir_router = APIRouter(prefix="/fhir", tags=["fhir"])
cds_router = APIRouter(prefix="/cds-services", tags=["cds-hooks"], route_class=_CorsRoute)


@fhir_router.get("/Questionnaire/backspasm-intake", summary="The intake as a FHIR R4 Questionnaire")
def get_questionnaire() -> FhirResponse:
    from .questionnaire import questionnaire

    return _fhir(questionnaire())


@fhir_router.get("/CodeSystem/{system_id}", summary="One of backspasm's code systems (urgency, finding, ...)")
def get_code_system(system_id: str) -> FhirResponse:
    from .codesystems import code_system

    found = code_system(system_id)
    if found is None:
        from .systems import CODE_SYSTEMS

        return _problem(404, f"no CodeSystem '{system_id}'; known: {', '.join(CODE_SYSTEMS)}", code="not-found")
    return _fhir(found)


def _response_resource(data: Any) -> Any:
    """The QuestionnaireResponse itself, or the one inside a Parameters resource (`response`)."""
    if isinstance(data, dict) and data.get("resourceType") == "Parameters":
        params = data.get("parameter")
        for param in params if isinstance(params, list) else []:
            if isinstance(param, dict) and param.get("name") == "response":
                return param.get("resource")
        raise FhirError([Issue("a Parameters body needs a 'response' parameter holding the QuestionnaireResponse",
                               "Parameters.parameter", code="required")])
    return data


def assess_response(data: Any) -> dict[str, Any]:
    """QuestionnaireResponse in, Bundle out (FhirError 422 on an invalid resource)."""
    from ..engine import assess
    from .bundle import assessment_bundle
    from .questionnaire import response_to_assessment

    resource = _response_resource(data)
    assessment = response_to_assessment(resource)
    subject = resource.get("subject") if isinstance(resource.get("subject"), dict) else None
    ref = f"QuestionnaireResponse/{resource['id']}" if isinstance(resource.get("id"), str) else None
    try:
        result = assess(assessment)
    except BadInput as e:
        raise FhirError([Issue(msg, "QuestionnaireResponse", code="value") for _, msg in e.errors]) from None
    except ModuleNotFoundError:
        # Never assess without the person's words: refuse the text rather than ignore it.
        raise FhirError([Issue("this server cannot read free text; remove the 'text' answer or install the "
                               "text reader", "QuestionnaireResponse.item.where(linkId='text')",
                               code="not-supported")]) from None
    out = assessment_bundle(assessment, result, subject=subject, response_ref=ref)
    check(out, "Bundle")  # what we send must itself be valid R4
    return out


def _decode(raw: bytes) -> Any:
    if not raw.strip():
        raise FhirError([Issue("the request body is empty; expected a QuestionnaireResponse", code="required")], 400)
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise FhirError([Issue(f"the request body is not valid JSON: {e}", code="structure")], 400) from None
    except RecursionError:
        raise FhirError([Issue("the request body is nested too deeply", code="structure")], 400) from None


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything larger than `limit` bytes before reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FhirError([Issue(f"the body is larger than {limit} bytes", code="too-costly")], 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise FhirError([Issue(f"the body is larger than {limit} bytes", code="too-costly")], 413)
        chunks.append(chunk)
    return b"".join(chunks)


@fhir_router.post("/QuestionnaireResponse/$assess", summary="Assess a QuestionnaireResponse: a Bundle back")
async def post_assess(request: Request) -> FhirResponse:
    try:
        data = _decode(await _body(request, MAX_FHIR_BODY))
        return _fhir(await run_in_threadpool(assess_response, data))
    except FhirError as e:
        return _fhir(e.outcome(), e.status)


@cds_router.get("", summary="CDS Hooks discovery")
def get_discovery() -> JSONResponse:
    return JSONResponse(cds.discovery())


@cds_router.post(f"/{cds.SERVICE_ID}", summary="CDS Hooks service: back-spasm triage cards")
async def post_triage(request: Request) -> JSONResponse:
    try:
        raw = await _body(request, MAX_CDS_BODY)
    except FhirError as e:
        return JSONResponse(e.outcome(), status_code=e.status)
    base = str(request.base_url).rstrip("/")
    status, body = await run_in_threadpool(cds.handle, raw, base)
    return JSONResponse(body, status_code=status)


@cds_router.get(f"/{cds.SERVICE_ID}/plan", summary="The full plan a card links to", response_class=HTMLResponse)
def get_plan(a: str = "") -> Response:
    from ..engine import assess
    from .page import plan_page

    try:
        assessment = cds.decode_assessment(a)
    except BadInput:
        return HTMLResponse("<!doctype html><title>backspasm</title><p>This link does not hold an assessment.</p>",
                            status_code=400)
    return HTMLResponse(plan_page(assess(assessment)))


@cds_router.post("/{rest:path}", include_in_schema=False)
def unknown_service(rest: str) -> JSONResponse:
    body = operation_outcome([Issue(f"no CDS service '{rest}'; this server offers '{cds.SERVICE_ID}'",
                                    "url", code="not-found")])
    return JSONResponse(body, status_code=404)


@cds_router.options("", include_in_schema=False)
@cds_router.options("/{rest:path}", include_in_schema=False)
def preflight(rest: str = "") -> Response:
    return Response(status_code=204)


router = APIRouter()
router.include_router(fhir_router)
router.include_router(cds_router)

__all__ = ["assess_response", "router"]
