"""Starting the app on a real loopback port for the browser and `serve` tests."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx
import pytest


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, still_running: Callable[[], str | None] = lambda: None, tries: int = 300) -> None:
    """Poll the health endpoint until it answers; fail with the reason if the server died or never answered."""
    for _ in range(tries):
        why = still_running()
        if why is not None:
            pytest.fail(f"the server exited: {why}")
        try:
            if httpx.get(f"{url}/api/v1/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    pytest.fail(f"the server at {url} did not answer")
