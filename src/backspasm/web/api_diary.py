"""The signed-in part of the JSON API: the session, the account, episodes and check-ins.

Cookie-authenticated writes need the session's CSRF token in `X-CSRF-Token`
(`GET /api/v1/session` gives it). Another user's episode is a 404, never a 403:
its existence is not revealed. Bodies are JSON, read strictly: a repeated key, an
unknown field or a value of the wrong type (`"pain": true`, `"pain": "7"`) is a 422
naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..contract import Assessment, BadInput
from . import accounts
from .api import JSON_TYPE, BadInputModel, ErrorModel, parse_assessments, text_unavailable
from .deps import check_api_csrf, csrf_token, current_user, get_store, require_user
from .limits import json_body, read_body, require_json

router = APIRouter(prefix="/api/v1", tags=["diary"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorModel, "description": "No such episode (or not yours)."}}
AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorModel, "description": "Not signed in."},
    403: {"model": ErrorModel, "description": "Missing or wrong X-CSRF-Token header."},
}
IDEMPOTENCY_HEADER = "idempotency-key"


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Credentials(_Closed):
    email: str = Field(max_length=320, description="The account's email address.")
    password: str = Field(max_length=accounts.MAX_PASSWORD)


class PasswordChange(_Closed):
    current_password: str = Field(max_length=accounts.MAX_PASSWORD)
    new_password: str = Field(max_length=accounts.MAX_PASSWORD)


class SessionInfo(BaseModel):
    signed_in: bool
    user: dict[str, Any] | None = None
    csrf_token: str = Field(description="Send it back as X-CSRF-Token on every write.")


class CheckinIn(_Closed):
    pain: int = Field(ge=0, le=10, description="Pain now, 0-10 (an integer: not a string, not true).")
    at: str | None = Field(default=None, max_length=64,
                           description="When, as ISO 8601 with a time zone (e.g. 2026-11-25T08:30:00+01:00); default now.")
    findings: list[str] = Field(default_factory=list, max_length=100, description="New finding codes since the last check-in.")
    gone: list[str] = Field(default_factory=list, max_length=100,
                            description="Finding codes that have gone since the last check-in.")
    zone: str | None = Field(default=None, max_length=64,
                             description="The IANA time zone the check-in was entered in (default: the offset of `at`).")
    tried: dict[str, bool | None] | list[str] | None = Field(
        default=None, description="Treatments tried (cold, heat, rest, stretches, nsaid, acetaminophen) and whether they helped."
    )
    note: str | None = Field(default=None, max_length=2000)
    idempotency_key: str | None = Field(
        default=None, max_length=100,
        description="Any unique string (a UUID): sending the same check-in again with it stores it once. "
        "The Idempotency-Key header does the same.")


class SeenIn(_Closed):
    note: str | None = Field(default=None, max_length=2000, description="What the clinician said.")
    at: str | None = Field(default=None, max_length=64,
                           description="When, as ISO 8601 with a time zone; default now.")
    zone: str | None = Field(default=None, max_length=64, description="The IANA time zone it was entered in.")


def _user_dict(user: Any) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "created_at": user.created_at.isoformat()}


def _session_info(request: Request, user: Any | None) -> SessionInfo:
    return SessionInfo(signed_in=user is not None, user=_user_dict(user) if user else None, csrf_token=csrf_token(request))


def signed_in_writer(request: Request) -> Any:
    """The signed-in user, for a write: 401 when signed out, 403 without the CSRF header."""
    user = require_user(request)
    check_api_csrf(request)
    return user


Writer = Annotated[Any, Depends(signed_in_writer)]
Reader = Annotated[Any, Depends(require_user)]


def _episode_or_404(request: Request, user: Any, episode_id: int) -> Any:
    if episode_id < 1 or episode_id > 2**62:
        raise HTTPException(404, "no such episode")
    episode = get_store(request).get_episode(user.id, episode_id)
    if episode is None:
        raise HTTPException(404, "no such episode")
    return episode


def _when(value: str | None) -> datetime | None:
    """An ISO 8601 time with a zone, or None; BadInput naming `at` otherwise."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise BadInput([("at", f"{value[:64]!r} is not an ISO 8601 time (e.g. 2026-11-25T08:30:00+01:00)")]) from None
    if parsed.tzinfo is None:
        raise BadInput([("at", "must carry a time zone (naive times are ambiguous)")])
    return parsed


