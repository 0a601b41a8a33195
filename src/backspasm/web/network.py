"""Who is asking, and for which site: the client's address (through trusted proxies only) and the public origin.

X-Forwarded-For is believed only when the connection comes from a configured
trusted proxy, and then only up to the first address that is not one. Links and
cookies are built for the configured public URL (or the server's own address),
never from the Host header a client sends.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from .settings import Network, Settings

CLIENT_KEY = "backspasm.client"


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, proxies: tuple[Network, ...]) -> bool:
    return address is not None and any(address in net for net in proxies)


def client_address(scope: Scope, proxies: tuple[Network, ...]) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the nearest untrusted hop it reports."""
    peer = scope.get("client")
    host = peer[0] if peer else ""
    address = _address(host)
    if not _trusted(address, proxies):
        return host or "unknown"
    hops: list[str] = []
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            hops.extend(value.decode("latin-1").split(","))
    for hop in reversed(hops):
        found = _address(hop)
        if found is None:
            return host  # a malformed hop: stop believing the chain here
        if not _trusted(found, proxies):
            return str(found)
    return host


def limit_key(address: str) -> str:
    """The sign-in limit key for an address: IPv6 clients are counted by their /64, as one host holds a whole /64."""
    found = _address(address)
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is None:
        return f"ip:{ipaddress.ip_network(f'{found}/64', strict=False)}"
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return f"ip:{found.ipv4_mapped}"
    return f"ip:{address[:100]}"


class OriginMiddleware:
    """Rewrites each request's Host, scheme and server to the public origin; records the client's address."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.proxies = settings.trusted_proxies
        self.public = urlsplit(settings.public_url) if settings.public_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        scope[CLIENT_KEY] = client_address(scope, self.proxies)
        if self.public is not None:
            scheme = self.public.scheme
            host = self.public.hostname or "localhost"
            port = self.public.port or (443 if scheme == "https" else 80)
            netloc = self.public.netloc
        else:
            scheme = scope.get("scheme", "http")
            host, port = scope.get("server") or ("localhost", 80)
            shown = f"[{host}]" if ":" in host else host
            netloc = shown if port == (443 if scheme == "https" else 80) else f"{shown}:{port}"
        headers = [(k, v) for k, v in scope.get("headers", ()) if k != b"host"]
        headers.append((b"host", netloc.encode("ascii", "replace")))
        scope.update(scheme=scheme, server=(host, port), headers=headers)
        await self.app(scope, receive, send)
