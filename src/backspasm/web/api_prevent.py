"""The prevention part of the JSON API: build a program, keep it, tick off sessions.

The same rules as `backspasm prevent` and the /prevent page, from the same functions: no
program while a doctor's visit is pending (`status: "not_now"`, and `withheld` says why,
what still applies and when to come back), none before hour 48 of an episode, and no
session ticked off before the program is under way (409, nothing recorded).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import jsonload
from ..contract import BadInput, _bad_input
from ..prevent.library import find_exercise, load
from ..prevent.program import Program, ProgramRequest, build_program, parse_request
from .api import JSON_TYPE, BadInputModel, ErrorModel
from .api_diary import AUTH, _when, signed_in_writer
from .deps import current_user_id, get_store, request_locale, require_user
from .limits import json_body, read_body, require_json

router = APIRouter(prefix="/api/v1", tags=["prevention"])

Writer = Annotated[Any, Depends(signed_in_writer)]
Reader = Annotated[Any, Depends(require_user)]
EPISODE_FIELDS = ("urgency", "hours_since_onset", "assessment")
PROGRAM_BODY = {"requestBody": {"required": True, "content": {JSON_TYPE: {"schema": ProgramRequest.model_json_schema()}}}}
WITHHELD_NOTE = (
    "A program is never built while a doctor's visit is pending (urgency `soon`, `urgent` or `emergency`): the "
    "answer is then 200 with `status: \"not_now\"`, no weeks or sessions, and `withheld` = {code, urgency, title, "
    "text, come_back, source, still_applies}, where `still_applies` lists the plan's gentle movement when the plan "
    "has it (at `soon`). Signed in, with no urgency, hours or assessment in the body, the open diary episode counts. "
    "Wording follows Accept-Language (en-US or en-GB)."
)
NOT_UNDER_WAY = {409: {"model": ErrorModel, "description": "Nothing recorded: `error` is `no_program`, "
                       "`program_withheld` or `program_not_started`, and `detail` says why in plain words."}}


class DoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    code: str = Field(max_length=64, description="The exercise done, e.g. plank or walking.")
    at: str | None = Field(default=None, max_length=64,
                           description="When, as ISO 8601 with a time zone (e.g. 2026-11-27T08:30:00+01:00); default now.")
    minutes: int | None = Field(default=None, ge=1, le=600, description="How many minutes (for activities).")


def parse_program_body(raw: bytes) -> ProgramRequest:
    """A program request from a JSON body, read strictly (a repeated key, a wrong type: 422 naming the field)."""
    data = jsonload.loads(raw)
    if not isinstance(data, dict):
        raise BadInput([("", "a program request must be a JSON object")])
    try:
        return ProgramRequest.model_validate_json(raw, strict=True)
    except ValidationError as e:
        raise _bad_input(e) from None


def _with_diary_episode(request: Request, req: ProgramRequest) -> ProgramRequest:
    """Signed in, with no episode in the body: the open diary episode counts, as on the /prevent page."""
    uid = current_user_id(request)
    if uid is None or any(getattr(req, k) is not None for k in EPISODE_FIELDS):
        return req
    from ..prevent.tracking import episode_from_diary

    found = episode_from_diary(get_store(request), uid)
    if found is None:
        return req
    data = req.model_dump(mode="json", exclude_none=True)
    data.update(urgency=found[0], hours_since_onset=round(found[1], 2))
    return parse_request(data)


async def _program_from_body(request: Request) -> Program:
    require_json(request)
    raw = await read_body(request, 64 * 1024)
    locale = request_locale(request)

    def build() -> Program:
        return build_program(_with_diary_episode(request, parse_program_body(raw)), locale=locale)

    return await run_in_threadpool(build)


@router.post(
    "/program",
    summary="Build a 6-week prevention program (nothing is stored)",
    description="The answers of `backspasm prevent --json` in, the program out (the same JSON as "
    "`backspasm prevent --format json`). " + WITHHELD_NOTE,
    responses={422: {"model": BadInputModel, "description": "Bad input: each problem names its field."}},
    openapi_extra=PROGRAM_BODY,
)
async def post_program(request: Request) -> JSONResponse:
    program = await _program_from_body(request)
    return JSONResponse(program.as_dict())


@router.put(
    "/program",
    summary="Build a program and keep it as yours (signed in), to tick off sessions",
    description="As POST /program; a ready program is saved (`saved: true`). A withheld one is not saved "
    "(`saved: false`) and the answer says why. " + WITHHELD_NOTE,
    responses=AUTH | {422: {"model": BadInputModel}},
    openapi_extra=PROGRAM_BODY,
)
async def put_program(request: Request, user: Writer) -> JSONResponse:
    program = await _program_from_body(request)
    saved = program.status == "ready"
    if saved:
        from ..prevent.tracking import save_program

        await run_in_threadpool(save_program, get_store(request), user.id, program, datetime.now(UTC))
    return JSONResponse({"program": program.as_dict(), "saved": saved})


@router.get(
    "/program",
    summary="Your saved program, re-checked against your diary, and how closely you have followed it",
    description="An open diary episode that needs a doctor withholds the saved program (`status: \"not_now\"`, "
    "`withheld` says why); one in its first 48 hours moves the start later.",
    responses=AUTH | {404: {"model": ErrorModel, "description": "No program saved yet."}},
)
async def get_program(request: Request, user: Reader) -> JSONResponse:
    from ..prevent.tracking import progress

    locale = request_locale(request)
    found = await run_in_threadpool(lambda: progress(get_store(request), user.id, locale=locale))
    if found is None:
        raise HTTPException(404, "no program saved yet: PUT /api/v1/program to build and keep one")
    program, adherence = found
    return JSONResponse({"program": program.as_dict(), "adherence": adherence.as_dict()})


@router.post(
    "/program/done",
    status_code=201,
    summary="Tick off a session of your program",
    description="Recorded only once your program is under way: with no program saved, while it is withheld "
    "(a doctor's visit first) or before its first day, the answer is 409 and nothing is recorded.",
    responses=AUTH | NOT_UNDER_WAY | {422: {"model": BadInputModel}},
    openapi_extra={"requestBody": {"required": True, "content": {JSON_TYPE: {"schema": DoneIn.model_json_schema()}}}},
)
async def post_done(request: Request, user: Writer) -> JSONResponse:
    from ..prevent.tracking import NotUnderWay, tick_off

    body = await json_body(request, DoneIn)
    ex = find_exercise(body.code)
    if ex is None:
        raise BadInput([("code", f"unknown exercise {body.code[:64]!r}; choose one of: {', '.join(load().exercises)}")])
    when = _when(body.at) or datetime.now(UTC)
    locale = request_locale(request)
    detail = {"minutes": body.minutes} if body.minutes else {}
    try:
        _, adherence = await run_in_threadpool(
            lambda: tick_off(get_store(request), user.id, ex.code, when, detail, locale=locale)
        )
    except NotUnderWay as e:
        return JSONResponse({"error": e.code, "detail": e.message}, status_code=409)
    return JSONResponse({"recorded": {"code": ex.code, "at": when.isoformat()}, "adherence": adherence.as_dict()},
                        status_code=201)


__all__ = ["parse_program_body", "router"]