# ---- session and account ----


@router.get("/session", response_model=SessionInfo, summary="Who is signed in, and the CSRF token for writes")
async def get_session(request: Request) -> SessionInfo:
    user = await run_in_threadpool(current_user, request)
    return _session_info(request, user)


CREDENTIALS_BODY = {"requestBody": {"required": True, "content": {JSON_TYPE: {"schema": Credentials.model_json_schema()}}}}


@router.post("/session", response_model=SessionInfo, summary="Sign in (limited per account and per client)",
             responses={401: {"model": ErrorModel}, 429: {"model": ErrorModel}}, openapi_extra=CREDENTIALS_BODY)
async def post_session(request: Request) -> SessionInfo:
    body = await json_body(request, Credentials)
    outcome = await accounts.sign_in(request, body.email, body.password)
    if outcome.limited:
        raise HTTPException(429, "too many failed attempts; try again later",
                            headers={"retry-after": str(outcome.retry_after)})
    if outcome.user is None:
        raise HTTPException(401, "email and password do not match an account")
    return _session_info(request, outcome.user)


@router.delete("/session", status_code=204, summary="Sign out", responses=AUTH)
async def delete_session(request: Request, user: Writer) -> Response:
    await accounts.end_session(request)
    return Response(status_code=204)


@router.delete("/me/sessions", status_code=204, summary="Sign out everywhere (every browser, this one included)",
               responses=AUTH)
async def delete_all_sessions(request: Request, user: Writer) -> Response:
    await accounts.end_everywhere(request, user)
    return Response(status_code=204)


@router.post("/me/password", status_code=204, summary="Change the password; every other session ends",
             responses=AUTH | {422: {"model": BadInputModel}},
             openapi_extra={"requestBody": {"required": True, "content": {JSON_TYPE: {
                 "schema": PasswordChange.model_json_schema()}}}})
async def post_password(request: Request, user: Writer) -> Response:
    body = await json_body(request, PasswordChange)
    await accounts.change_password(request, user, body.current_password, body.new_password, None)
    return Response(status_code=204)


@router.post("/users", status_code=201, response_model=SessionInfo, summary="Create an account (and sign in)",
             responses={422: {"model": BadInputModel, "description": "Bad email, weak password, or the email is taken."},
                        429: {"model": ErrorModel, "description": "Too many new accounts from this address."}},
             openapi_extra=CREDENTIALS_BODY)
async def post_user(request: Request) -> SessionInfo:
    body = await json_body(request, Credentials)
    user = await accounts.register(request, body.email, body.password)
    return _session_info(request, user)


@router.delete("/me", status_code=204, summary="Delete the account and all its data", responses=AUTH)
async def delete_me(request: Request, user: Writer) -> Response:
    await accounts.delete_account(request, user)
    return Response(status_code=204)


@router.get("/me/export", summary="Everything stored about the signed-in user, as JSON", responses=AUTH)
async def export_me(request: Request, user: Reader) -> JSONResponse:
    data = await run_in_threadpool(get_store(request).export_user, user.id)
    return JSONResponse(data)


# ---- episodes ----


@router.get("/episodes", summary="The signed-in user's episodes, newest first", responses=AUTH)
async def list_episodes(request: Request, user: Reader) -> list[dict[str, Any]]:
    episodes = await run_in_threadpool(get_store(request).list_episodes, user.id)
    return [e.as_dict() for e in episodes]


@router.post(
    "/episodes",
    status_code=201,
    summary="Start an episode from an assessment (the input object of docs/contract.md)",
    responses=AUTH,
    openapi_extra={"requestBody": {"required": True, "content": {JSON_TYPE: {
        "schema": {"$ref": "#/components/schemas/Assessment"}}}}},
)
async def start_episode(request: Request, user: Writer) -> dict[str, Any]:
    require_json(request)
    raw = await read_body(request, 64 * 1024)
    parsed = await run_in_threadpool(parse_assessments, raw)
    if not isinstance(parsed, Assessment):
        raise BadInput([("", "an episode starts from one assessment object, not an array")])
    try:
        episode, result = await run_in_threadpool(get_store(request).start_episode, user.id, parsed)
    except ModuleNotFoundError as e:
        raise text_unavailable(e) from e
    return {"episode": episode.as_dict(), "result": result.as_dict()}


