"""The session cookie: a random 256-bit id and nothing else; who it signs in is known only to the database.

A browser gets an id the first time a page holds a form (it keys the CSRF token
before sign-in); signing in replaces it with a fresh id whose hash the database
keeps (no fixation), signing out deletes that row. The CSRF token is an HMAC of
the id under the server's key, so the cookie holds no token, email or user id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .settings import Settings

SESSION_COOKIE = "backspasm_session"
SESSION_KEY = "backspasm.session"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class BrowserSession:
    """This request's view of the cookie: the id it carries, and what the response must do with it."""

    __slots__ = ("lifetime", "resolved", "token", "user", "write")

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.write: str | None = None  # "set" or "clear"
        self.lifetime: int | None = None  # seconds, for a signed-in cookie; None: until the browser closes
        self.user: Any | None = None
        self.resolved = False

    def ensure(self) -> str:
        """The id, issuing one (a cookie on this response) when the browser has none yet."""
        if self.token is None:
            self.token = secrets.token_urlsafe(32)  # 256 bits, as the database's sessions
            self.write = "set"
        return self.token

    def signed_in_as(self, token: str, user: Any, lifetime: int) -> None:
        """A new id for a new sign-in: the old one (and anything keyed on it) is dropped."""
        self.token, self.user, self.resolved = token, user, True
        self.write, self.lifetime = "set", lifetime

    def signed_out(self) -> None:
        self.token, self.user, self.resolved = None, None, True
        self.write, self.lifetime = "clear", None


def browser_session(scope_or_request: Any) -> BrowserSession:
    scope = scope_or_request if isinstance(scope_or_request, dict) else scope_or_request.scope
    session: BrowserSession = scope[SESSION_KEY]
    return session


def csrf_for(secret: str, token: str) -> str:
    """The CSRF token that goes with a session id: HMAC-SHA256 under the server's key."""
    mac = hmac.new(secret.encode(), b"csrf\x00" + token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


class SessionCookieMiddleware:
    """Reads the session id from the cookie and writes the cookie back when it changed.

    HttpOnly and SameSite=Lax always; Secure when the public URL is https (or the
    request came over https), or as configured. Every response to a request that
    carries a session, or that sets one, is marked Cache-Control: no-store.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _secure(self, scope: Scope) -> bool:
        if self.settings.secure_cookies is not None:
            return self.settings.secure_cookies
        return self.settings.https or scope.get("scheme") == "https"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        had_cookie = raw is not None
        session = BrowserSession(raw if raw and _TOKEN.fullmatch(raw) else None)
        scope[SESSION_KEY] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                attrs = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self._secure(scope) else "")
                if session.write == "set" and session.token:
                    age = f"; Max-Age={session.lifetime}" if session.lifetime else ""
                    headers.append("set-cookie", f"{SESSION_COOKIE}={session.token}{age}{attrs}")
                elif session.write == "clear" or (had_cookie and session.token is None):
                    headers.append("set-cookie", f"{SESSION_COOKIE}=; Max-Age=0{attrs}")
                if (had_cookie or session.write) and not scope.get("path", "").startswith("/static/"):
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_cookie)
