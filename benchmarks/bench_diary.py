"""Diary targets: a check-in with re-assessment (< 20 ms median on SQLite) and
`backspasm status` for an episode of 500 check-ins (< 0.5 s wall), with baselines
measured side by side (a bare assess() call; `backspasm --help`)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CHECKIN_TARGET_MS = 20.0
STATUS_TARGET_S = 0.5


def _cli(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from backspasm.cli import main; main()", *args], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - t0


def run() -> None:
    from backspasm import assess, parse_assessment
    from backspasm.diary.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        user = store.local_user()
        start = datetime.now(UTC) - timedelta(hours=600)
        ep, _ = store.start_episode(user.id, {"hours_since_onset": 1, "pain": 6}, started_at=start)
        times, bare = [], []
        for i in range(500):
            t0 = time.perf_counter()
            store.add_checkin(user.id, ep.id, 3 + i % 5, at=start + timedelta(hours=1 + i), tried={"heat": True})
            times.append(time.perf_counter() - t0)
            a = parse_assessment({"hours_since_onset": 2 + i, "pain": 3 + i % 5, "diary": [{"hours_since_onset": 1, "pain": 6}]})
            t0 = time.perf_counter()
            assess(a)
            bare.append(time.perf_counter() - t0)
        store.close()
        first = statistics.median(times[:50]) * 1000
        med = statistics.median(times) * 1000
        base = statistics.median(bare) * 1000
        verdict = "ok" if med < CHECKIN_TARGET_MS else "OVER TARGET"
        print(
            f"   check-in + re-assessment, SQLite: median {med:.2f} ms over 500 (first 50: {first:.2f} ms); "
            f"target < {CHECKIN_TARGET_MS:g} ms: {verdict}"
        )
        print(f"   baseline bare assess(): {base:.3f} ms; check-in costs {med / base:.0f}x a bare assessment")

        env = {**os.environ, "BACKSPASM_DATA_DIR": tmp}
        env.pop("BACKSPASM_DATABASE_URL", None)
        os.replace(Path(tmp) / "bench.db", Path(tmp) / "backspasm.db")
        for suffix in ("-wal", "-shm"):
            p = Path(tmp) / f"bench.db{suffix}"
            if p.exists():
                os.replace(p, Path(tmp) / f"backspasm.db{suffix}")
        help_s = statistics.median(_cli(["--help"], env) for _ in range(3))
        for fmt in ("json", "text"):
            wall = statistics.median(_cli(["status", "--format", fmt], env) for _ in range(5))
            verdict = "ok" if wall < STATUS_TARGET_S else "OVER TARGET"
            print(
                f"   `backspasm status --format {fmt}`, 500 check-ins: {wall:.3f} s wall "
                f"(target < {STATUS_TARGET_S} s: {verdict}); {wall / help_s:.1f}x `backspasm --help` ({help_s:.3f} s)"
            )


if __name__ == "__main__":
    run()