@router.get("/episodes/{episode_id}", summary="One episode", responses=AUTH | NOT_FOUND)
async def get_episode(request: Request, episode_id: int, user: Reader) -> dict[str, Any]:
    episode = await run_in_threadpool(_episode_or_404, request, user, episode_id)
    result: dict[str, Any] = episode.as_dict()
    return result


@router.post("/episodes/{episode_id}/close", summary="Close an episode", responses=AUTH | NOT_FOUND)
async def close_episode(request: Request, episode_id: int, user: Writer) -> dict[str, Any]:
    await run_in_threadpool(_episode_or_404, request, user, episode_id)
    episode = await run_in_threadpool(get_store(request).close_episode, user.id, episode_id)
    result: dict[str, Any] = episode.as_dict()
    return result


@router.get("/episodes/{episode_id}/status", summary="The episode re-assessed now: what changed, what is due",
            responses=AUTH | NOT_FOUND)
async def episode_status(request: Request, episode_id: int, user: Reader) -> dict[str, Any]:
    await run_in_threadpool(_episode_or_404, request, user, episode_id)
    status = await run_in_threadpool(get_store(request).status, user.id, episode_id)
    result: dict[str, Any] = status.as_dict()
    return result


@router.get("/episodes/{episode_id}/checkins", summary="An episode's check-ins in time order",
            responses=AUTH | NOT_FOUND)
async def list_checkins(request: Request, episode_id: int, user: Reader) -> list[dict[str, Any]]:
    await run_in_threadpool(_episode_or_404, request, user, episode_id)
    checkins = await run_in_threadpool(get_store(request).list_checkins, user.id, episode_id)
    return [c.as_dict() for c in checkins]


@router.post("/episodes/{episode_id}/checkins", status_code=201,
             summary="Add a pain rating; the episode is re-assessed and any escalation reported",
             description="Send an Idempotency-Key header (or `idempotency_key`) to make a retry safe: the same "
             "check-in sent again with the same key is stored once and answered the same way.",
             responses=AUTH | NOT_FOUND | {422: {"model": BadInputModel}},
             openapi_extra={"requestBody": {"required": True, "content": {JSON_TYPE: {
                 "schema": CheckinIn.model_json_schema()}}}})
async def add_checkin(request: Request, episode_id: int, user: Writer) -> Response:
    await run_in_threadpool(_episode_or_404, request, user, episode_id)
    body = await json_body(request, CheckinIn)
    header_key = request.headers.get(IDEMPOTENCY_HEADER)
    if header_key is not None and body.idempotency_key is not None and header_key != body.idempotency_key:
        raise BadInput([("idempotency_key", "differs from the Idempotency-Key header")])
    key = body.idempotency_key if body.idempotency_key is not None else header_key
    when = _when(body.at)
    outcome = await run_in_threadpool(
        lambda: get_store(request).add_checkin(user.id, episode_id, body.pain, at=when, findings=body.findings,
                                               tried=body.tried, note=body.note, idempotency_key=key, gone=body.gone,
                                               zone=body.zone)
    )
    headers = {"idempotent-replayed": "true"} if outcome.replayed else {}
    return JSONResponse(outcome.as_dict(), status_code=201, headers=headers)


@router.post("/episodes/{episode_id}/seen", status_code=201,
             summary="Record that a clinician has seen the person: emergency findings so far stop counting",
             responses=AUTH | NOT_FOUND | {422: {"model": BadInputModel}},
             openapi_extra={"requestBody": {"required": False, "content": {JSON_TYPE: {
                 "schema": SeenIn.model_json_schema()}}}})
async def record_seen(request: Request, episode_id: int, user: Writer) -> dict[str, Any]:
    await run_in_threadpool(_episode_or_404, request, user, episode_id)
    body = await json_body(request, SeenIn)
    when = _when(body.at)
    outcome = await run_in_threadpool(
        lambda: get_store(request).record_seen(user.id, episode_id, at=when, note=body.note, zone=body.zone)
    )
    result: dict[str, Any] = outcome.as_dict()
    return result


__all__ = ["router"]
