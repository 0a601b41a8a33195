"""The JSON API under /api/v1: assess, the knowledge base, its sources, health.

`POST /assess` reads the raw body through `parse_json` (so its errors read exactly
like the CLI's) and answers with `Result.to_json()` unchanged; the OpenAPI schema
still declares the contract models, so it stays accurate.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, TypeAdapter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..contract import Assessment, BadInput, ResultModel, parse_json
from ..engine import assess
from ..knowledge import vocabulary

MAX_BODY = 2 * 1024 * 1024  # a batch of a few hundred assessments with text
JSON_TYPE = "application/json"


class ErrorDetail(BaseModel):
    loc: str = Field(description="The field at fault, e.g. 'findings[2]' or '[3].pain' in a batch; '' for the whole body.")
    msg: str


class BadInputModel(BaseModel):
    """The 422 body: every problem, each naming its field."""

    error: str = Field(description="'bad_input'")
    detail: list[ErrorDetail]


class ErrorModel(BaseModel):
    error: str
    detail: Any = None


class Health(BaseModel):
    status: str
    version: str


ASSESS_BODY_SCHEMA = TypeAdapter(Assessment | list[Assessment]).json_schema(
    ref_template="#/components/schemas/{model}"
)
ASSESS_BODY_DEFS: dict[str, Any] = ASSESS_BODY_SCHEMA.pop("$defs", {})

router = APIRouter(prefix="/api/v1", tags=["api"])


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, refusing (413) anything larger than `limit` without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _assess_all(parsed: Assessment | list[Assessment]) -> str:
    if isinstance(parsed, list):
        return "[" + ",".join(assess(a).to_json() for a in parsed) + "]"
    return assess(parsed).to_json()


@router.post(
    "/assess",
    summary="Assess one back spasm (an object) or a batch (an array)",
    description="The contract's input in, its result out (docs/contract.md): one object gives one result, an "
    "array gives an array of results in the same order. The optional `locale` (en-US, en-GB) sets the wording; "
    "`watch_for` is the safety net and `to_ask` names the red flags the input never covered. Bad input gets 422 "
    "naming the field (and the batch index).",
    response_model=ResultModel | list[ResultModel],
    responses={422: {"model": BadInputModel, "description": "Bad input: the body names each field at fault."},
               413: {"model": ErrorModel, "description": "The body is too large."}},
    openapi_extra={"requestBody": {"required": True, "content": {JSON_TYPE: {"schema": ASSESS_BODY_SCHEMA}}}},
)
async def assess_endpoint(request: Request) -> Response:
    parsed = parse_json(await read_body(request))
    has_text = any(a.text for a in (parsed if isinstance(parsed, list) else (parsed,)))
    try:
        # Without text an assessment takes microseconds: a thread hop would cost more than it saves.
        body = await run_in_threadpool(_assess_all, parsed) if has_text else _assess_all(parsed)
    except ModuleNotFoundError as e:
        raise text_unavailable(e) from e
    return Response(body, media_type=JSON_TYPE)


def text_unavailable(e: ModuleNotFoundError) -> BadInput:
    """Text arrived but this server has no reader: refuse it (422), never assess without the person's words,
    since one of them could be a red flag. Any other missing module is a real error."""
    if e.name != "backspasm.text.reader":
        raise e
    return BadInput([("text", "reading free text is not available on this server; leave it out and "
                              "list the findings instead")])


@router.get("/knowledge", summary="The whole rule set, with the source of every rule")
async def knowledge(request: Request) -> Response:
    cached = getattr(request.app.state, "knowledge_json", None)
    if cached is None:
        cached = json.dumps(vocabulary(), ensure_ascii=False, separators=(",", ":"))
        request.app.state.knowledge_json = cached
    return Response(cached, media_type=JSON_TYPE)


class SourceUse(BaseModel):
    section: str = Field(description="What kind of item cites it: finding, condition, plan, schedule, prevent.*")
    code: str


class SourceRecord(BaseModel):
    """A source a clinician can find and check, and every item that cites it."""

    ref: str
    kind: str = Field(description="article, guideline, label or study")
    title: str
    publisher: str
    url: str | None = None
    read: str = Field(description="The date or version read.")
    section: str | None = None
    superseded_by: str | None = Field(default=None, description="The ref that replaces this earlier one.")
    name: str = Field(description="What people see: the title, with the section for an article.")
    citation: str
    cited_by: list[SourceUse]


@router.get("/sources", summary="Every source record, and where each is cited", response_model=list[SourceRecord])
async def sources(request: Request) -> Response:
    cached = getattr(request.app.state, "sources_json", None)
    if cached is None:
        from ..sources import listing

        cached = json.dumps(listing(), ensure_ascii=False, separators=(",", ":"))
        request.app.state.sources_json = cached
    return Response(cached, media_type=JSON_TYPE)


@router.get("/healthz", response_model=Health, summary="Liveness: the app answers")
async def healthz() -> Health:
    from .. import __version__

    return Health(status="ok", version=__version__)


def add_schema_components(schema: dict[str, Any]) -> dict[str, Any]:
    """Put the assessment models' definitions where the request body's $refs point."""
    defs = ASSESS_BODY_DEFS
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in defs.items():
        components.setdefault(name, definition)
    # Every 422 has BadInput's shape (FastAPI's own validation errors are converted to it).
    bad = {"description": "Bad input: each problem names its field.",
           "content": {JSON_TYPE: {"schema": {"$ref": "#/components/schemas/BadInputModel"}}}}
    for operations in schema.get("paths", {}).values():
        for op in operations.values():
            responses = op.get("responses", {}) if isinstance(op, dict) else {}
            if "HTTPValidationError" in json.dumps(responses.get("422", "")) or (
                "422" not in responses and ("requestBody" in op or "parameters" in op)
            ):
                responses["422"] = bad
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    if "BadInputModel" not in components:
        components["BadInputModel"] = BadInputModel.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(components["BadInputModel"].pop("$defs", {}))
    return schema


__all__ = ["BadInput", "add_schema_components", "router"]
