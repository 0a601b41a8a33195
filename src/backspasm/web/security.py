"""Security at the edge: response headers on every response (faults included), slow clients, CSRF names.

Both middlewares are plain ASGI (no per-request objects) so they cost next to
nothing on the hot `POST /api/v1/assess` path. A fault anywhere inside becomes a
503 that carries the same headers as any other response, never a bare 500.
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .heap import settle

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
HSTS = (b"strict-transport-security", b"max-age=31536000")
JSON_PREFIXES = ("/api/", "/fhir", "/cds-services")

log = logging.getLogger("backspasm.web")

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

FAULT_PAGE = (
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>Not available just now · backspasm</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>"
    "<body><main><h1>Not available just now</h1><p>Something went wrong on our side and nothing you entered was "
    "lost. Please try again in a minute. If you feel very unwell, call your emergency number.</p>"
    "<p><a href=\"/\">Back to the start</a></p></main></body></html>"
)


class ClientTooSlow(Exception):
    """The client took longer than the read timeout to send part of its request."""


def wants_json(scope: Scope) -> bool:
    """API paths, and clients that do not ask for HTML, get JSON errors."""
    if scope.get("path", "").startswith(JSON_PREFIXES):
        return True
    accept = next((v for k, v in scope.get("headers", ()) if k == b"accept"), b"")
    return b"text/html" not in accept


class SecurityHeadersMiddleware:
    """Adds the CSP (no inline script, frame-ancestors none) and friends to every response, HSTS over https.

    Exceptions that reach it become a 503 (a fault) or, for a client too slow to
    send its request, a 408; both with these headers.
    """

    def __init__(self, app: ASGIApp, hsts: bool = False, read_timeout: float | None = None) -> None:
        self.app = app
        self.headers = (*SECURITY_HEADERS, HSTS) if hsts else SECURITY_HEADERS
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in present)
                message["headers"] = headers
            await send(message)

        timeout = self.read_timeout
        body_done = False

        async def receive_in_time() -> Message:
            """Each part of the body must arrive within the timeout; after the body, waiting is free."""
            nonlocal body_done
            if timeout is None or body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout)
            except TimeoutError:
                raise ClientTooSlow from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        try:
            await self.app(scope, receive_in_time, send_with_headers)
            settle()  # after the answer: the first text loads the reader's model, freeze it out of the collector's way
        except ClientTooSlow:
            if started:
                raise
            await _fault(scope, send_with_headers, 408, "request_timeout",
                         "the request was not sent in time", "The request took too long to arrive.")
        except Exception:
            log.exception("fault answering %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await _fault(scope, send_with_headers, 503, "unavailable",
                         "the server could not answer just now; nothing was changed by a partial write, try again",
                         None)


async def _fault(scope: Scope, send: Send, status: int, code: str, detail: str, page_text: str | None) -> None:
    """A complete error response, JSON or a plain page, without touching templates or the database."""
    if wants_json(scope):
        body = json.dumps({"error": code, "detail": detail}).encode()
        kind = b"application/json"
    else:
        page = FAULT_PAGE if page_text is None else FAULT_PAGE.replace(
            "Something went wrong on our side and nothing you entered was lost. Please try again in a minute.", page_text)
        body = page.encode()
        kind = b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
    if status == 503:
        headers.append((b"retry-after", b"30"))
    if status == 408:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
