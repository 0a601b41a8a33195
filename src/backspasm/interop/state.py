"""One app's FHIR/CDS state (settings, store, CDS service), made on first use and kept on app.state.

The web app's settings give the database and the public URL; a bare router (tests,
tools) reads the environment, or takes an InteropConfig set on `app.state.interop_config`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from .config import InteropConfig
from .service import CdsService
from .storage import InteropStore

_lock = threading.Lock()


@dataclass
class InteropState:
    config: InteropConfig
    store: InteropStore
    service: CdsService


def _config(conn: HTTPConnection) -> InteropConfig:
    state = conn.app.state
    given = getattr(state, "interop_config", None)
    if isinstance(given, InteropConfig):
        return given
    settings = getattr(state, "settings", None)
    if settings is not None:
        return InteropConfig.from_env(public_url=getattr(settings, "public_url", None),
                                      database_url=getattr(settings, "database_url", None))
    return InteropConfig.from_env()


def interop_state(conn: HTTPConnection) -> InteropState:
    """The app's interop state, created once per app."""
    state = conn.app.state
    found = getattr(state, "interop", None)
    if isinstance(found, InteropState):
        return found
    with _lock:
        found = getattr(state, "interop", None)
        if not isinstance(found, InteropState):
            config = _config(conn)
            store = InteropStore(config.database_url)
            found = InteropState(config, store, CdsService(config, store))
            state.interop = found
    return found


__all__ = ["InteropState", "interop_state"]
