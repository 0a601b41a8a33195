"""The JSON API under /api/v1: assess, the knowledge base, its sources, liveness and readiness.

`POST /assess` reads the raw body strictly (a repeated key or an over-long number
is refused), checks the request's size limits, then validates with the contract's
own parser (so its errors read exactly like the CLI's) and answers with
`Result.to_json()` unchanged; all of that runs in a worker thread, never on the
event loop. The OpenAPI schema still declares the contract models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from .. import jsonload
from ..contract import MAX_LISTED_ERRORS, Assessment, BadInput, ResultModel, parse_assessment, parse_many
from ..engine import assess
from ..knowledge import vocabulary
from .deps import get_store
from .limits import MAX_BATCH, MAX_BODY, check_assessments, read_body

JSON_TYPE = "application/json"
SMALL_BODY = 4096  # bytes: parsed on the event loop; anything larger is parsed in a worker thread
VALIDATE_WEIGHT = 500  # values (assessments, their diary entries and codes) validated in one call


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


_BATCH = TypeAdapter(list[Assessment])
ASSESS_BODY_SCHEMA = TypeAdapter(Assessment | list[Assessment]).json_schema(
    ref_template="#/components/schemas/{model}"
)
ASSESS_BODY_DEFS: dict[str, Any] = ASSESS_BODY_SCHEMA.pop("$defs", {})

router = APIRouter(prefix="/api/v1", tags=["api"])


def _shifted(loc: str, offset: int) -> str:
    """A batch location '[3].pain' in a chunk that starts at `offset`, as a location in the whole batch."""
    if not loc.startswith("[") or "]" not in loc:
        return loc
    end = loc.index("]")
    return f"[{int(loc[1:end]) + offset}]{loc[end + 1:]}"


def _weight(item: Any) -> int:
    """Roughly how many values validating one item touches: itself, its diary entries and its codes."""
    if not isinstance(item, dict):
        return 1
    return 1 + sum(len(v) for k in ("findings", "denied", "unsure", "conditions", "diary") if isinstance(v := item.get(k), list))


def parse_batch(items: list[Any]) -> list[Assessment]:
    """The contract's batch validation, a chunk at a time (each chunk holds the interpreter lock only briefly,
    so the event loop keeps answering); the whole batch still fails on any bad item, every error counted."""
    out: list[Assessment] = []
    errors: list[tuple[str, str]] = []
    omitted = 0
    start = 0
    while start < len(items):
        end, weight = start, 0
        while end < len(items) and (end == start or weight < VALIDATE_WEIGHT):
            weight += _weight(items[end])
            end += 1
        chunk = items[start:end]
        if len(errors) >= MAX_LISTED_ERRORS:  # the list is full: count the rest, reword (and suggest for) none
            try:
                _BATCH.validate_python(chunk)
            except ValidationError as e:
                omitted += e.error_count()
        else:
            try:
                out.extend(parse_many(chunk))
            except BadInput as e:
                errors.extend((_shifted(loc, start), msg) for loc, msg in e.errors)
                omitted += e.omitted
        start = end
    if errors:
        raise BadInput(errors[:MAX_LISTED_ERRORS], omitted=omitted + max(0, len(errors) - MAX_LISTED_ERRORS))
    return out


def parse_assessments(raw: bytes) -> Assessment | list[Assessment]:
    """One assessment or a batch from a request body, within the request limits; BadInput naming the field."""
    data = jsonload.loads(raw)
    check_assessments(data)
    return parse_batch(data) if isinstance(data, list) else parse_assessment(data)


def _assess_all(parsed: Assessment | list[Assessment]) -> str:
    if isinstance(parsed, list):
        return "[" + ",".join(assess(a).to_json() for a in parsed) + "]"
    return assess(parsed).to_json()


@router.post(
    "/assess",
    summary="Assess one back spasm (an object) or a batch (an array)",
    description="The contract's input in, its result out (docs/contract.md): one object gives one result, an "
    f"array gives an array of results in the same order (at most {MAX_BATCH} per request, 50,000 characters of "
    "text in all). The optional `locale` (en-US, en-GB) sets the wording; `watch_for` is the safety net and "
    "`to_ask` names the red flags the input never covered. Bad input gets 422 naming the field (and the batch index).",
    response_model=ResultModel | list[ResultModel],
    responses={422: {"model": BadInputModel, "description": "Bad input: the body names each field at fault."},
               413: {"model": ErrorModel, "description": "The body is too large."}},
    openapi_extra={"requestBody": {"required": True, "content": {JSON_TYPE: {"schema": ASSESS_BODY_SCHEMA}}}},
)
async def assess_endpoint(request: Request) -> Response:
    raw = await read_body(request)
    try:
        if len(raw) <= SMALL_BODY:
            parsed = parse_assessments(raw)
            has_text = any(a.text for a in (parsed if isinstance(parsed, list) else (parsed,)))
            # Without text a small request takes microseconds: a thread hop would cost more than it saves.
            body = await run_in_threadpool(_assess_all, parsed) if has_text else _assess_all(parsed)
        else:
            body = await run_in_threadpool(lambda: _assess_all(parse_assessments(raw)))
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


def _built_once(request: Request, name: str, build: Callable[[], Any]) -> Response:
    """A document that never changes while the app runs, serialised on first request and kept on the app."""
    cached = getattr(request.app.state, name, None)
    if cached is None:
        cached = json.dumps(build(), ensure_ascii=False, separators=(",", ":"))
        setattr(request.app.state, name, cached)
    return Response(cached, media_type=JSON_TYPE)


@router.get("/knowledge", summary="The whole rule set, with the source of every rule")
async def knowledge(request: Request) -> Response:
    return _built_once(request, "knowledge_json", vocabulary)


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
    from ..sources import listing

    return _built_once(request, "sources_json", listing)


@router.get("/healthz", response_model=Health, summary="Liveness: the app answers")
async def healthz() -> Health:
    from .. import __version__

    return Health(status="ok", version=__version__)


@router.get("/readyz", response_model=Health, summary="Readiness: the database takes writes",
            responses={503: {"model": ErrorModel, "description": "The database cannot be written just now."}})
async def readyz(request: Request) -> Response:
    from .. import __version__

    try:
        await run_in_threadpool(lambda: get_store(request).check_writable())
    except Exception as e:
        detail = f"the database cannot be written: {type(e).__name__}"
        return Response(json.dumps({"error": "not_ready", "detail": detail}), status_code=503, media_type=JSON_TYPE,
                        headers={"retry-after": "5", "cache-control": "no-store"})
    return Response(Health(status="ready", version=__version__).model_dump_json(), media_type=JSON_TYPE,
                    headers={"cache-control": "no-store"})


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


__all__ = ["MAX_BODY", "BadInput", "add_schema_components", "read_body", "router"]
