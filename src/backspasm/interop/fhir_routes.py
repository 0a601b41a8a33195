"""The FHIR R4 REST routes under /fhir: metadata, the intake, code systems, $assess.

Every answer is application/fhir+json with charset=utf-8, every error an OperationOutcome
(unknown paths 404, wrong methods 405, XML bodies 415, XML asked for 406, bad JSON 400,
an invalid resource 422); `_pretty=true` indents.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .fhir import FhirError, Issue, instant, now, operation_outcome
from .server import capability_statement, operation_definition, request_format, response_format
from .state import interop_state

FHIR_MEDIA = "application/fhir+json; charset=utf-8"
MAX_FHIR_BODY = 1_000_000  # a QuestionnaireResponse is a few kilobytes
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def fhir_response(body: dict[str, Any], status: int = 200, request: Request | None = None,
                  headers: dict[str, str] | None = None) -> Response:
    pretty = request is not None and request.query_params.get("_pretty") == "true"
    text = json.dumps(body, ensure_ascii=False, indent=2 if pretty else None,
                      separators=None if pretty else (",", ":"))
    return Response(text.encode("utf-8"), status_code=status, media_type=FHIR_MEDIA, headers=headers)


def problem(status: int, message: str, expression: str = "", code: str = "invalid",
            headers: dict[str, str] | None = None) -> Response:
    return fhir_response(operation_outcome([Issue(message, expression, code=code)]), status, headers=headers)


def _negotiate(request: Request) -> None:
    response_format(request.query_params.get("_format"), request.headers.get("accept"))


fhir_router = APIRouter(prefix="/fhir", tags=["fhir"])


def _base(request: Request) -> str:
    return interop_state(request).config.public_url or str(request.base_url).rstrip("/")


@fhir_router.get("/metadata", summary="The server's CapabilityStatement")
def get_metadata(request: Request) -> Response:
    try:
        _negotiate(request)
    except FhirError as e:
        return fhir_response(e.outcome(), e.status)
    return fhir_response(capability_statement(interop_state(request).config.public_url, instant(now())), request=request)


@fhir_router.get("/OperationDefinition/{op_id}", summary="The $assess OperationDefinition")
def get_operation(op_id: str, request: Request) -> Response:
    definition = operation_definition()
    if op_id != definition["id"]:
        return problem(404, f"no OperationDefinition '{op_id}'; known: {definition['id']}", code="not-found")
    return fhir_response(definition, request=request)


def _by_id(kind: str, rid: str) -> dict[str, Any] | None:
    if kind == "Questionnaire":
        from .questionnaire import questionnaire
        from .systems import QUESTIONNAIRE_ID

        return questionnaire() if rid == QUESTIONNAIRE_ID else None
    from .codesystems import code_system

    return code_system(rid)


def _all(kind: str) -> list[dict[str, Any]]:
    from .questionnaire import questionnaire
    from .systems import CODE_SYSTEMS

    if kind == "Questionnaire":
        return [questionnaire()]
    return [r for r in (_by_id("CodeSystem", k) for k in CODE_SYSTEMS) if r is not None]


def _search(kind: str, request: Request) -> Response:
    try:
        _negotiate(request)
    except FhirError as e:
        return fhir_response(e.outcome(), e.status)
    params = request.query_params
    unknown = [k for k in params if not k.startswith("_") and k != "url"]
    if unknown:
        return problem(400, f"unknown search parameter '{unknown[0]}'; {kind} is searched by url or _id", unknown[0],
                       code="not-supported")
    found = _all(kind)
    if "url" in params:
        found = [r for r in found if r["url"] == params["url"].split("|", 1)[0]]
    if "_id" in params:
        found = [r for r in found if r["id"] in params["_id"].split(",")]
    base = _base(request)
    return fhir_response({
        "resourceType": "Bundle", "type": "searchset", "total": len(found),
        "link": [{"relation": "self", "url": f"{base}/fhir/{kind}?{params}" if params else f"{base}/fhir/{kind}"}],
        "entry": [{"fullUrl": f"{base}/fhir/{kind}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                  for r in found],
    }, request=request)


def _read(kind: str, rid: str, request: Request) -> Response:
    try:
        _negotiate(request)
    except FhirError as e:
        return fhir_response(e.outcome(), e.status)
    found = _by_id(kind, rid)
    if found is None:
        known = ", ".join(r["id"] for r in _all(kind))
        return problem(404, f"no {kind} '{rid}'; known: {known}", code="not-found")
    return fhir_response(found, request=request)


@fhir_router.get("/Questionnaire", summary="Search the intake Questionnaire (by url or _id)")
def search_questionnaire(request: Request) -> Response:
    return _search("Questionnaire", request)


@fhir_router.get("/Questionnaire/{rid}", summary="The intake as a FHIR R4 Questionnaire")
def get_questionnaire(rid: str, request: Request) -> Response:
    return _read("Questionnaire", rid, request)


@fhir_router.get("/CodeSystem", summary="Search backspasm's code systems (by url or _id)")
def search_code_systems(request: Request) -> Response:
    return _search("CodeSystem", request)


@fhir_router.get("/CodeSystem/{rid}", summary="One of backspasm's code systems (urgency, finding, ...)")
def get_code_system(rid: str, request: Request) -> Response:
    return _read("CodeSystem", rid, request)


def _decode(raw: bytes) -> Any:
    from ..contract import BadInput, loads_strict

    if not raw.strip():
        raise FhirError([Issue("the request body is empty; expected a QuestionnaireResponse", code="required")], 400)
    try:
        return loads_strict(raw)
    except BadInput as e:  # a repeated key: valid JSON syntax, not a valid resource
        raise FhirError([Issue(msg, loc, code="structure") for loc, msg in e.errors], 422) from None
    except (ValueError, RecursionError) as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise FhirError([Issue(f"the request body is not valid JSON: {e}", code="structure")], 400) from None


async def read_body(request: Request, limit: int) -> bytes:
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
async def post_assess(request: Request) -> Response:
    from .assess import assess_response

    try:
        _negotiate(request)
        request_format(request.headers.get("content-type"))
        data = _decode(await read_body(request, MAX_FHIR_BODY))
        return fhir_response(await run_in_threadpool(assess_response, data), request=request)
    except FhirError as e:
        return fhir_response(e.outcome(), e.status)


def _allowed(request: Request) -> list[str]:
    """The methods other /fhir routes answer at this path (empty: the path is unknown)."""
    methods: set[str] = set()
    for route in fhir_router.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and getattr(route, "name", "") != "fhir_unknown" and regex.match(request.url.path):
            methods |= set(getattr(route, "methods", ()) or ())
    return sorted(methods)


@fhir_router.api_route("", methods=METHODS, include_in_schema=False, name="fhir_unknown")
@fhir_router.api_route("/{rest:path}", methods=METHODS, include_in_schema=False, name="fhir_unknown")
def fhir_unknown(request: Request, rest: str = "") -> Response:
    allowed = _allowed(request)
    if allowed:
        return problem(405, f"{request.method} is not allowed on {request.url.path}; allowed: {', '.join(allowed)}",
                       code="not-supported", headers={"Allow": ", ".join(allowed)})
    return problem(404, f"no FHIR endpoint at {request.url.path}; see /fhir/metadata for what this server offers",
                   code="not-found")


__all__ = ["FHIR_MEDIA", "fhir_response", "fhir_router", "problem", "read_body"]
