"""The web app and JSON API: thin shells over `assess()` and the diary store.

`create_app()` builds a fresh FastAPI app with no import-time globals, so tests,
`backspasm serve` and several uvicorn/gunicorn workers each get their own.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
