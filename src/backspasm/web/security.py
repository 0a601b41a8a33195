"""Security at the edge: response headers, the signed session cookie, CSRF tokens.

Both middlewares are plain ASGI (no per-request objects) so they cost next to
nothing on the hot `POST /api/v1/assess` path.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import MutableMapping
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "backspasm_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class SecurityHeadersMiddleware:
    """Adds the CSP (no inline script, frame-ancestors none) and friends to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SessionCookieMiddleware:
    """A signed, HttpOnly, SameSite=Lax session cookie; Secure over HTTPS.

    The session holds only a user id and a CSRF token: no state lives in the
    process, so any worker can serve any request.
    """

    def __init__(self, app: ASGIApp, secret_key: str, max_age: int, secure: bool | None = None) -> None:
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret_key, salt="backspasm.session")
        self.max_age = max_age
        self.secure = secure

    def _load(self, scope: Scope) -> dict[str, Any]:
        raw = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        if not raw:
            return {}
        try:
            data = self.serializer.loads(raw, max_age=self.max_age)
        except (BadSignature, ValueError, json.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = self._load(scope)
        had_cookie = bool(session)
        before = dict(session)
        scope["session"] = session
        secure = self.secure if self.secure is not None else scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                current: MutableMapping[str, Any] = scope["session"]
                if current != before or (had_cookie and not current):
                    headers = MutableHeaders(scope=message)
                    attrs = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
                    if current:
                        value = self.serializer.dumps(dict(current))
                        headers.append("set-cookie", f"{SESSION_COOKIE}={value}; Max-Age={self.max_age}{attrs}")
                    else:
                        headers.append("set-cookie", f"{SESSION_COOKIE}=; Max-Age=0{attrs}")
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, created on first use (every form embeds it)."""
    token = session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], submitted: object) -> bool:
    """True when the submitted token matches the session's (constant-time)."""
    expected = session.get("csrf")
    if not isinstance(expected, str) or not expected or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())
