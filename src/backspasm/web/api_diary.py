"""The signed-in part of the JSON API: the session, the account, episodes and check-ins.

Cookie-authenticated writes need the session's CSRF token in `X-CSRF-Token`
(`GET /api/v1/session` gives it). Another user's episode is a 404, never a 403:
its existence is not revealed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..contract import Assessment, BadInput, parse_json
from . import accounts
from .api import JSON_TYPE, BadInputModel, ErrorModel, read_body, text_unavailable
from .deps import check_api_csrf, current_user_id, get_store, require_user, session_of
from .security import csrf_token

router = APIRouter(prefix="/api/v1", tags=["diary"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorModel, "description": "No such episode (or not yours)."}}
AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorModel, "description": "Not signed in."},
    403: {"model": ErrorModel, "description": "Missing or wrong X-CSRF-Token header."},
}


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Credentials(_Closed):
    email: str = Field(max_length=320, description="The account's email address.")
    password: str = Field(max_length=accounts.MAX_PASSWORD)


class SessionInfo(BaseModel):
    signed_in: bool
    user: dict[str, Any] | None = None
    csrf_token: str = Field(description="Send it back as X-CSRF-Token on every write.")


class CheckinIn(_Closed):
    pain: int = Field(ge=0, le=10, description="Pain now, 0-10.")
    at: datetime | None = Field(default=None, description="When (with a time zone); default now.")
    findings: list[str] = Field(default_factory=list, description="New finding codes since the last check-in.")
    tried: dict[str, bool | None] | list[str] | None = Field(
        default=None, description="Treatments tried (cold, heat, rest, stretches, nsaid, acetaminophen) and whether they helped."
    )
    note: str | None = Field(default=None, max_length=2000)


def _user_dict(user: Any) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "created_at": user.created_at.isoformat()}


def _session_info(request: Request, user: Any | None) -> SessionInfo:
    return SessionInfo(signed_in=user is not None, user=_user_dict(user) if user else None,
                       csrf_token=csrf_token(session_of(request)))


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


# ---- session and account ----


@router.get("/session", response_model=SessionInfo, summary="Who is signed in, and the CSRF token for writes")
async def get_session(request: Request) -> SessionInfo:
    uid = current_user_id(request)
    user = await run_in_threadpool(get_store(request).get_user, uid) if uid is not None else None
    return _session_info(request, user)


@router.post("/session", response_model=SessionInfo, summary="Sign in (rate limited per email and per client)",
             responses={401: {"model": ErrorModel}, 429: {"model": ErrorModel}})
async def post_session(request: Request, body: Credentials) -> SessionInfo:
    outcome = await accounts.sign_in(request, body.email, body.password)
    if outcome.limited:
        raise HTTPException(429, "too many failed attempts; try again later",
                            headers={"retry-after": str(outcome.retry_after)})
    if outcome.user is None:
        raise HTTPException(401, "email and password do not match an account")
    return _session_info(request, outcome.user)


@router.delete("/session", status_code=204, summary="Sign out", responses=AUTH)
async def delete_session(request: Request, user: Writer) -> Response:
    accounts.end_session(request)
    return Response(status_code=204)


@router.post("/users", status_code=201, response_model=SessionInfo, summary="Create an account (and sign in)",
             responses={422: {"model": BadInputModel, "description": "Bad email, weak password, or the email is taken."}})
async def post_user(request: Request, body: Credentials) -> SessionInfo:
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
    parsed = parse_json(await read_body(request, 64 * 1024))
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
             responses=AUTH | NOT_FOUND)
async def add_checkin(request: Request, episode_id: int, body: CheckinIn, user: Writer) -> dict[str, Any]:
    await run_in_threadpool(_episode_or_404, request, user, episode_id)
    outcome = await run_in_threadpool(
        lambda: get_store(request).add_checkin(user.id, episode_id, body.pain, at=body.at, findings=body.findings,
                                               tried=body.tried, note=body.note)
    )
    result: dict[str, Any] = outcome.as_dict()
    return result


__all__ = ["router"]
