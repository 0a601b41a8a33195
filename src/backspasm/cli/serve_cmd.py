"""`backspasm serve`: the web app and JSON API under uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from .common import fail


def register(app: typer.Typer) -> None:
    """Add `serve` to the root app."""

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
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
    ) -> None:
        """Serve the web app and the JSON API (default http://127.0.0.1:8000)."""
        import uvicorn

        from ..web.settings import ENV_DATABASE_URL, Settings

        if database_url:
            os.environ[ENV_DATABASE_URL] = database_url  # the workers build their own app from the environment
        if reload and workers > 1:
            fail("--reload and --workers cannot be combined")
        settings = Settings.resolve()  # creates the shared signing key before any worker starts
        if workers > 1 and settings.database_url.startswith("sqlite"):
            typer.echo("note: several workers on SQLite work, but PostgreSQL is the database for that", err=True)
        typer.echo(f"backspasm: serving on http://{host}:{port}/ (database: {_redact(settings.database_url)})", err=True)
        uvicorn.run(
            "backspasm.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers if not reload else None,
            reload=reload,
            proxy_headers=True,
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
