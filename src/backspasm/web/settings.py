"""Where the web app's settings come from: explicit arguments, then the environment, then defaults.

Everything several workers must agree on (the database, the cookie-signing key)
lives outside the process, so any worker can answer any request.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ENV_DATABASE_URL = "BACKSPASM_DATABASE_URL"
ENV_SECRET_KEY = "BACKSPASM_SECRET_KEY"
ENV_DATA_DIR = "BACKSPASM_DATA_DIR"
ENV_PUBLIC_URL = "BACKSPASM_PUBLIC_URL"  # the address people and other systems reach the app at


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
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'backspasm.db'}"  # the same file the diary CLI uses


def _stored_secret(folder: Path) -> str:
    """A random key kept in a private file, so restarts and sibling workers share it."""
    path = folder / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its key
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one app instance."""

    database_url: str
    secret_key: str
    secure_cookies: bool | None  # None: Secure exactly when the request came over HTTPS
    login_limit: int  # failed sign-ins allowed per email (and per client) in the window
    login_window_minutes: int
    session_max_age: int  # seconds
    public_url: str | None = None  # links that leave the app (CDS cards) start here; never the Host header

    @staticmethod
    def resolve(
        database_url: str | None = None,
        secret_key: str | None = None,
        secure_cookies: bool | None = None,
        login_limit: int = 5,
        login_window_minutes: int = 15,
        session_max_age: int = 14 * 24 * 3600,
        public_url: str | None = None,
    ) -> Settings:
        url = database_url or os.environ.get(ENV_DATABASE_URL) or default_database_url()
        key = secret_key or os.environ.get(ENV_SECRET_KEY) or _stored_secret(data_dir())
        public = (public_url or os.environ.get(ENV_PUBLIC_URL) or "").rstrip("/") or None
        return Settings(url, key, secure_cookies, login_limit, login_window_minutes, session_max_age, public)
