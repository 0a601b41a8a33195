"""`backspasm serve`: the web app and JSON API under uvicorn, with its network settings."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from .common import fail

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def is_loopback(host: str) -> bool:
    """True when `host` only listens on this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, https: bool, proxies: bool) -> str | None:
    """What to say when serving beyond this machine without the settings that make it safe there."""
    if is_loopback(host) or (https and proxies):
        return None
    missing = []
    if not https:
        missing.append("an https public URL (--public-url / BACKSPASM_PUBLIC_URL): without it cookies are not "
                       "marked Secure and browsers are not told to insist on HTTPS")
    if not proxies:
        missing.append("trusted proxies (--trusted-proxies / BACKSPASM_TRUSTED_PROXIES): without them every "
                       "client behind a proxy shares the proxy's address in the sign-in limits")
    return (f"warning: serving on {host}, reachable from other machines, without " + "; and without ".join(missing)
            + ". This server does not terminate TLS: put it behind a TLS proxy.")


def register(app: typer.Typer) -> None:
    """Add `serve` to the root app."""

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
        workers: Annotated[
            int, typer.Option(help="Worker processes (use PostgreSQL via BACKSPASM_DATABASE_URL for more than one).", min=1)
        ] = 1,
        reload: Annotated[bool, typer.Option("--reload", help="Restart when the code changes (development).")] = False,
        database_url: Annotated[
            str | None,
            typer.Option("--database-url", help="SQLAlchemy URL; default $BACKSPASM_DATABASE_URL, else SQLite "
                         "in the user data folder."),
        ] = None,
        public_url: Annotated[
            str | None,
            typer.Option("--public-url", envvar="BACKSPASM_PUBLIC_URL", show_envvar=True,
                         help="The address people use, e.g. https://diary.example.org: links are built for it "
                         "(never from the Host header); https makes cookies Secure and adds HSTS."),
        ] = None,
        trusted_proxies: Annotated[
            str | None,
            typer.Option("--trusted-proxies", envvar="BACKSPASM_TRUSTED_PROXIES", show_envvar=True,
                         help="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For "
                         "is believed (default: none)."),
        ] = None,
        read_timeout: Annotated[
            float,
            typer.Option("--read-timeout", envvar="BACKSPASM_READ_TIMEOUT", show_envvar=True, min=0.1, max=3600,
                         help="Seconds a client may take to send a request's head, and each part of its body."),
        ] = 15.0,
        keep_alive: Annotated[
            int,
            typer.Option("--keep-alive", envvar="BACKSPASM_KEEP_ALIVE", show_envvar=True, min=1, max=3600,
                         help="Seconds an idle connection is kept open."),
        ] = 5,
        limit_concurrency: Annotated[
            int,
            typer.Option("--limit-concurrency", envvar="BACKSPASM_LIMIT_CONCURRENCY", show_envvar=True, min=1,
                         help="Connections and requests at once per worker; beyond it the answer is 503."),
        ] = 100,
    ) -> None:
        """Serve the web app and the JSON API (default http://127.0.0.1:8000)."""
        import uvicorn

        from ..web.settings import ENV_DATABASE_URL, ENV_PUBLIC_URL, ENV_READ_TIMEOUT, ENV_TRUSTED_PROXIES, Settings

        # The workers build their own app from the environment.
        for name, value in ((ENV_DATABASE_URL, database_url), (ENV_PUBLIC_URL, public_url),
                            (ENV_TRUSTED_PROXIES, trusted_proxies), (ENV_READ_TIMEOUT, str(read_timeout))):
            if value:
                os.environ[name] = value
        if reload and workers > 1:
            fail("--reload and --workers cannot be combined")
        try:
            settings = Settings.resolve()  # creates the shared signing key before any worker starts
        except ValueError as e:
            fail(f"bad input: {e}")
        if workers > 1 and settings.database_url.startswith("sqlite"):
            typer.echo("note: several workers on SQLite work, but PostgreSQL is the database for that", err=True)
        warning = exposure_warning(host, settings.https, bool(settings.trusted_proxies))
        if warning:
            typer.echo(warning, err=True)
        shown = settings.public_url or f"http://{host}:{port}"
        typer.echo(f"backspasm: serving on http://{host}:{port}/ for {shown} (database: {_redact(settings.database_url)})",
                   err=True)
        uvicorn.run(
            "backspasm.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers if not reload else None,
            reload=reload,
            http="backspasm.web.server:TimedH11Protocol",
            proxy_headers=False,  # the app believes X-Forwarded-For only from BACKSPASM_TRUSTED_PROXIES
            server_header=False,
            timeout_keep_alive=keep_alive,
            limit_concurrency=limit_concurrency,
            log_level="info",
        )


def _redact(url: str) -> str:
    """The URL without a password, for the start-up line."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url
