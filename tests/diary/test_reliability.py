"""Nothing acknowledged is lost: a writer killed with SIGKILL mid-burst, and two writers at once."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backspasm.diary.store import open_store
from dbsupport import BACKENDS

WRITER = str(Path(__file__).with_name("writer_proc.py"))


def _episode(url: str) -> int:
    store = open_store(url)
    try:
        user = store.local_user()
        ep, _ = store.start_episode(
            user.id, {"hours_since_onset": 1, "pain": 5}, started_at=datetime.now(UTC) - timedelta(days=2)
        )
        return ep.id
    finally:
        store.close()


def _spawn(url: str, episode_id: int, count: int, tag: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, WRITER, url, str(episode_id), str(count), tag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_mid_burst_keeps_every_acknowledged_checkin(backend: str, database_url: Callable[[str], str]) -> None:
    url = database_url(backend)
    eid = _episode(url)
    proc = _spawn(url, eid, 100_000, "burst")
    assert proc.stdout is not None
    acked: list[tuple[int, int, str]] = []
    for line in proc.stdout:
        if line.startswith("ack "):
            _, cid, pain, note = line.split()
            acked.append((int(cid), int(pain), note))
            if len(acked) >= 40:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # lines already written by the child before the kill are acknowledgements too
    rest = proc.stdout.read()
    acked += [(int(c), int(p), n) for _, c, p, n in (ln.split() for ln in rest.splitlines() if ln.startswith("ack "))]
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= 40

    store = open_store(url)
    try:
        assert store.integrity_ok()
        user = store.local_user()
        stored = {(c.id, c.pain, c.note) for c in store.list_checkins(user.id, eid)}
        assert set(acked) <= stored
        assert store.status(user.id, eid).checkins  # the database is still usable
    finally:
        store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_writers_at_once_lose_nothing(backend: str, database_url: Callable[[str], str]) -> None:
    url = database_url(backend)
    eid = _episode(url)
    procs = [_spawn(url, eid, 40, tag) for tag in ("a", "b")]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    acked = {ln.split()[3] for out, _ in outs for ln in out.splitlines() if ln.startswith("ack ")}
    assert len(acked) == 80
    store = open_store(url)
    try:
        user = store.local_user()
        notes = {c.note for c in store.list_checkins(user.id, eid)}
        assert notes == acked
        assert store.integrity_ok()
    finally:
        store.close()
