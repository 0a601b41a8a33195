"""Starting the app on a real loopback port for the browser and `serve` tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


BIN = Path(sys.executable).parent / "backspasm"


@contextmanager
def serving(args: list[str], env: dict[str, str]) -> Iterator[str]:
    """`backspasm serve` with `args` on a free loopback port, until the block ends; yields its URL."""
    port = free_port()
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"

    def exited() -> str | None:
        if proc.poll() is None:
            return None
        return proc.stderr.read().decode() if proc.stderr else f"exit status {proc.returncode}"

    try:
        wait_until_up(url, exited)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
