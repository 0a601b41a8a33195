"""Where the web app's settings come from: explicit arguments, then the environment, then defaults.

Everything several workers must agree on (the database, the cookie-signing key)
lives outside the process, so any worker can answer any request.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from ..privatefiles import private_folder

ENV_DATABASE_URL = "BACKSPASM_DATABASE_URL"
ENV_SECRET_KEY = "BACKSPASM_SECRET_KEY"
ENV_DATA_DIR = "BACKSPASM_DATA_DIR"
ENV_PUBLIC_URL = "BACKSPASM_PUBLIC_URL"
ENV_TRUSTED_PROXIES = "BACKSPASM_TRUSTED_PROXIES"
ENV_SESSION_IDLE_MINUTES = "BACKSPASM_SESSION_IDLE_MINUTES"
ENV_SESSION_MAX_MINUTES = "BACKSPASM_SESSION_MAX_MINUTES"
ENV_READ_TIMEOUT = "BACKSPASM_READ_TIMEOUT"
ENV_REGISTRATIONS_PER_HOUR = "BACKSPASM_REGISTRATIONS_PER_HOUR"
ENV_HASH_CONCURRENCY = "BACKSPASM_HASH_CONCURRENCY"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def data_dir() -> Path:
    """The folder for the default SQLite file and the generated signing key."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("backspasm"))


def default_database_url() -> str:
    """SQLite in the user's data folder: works on a fresh machine with nothing configured."""
    folder = data_dir()
    private_folder(folder)
    return f"sqlite:///{folder / 'backspasm.db'}"  # the same file the diary CLI uses


def _stored_secret(folder: Path) -> str:
    """A random key kept in a private file, so restarts and sibling workers share it."""
    path = folder / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    private_folder(folder)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its key
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


def parse_public_url(value: str) -> str:
    """An http(s) origin such as https://diary.example.org (no path, query or credentials)."""
    parts = urlsplit(value.strip())
    if not value.isascii():
        raise ValueError(f"{ENV_PUBLIC_URL} must be ASCII (write an international domain in its xn-- form), got {value!r}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{ENV_PUBLIC_URL} must be an http:// or https:// address, got {value!r}")
    if parts.username or parts.password or parts.query or parts.fragment or parts.path not in ("", "/"):
        raise ValueError(f"{ENV_PUBLIC_URL} must be an origin only (scheme, host and port), got {value!r}")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ValueError(f"{ENV_PUBLIC_URL} has a bad port: {value!r}") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def parse_networks(value: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR networks (e.g. '127.0.0.1, 10.0.0.0/8')."""
    out = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{ENV_TRUSTED_PROXIES}: {part!r} is not an IP address or network") from None
    return tuple(out)


def _env_number(name: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one app instance."""

    database_url: str
    secret_key: str
    secure_cookies: bool | None  # None: Secure when the public URL (or, without one, the request) is https
    login_limit: int  # failed sign-ins per account before each further attempt must wait (doubling)
    login_window_minutes: int  # failures are forgotten after this long without one
    session_max_age: int  # seconds: a session ends this long after sign-in, however active
    session_idle: int = 2 * 24 * 3600  # seconds: a session ends after this long unused
    public_url: str | None = None  # links and cookies are built for this origin, never from the Host header
    trusted_proxies: tuple[Network, ...] = field(default=())
    client_limit: int = 20  # failed sign-ins per client address in the window
    first_wait_seconds: float = 5.0  # after `login_limit` failures, each attempt waits this long, doubling
    longest_wait_seconds: int = 60  # the longest an account's owner ever waits between attempts
    registrations_per_hour: int = 10  # per client address
    hash_concurrency: int = 4  # password hashes computed at once (each takes tens of MB)
    read_timeout: float = 15.0  # seconds a client may take to send each part of a request

    @property
    def https(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))

    @staticmethod
    def resolve(
        database_url: str | None = None,
        secret_key: str | None = None,
        secure_cookies: bool | None = None,
        login_limit: int = 5,
        login_window_minutes: int = 15,
        session_max_age: int | None = None,
        *,
        session_idle: int | None = None,
        public_url: str | None = None,
        trusted_proxies: str | None = None,
        registrations_per_hour: int | None = None,
        client_limit: int = 20,
        first_wait_seconds: float = 5.0,
        hash_concurrency: int | None = None,
        read_timeout: float | None = None,
    ) -> Settings:
        """Arguments win; then BACKSPASM_* environment variables; then defaults. ValueError names a bad one."""
        url = database_url or os.environ.get(ENV_DATABASE_URL) or default_database_url()
        key = secret_key or os.environ.get(ENV_SECRET_KEY) or _stored_secret(data_dir())
        public = public_url if public_url is not None else os.environ.get(ENV_PUBLIC_URL)
        proxies = trusted_proxies if trusted_proxies is not None else os.environ.get(ENV_TRUSTED_PROXIES, "")
        idle = session_idle if session_idle is not None else int(
            _env_number(ENV_SESSION_IDLE_MINUTES, 2 * 24 * 60, 1, 366 * 24 * 60) * 60)
        max_age = session_max_age if session_max_age is not None else int(
            _env_number(ENV_SESSION_MAX_MINUTES, 14 * 24 * 60, 1, 366 * 24 * 60) * 60)
        return Settings(
            database_url=url,
            secret_key=key,
            secure_cookies=secure_cookies,
            login_limit=login_limit,
            login_window_minutes=login_window_minutes,
            session_max_age=max_age,
            session_idle=min(idle, max_age),
            public_url=parse_public_url(public) if public else None,
            trusted_proxies=parse_networks(proxies),
            client_limit=client_limit,
            first_wait_seconds=first_wait_seconds,
            registrations_per_hour=registrations_per_hour if registrations_per_hour is not None else int(
                _env_number(ENV_REGISTRATIONS_PER_HOUR, 10, 1, 100_000)),
            hash_concurrency=hash_concurrency if hash_concurrency is not None else int(
                _env_number(ENV_HASH_CONCURRENCY, 4, 1, 64)),
            read_timeout=read_timeout if read_timeout is not None else _env_number(ENV_READ_TIMEOUT, 15.0, 0.1, 3600),
        )

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(seconds=self.session_max_age)

    @property
    def session_idle_time(self) -> timedelta:
        return timedelta(seconds=self.session_idle)
