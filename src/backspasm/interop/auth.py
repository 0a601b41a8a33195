"""Who may call the CDS service: CDS Hooks client JWTs, verified with the issuer's published keys.

A CDS client signs a short-lived JWT (CDS Hooks 2.0, "Trusting CDS Clients"): `iss` must
be in the allow-list (BACKSPASM_CDS_ISSUERS, with the JWKS URL to check its signature),
`aud` must be this service's URL, `exp`, `iat` and `jti` are required, and a `jti` seen
before within its lifetime is a replay. Without a JWT a request is accepted only when the
settings allow it and it comes from this machine directly (not through a proxy).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from typing import Any

import jwt

from .config import InteropConfig

ALGORITHMS = ["RS384", "ES384", "RS256", "ES256", "RS512", "ES512"]
LEEWAY = 30  # seconds of clock skew allowed between the client and us


class AuthError(Exception):
    """A request this service will not answer (HTTP 401)."""


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class ClientAuth:
    """Verifies CDS client JWTs; remembers each `jti` until its token expires."""

    def __init__(self, config: InteropConfig) -> None:
        self.config = config
        self._clients: dict[str, jwt.PyJWKClient] = {}
        self._seen: dict[str, float] = {}  # jti -> exp
        self._lock = threading.Lock()

    def _keys(self, iss: str) -> jwt.PyJWKClient:
        with self._lock:
            client = self._clients.get(iss)
            if client is None:
                client = jwt.PyJWKClient(self.config.issuers[iss], cache_keys=True, lifespan=300,
                                         timeout=int(max(1, self.config.fetch_timeout)))
                self._clients[iss] = client
            return client

    def check(self, authorization: str | None, client_host: str | None, proxied: bool,
              audience: str | None) -> str | None:
        """The verified issuer, or None for an accepted unsigned request; AuthError otherwise."""
        if not authorization:
            if self.config.unsigned == "loopback" and is_loopback(client_host) and not proxied:
                return None
            raise AuthError("a CDS client JWT is required (Authorization: Bearer <JWT>); requests without one are "
                            "accepted only from this machine when BACKSPASM_CDS_UNSIGNED=loopback")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("the Authorization header must be 'Bearer <JWT>'")
        if audience is None:  # never the Host header: a token for another service must not pass here
            raise AuthError("this server cannot check a JWT's audience: set BACKSPASM_PUBLIC_URL to its public address")
        return self.verify(token.strip(), audience)

    def verify(self, token: str, audience: str) -> str:
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as e:
            raise AuthError(f"the JWT cannot be read: {e}") from None
        iss = claims.get("iss")
        if not isinstance(iss, str) or iss not in self.config.issuers:
            raise AuthError(f"the JWT issuer {iss!r} is not a trusted CDS client (BACKSPASM_CDS_ISSUERS)")
        try:
            key = self._keys(iss).get_signing_key_from_jwt(token)
        except jwt.PyJWKClientError as e:
            raise AuthError(f"no key of {iss!r} verifies this JWT: {e}") from None
        try:
            verified: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=ALGORITHMS, audience=audience, issuer=iss, leeway=LEEWAY,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.PyJWTError as e:
            raise AuthError(f"the JWT is not valid for this service: {e}") from None
        now = time.time()
        exp = float(verified["exp"])
        if exp - now > self.config.max_token_lifetime:
            raise AuthError(f"the JWT is valid for more than {self.config.max_token_lifetime} s; "
                            "CDS Hooks asks for short-lived tokens")
        jti = f"{iss}\x00{verified['jti']}"
        with self._lock:
            for seen, until in list(self._seen.items()):
                if until + LEEWAY < now:
                    del self._seen[seen]
            if jti in self._seen:
                raise AuthError("this JWT was already used (jti replay)")
            self._seen[jti] = exp
        return iss


__all__ = ["AuthError", "ClientAuth", "is_loopback"]
