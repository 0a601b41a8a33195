"""The settings of the FHIR and CDS Hooks service: public URL, trusted CDS clients, timeouts.

Read from the environment (or given by the app factory / tests), never from a request:
links are built from the configured public URL, not from the Host header.

- BACKSPASM_PUBLIC_URL: the address people and record systems reach the app at
  (https://backspasm.example.org); without it, cards carry no link.
- BACKSPASM_CDS_ISSUERS: the CDS clients trusted to call the service, as JSON
  {"<iss>": "<JWKS URL>"}; each client's JWT is verified with the keys at that URL.
- BACKSPASM_CDS_UNSIGNED: "loopback" (default) accepts requests without a JWT only from
  this machine and not through a proxy; "never" requires a JWT always.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Literal

ENV_PUBLIC_URL = "BACKSPASM_PUBLIC_URL"
ENV_ISSUERS = "BACKSPASM_CDS_ISSUERS"
ENV_UNSIGNED = "BACKSPASM_CDS_UNSIGNED"


class ConfigError(ValueError):
    """A setting that cannot be used (named in the message)."""


@dataclass(frozen=True)
class InteropConfig:
    public_url: str | None = None
    issuers: dict[str, str] = field(default_factory=dict)  # iss -> JWKS URL
    unsigned: Literal["loopback", "never"] = "loopback"
    database_url: str | None = None  # link handles and card feedback; None: in memory
    fetch_timeout: float = 3.0  # seconds per FHIR server request
    fetch_pages: int = 10  # most pages followed per prefetch key
    link_ttl: int = 12 * 3600  # seconds a card's plan link stays valid
    max_token_lifetime: int = 3600  # seconds: a JWT valid for longer is refused (bounds the jti cache)

    @staticmethod
    def from_env(env: dict[str, str] | None = None, **overrides: Any) -> InteropConfig:
        """The settings from the environment, with explicit overrides winning."""
        source = os.environ if env is None else env
        public = overrides.pop("public_url", None) or source.get(ENV_PUBLIC_URL) or None
        issuers = overrides.pop("issuers", None)
        if issuers is None:
            issuers = parse_issuers(source.get(ENV_ISSUERS, ""))
        unsigned = overrides.pop("unsigned", None) or source.get(ENV_UNSIGNED) or "loopback"
        if unsigned not in ("loopback", "never"):
            raise ConfigError(f"{ENV_UNSIGNED}: expected 'loopback' or 'never', got {unsigned!r}")
        mode: Literal["loopback", "never"] = "never" if unsigned == "never" else "loopback"
        return InteropConfig(public_url=check_public_url(public), issuers=issuers, unsigned=mode, **overrides)

    def service_url(self, path: str) -> str | None:
        return f"{self.public_url}{path}" if self.public_url else None


def check_public_url(url: str | None) -> str | None:
    """An absolute http(s) base URL without a trailing slash, query or fragment."""
    if not url:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"{ENV_PUBLIC_URL}: expected an absolute http(s) URL such as https://backspasm.example.org, "
                          f"got {url!r}")
    return url.rstrip("/")


def parse_issuers(raw: str) -> dict[str, str]:
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ConfigError(f"{ENV_ISSUERS}: not JSON ({e}); expected {{\"<iss>\": \"<JWKS URL>\"}}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ConfigError(f"{ENV_ISSUERS}: expected an object of issuer -> JWKS URL strings")
    for iss, url in data.items():
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost", "http://[::1]")):
            raise ConfigError(f"{ENV_ISSUERS}: the JWKS URL of {iss!r} must be https (or on this machine)")
    return dict(data)


__all__ = ["ConfigError", "InteropConfig", "check_public_url", "parse_issuers"]
