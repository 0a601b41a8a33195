"""What one request may ask of the server: its size, its items, its text; and reading JSON and forms within that.

Every limit is checked before the expensive part (parsing, assessment, hashing),
so memory and time per request stay bounded whatever is sent.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import HTTPException
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from .. import jsonload
from ..contract import MAX_LISTED_ERRORS, MAX_TEXT, BadInput

MAX_BODY = 2 * 1024 * 1024  # bytes in one API request
MAX_BATCH = 1000  # assessments in one API request (the CLI takes any number)
MAX_REQUEST_TEXT = 50_000  # characters of free text in one request: ten full texts
MAX_CODES = 100  # entries in one list of codes (there are fewer codes than that, each listed once)
MAX_DIARY = 1000  # earlier ratings in one assessment (three a day for most of a year)
_LIST_CAPS = (*((name, MAX_CODES) for name in ("findings", "denied", "unsure", "conditions")), ("diary", MAX_DIARY))
MAX_FORM = 64 * 1024  # bytes in one posted form (the longest text, URL-encoded, fits)
MAX_FORM_FIELDS = 200

Model = TypeVar("Model", bound=BaseModel)


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, refusing (413) anything larger than `limit` without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or len(declared) > 12):
        raise HTTPException(400, "the Content-Length header is not a number")
    if declared is not None and int(declared) > limit:
        raise HTTPException(413, f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def require_json(request: Request) -> None:
    """A body that sets a cookie or changes data must say it is JSON (415), which a cross-site form cannot."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise HTTPException(415, "send the body as application/json")


def check_assessments(data: Any) -> None:
    """Refuse, before validating a single field, a batch of more than MAX_BATCH items or too much text in all."""
    items = data if isinstance(data, list) else [data]
    if isinstance(data, list) and len(data) > MAX_BATCH:
        raise BadInput([("", f"a batch holds at most {MAX_BATCH} assessments through the API (this one has "
                             f"{len(data)}); send it in parts, or use `backspasm assess --json` for any number")])
    total = 0
    for i, item in enumerate(items):
        where = f"[{i}]." if isinstance(data, list) else ""
        for field, most in _LIST_CAPS:
            value = item.get(field) if isinstance(item, dict) else None
            if isinstance(value, list) and len(value) > most:
                raise BadInput([(f"{where}{field}", f"has {len(value)} entries; at most {most} are accepted")])
        text = item.get("text") if isinstance(item, dict) else None
        if isinstance(text, str):
            total += min(len(text), MAX_TEXT + 1)
            if total > MAX_REQUEST_TEXT:
                loc = f"[{i}].text" if isinstance(data, list) else "text"
                raise BadInput([(loc, f"one request holds at most {MAX_REQUEST_TEXT} characters of text in all; "
                                      "send the batch in parts")])


def validation_errors(exc: ValidationError) -> BadInput:
    """Pydantic's errors in BadInput's shape (field named), at most MAX_LISTED_ERRORS of them."""
    errors = exc.errors(include_url=False)
    listed = []
    for err in errors[:MAX_LISTED_ERRORS]:
        loc = ""
        for part in err.get("loc", ()):
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        listed.append((loc, str(err.get("msg", "invalid value"))))
    return BadInput(listed, omitted=max(0, len(errors) - MAX_LISTED_ERRORS))


async def json_body(request: Request, model: type[Model], limit: int = 64 * 1024) -> Model:
    """A strict JSON body: application/json, within `limit`, no repeated key, every field of the exact type."""
    require_json(request)
    data = jsonload.loads(await read_body(request, limit))
    if not isinstance(data, dict):
        raise BadInput([("", "the body must be a JSON object")])
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as e:
        raise validation_errors(e) from None


async def read_form(request: Request, limit: int = MAX_FORM, max_files: int = 0) -> FormData:
    """A posted form, its size and field count checked before it is parsed (413 / 400)."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise HTTPException(415, "This form must be sent by the page it came from.")
    raw = await read_body(request, limit)
    if kind == "multipart/form-data":
        return await _multipart(request, raw, max_files, limit)
    try:
        text = raw.decode("utf-8")
        fields: list[tuple[str, str | UploadFile]] = []
        fields += parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError) as e:
        raise HTTPException(400, "The form could not be read.") from e
    return FormData(fields)


async def _multipart(request: Request, raw: bytes, max_files: int = 0, limit: int = MAX_FORM) -> FormData:
    """A multipart form from its already bounded body (files only where the page uploads one)."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    try:
        return await Request(request.scope, replay).form(max_files=max_files, max_fields=MAX_FORM_FIELDS, max_part_size=limit)
    except (HTTPException, ValueError, KeyError) as e:
        raise HTTPException(400, "The form could not be read.") from e
