"""uvicorn's HTTP/1.1 protocol with a deadline for each request's head.

uvicorn times out idle keep-alive connections but not a client that opens a
connection and sends its headers a byte at a time; this closes any connection
whose request head has not fully arrived within the read timeout
(BACKSPASM_READ_TIMEOUT). The body's own timeout is the app's (security.py).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .settings import ENV_READ_TIMEOUT


def head_timeout() -> float:
    try:
        value = float(os.environ.get(ENV_READ_TIMEOUT, "15"))
    except ValueError:
        return 15.0
    return value if value > 0 else 15.0


class TimedH11Protocol(H11Protocol):
    """Closes a connection whose request head is still incomplete after the read timeout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._timed_cycle: object = None
        self.head_timeout = head_timeout()

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        busy = self.cycle is not None and not self.cycle.response_complete
        if not busy and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None and self.cycle is not self._timed_cycle:
            self._timed_cycle = self.cycle  # a whole head arrived: the app's own timeouts take over
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's head has the same deadline
