"""Diary targets, with baselines measured side by side in the same run:

- a check-in with re-assessment: median under 5 ms at 5,000 check-ins in one episode, and flat
  (the last 100 cost what the first 100 did); baseline: a bare assess() call;
- `backspasm status` on 500 check-ins: under 0.3 s wall; baseline: `backspasm --help`;
- the doctor's PDF for 3,000 check-ins: under 1 s (in process, fpdf2 already imported; its
  import is printed on its own); baseline: the HTML report of the same status.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CHECKIN_TARGET_MS = 5.0
CHECKINS = 5000
STATUS_TARGET_S = 0.3
STATUS_CHECKINS = 500
PDF_TARGET_S = 1.0
PDF_CHECKINS = 3000


def _cli(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from backspasm.cli import main; main()", *args], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - t0


def _verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def _checkins(tmp: str) -> None:
    from backspasm import assess, parse_assessment
    from backspasm.diary.store import open_store

    store = open_store(f"sqlite:///{Path(tmp) / 'checkins.db'}")
    user = store.local_user()
    start = datetime.now(UTC) - timedelta(hours=CHECKINS + 300)
    ep, _ = store.start_episode(user.id, {"hours_since_onset": 1, "pain": 6}, started_at=start)
    times, bare = [], []
    a = parse_assessment({"hours_since_onset": 200, "pain": 4, "diary": [{"hours_since_onset": 1, "pain": 6}]})
    for i in range(CHECKINS):
        t0 = time.perf_counter()
        store.add_checkin(user.id, ep.id, 3 + i % 5, at=start + timedelta(hours=1 + i), tried={"heat": True})
        times.append(time.perf_counter() - t0)
        if i % 10 == 0:
            t0 = time.perf_counter()
            assess(a)
            bare.append(time.perf_counter() - t0)
    # Flat, measured side by side: alternate check-ins between this long episode and a new one.
    fresh, _ = store.start_episode(user.id, {"hours_since_onset": 1, "pain": 6}, started_at=start)
    long_, short = [], []
    for i in range(200):
        for ep_id, sink, hour in ((ep.id, long_, CHECKINS + 1 + i), (fresh.id, short, 1 + i)):
            t0 = time.perf_counter()
            store.add_checkin(user.id, ep_id, 3 + i % 5, at=start + timedelta(hours=hour), tried={"heat": True})
            sink.append(time.perf_counter() - t0)
    store.close()
    med = statistics.median(times) * 1000
    at_long = statistics.median(long_) * 1000
    at_short = statistics.median(short) * 1000
    base = statistics.median(bare) * 1000
    print(
        f"   check-in + re-assessment, SQLite: median {med:.2f} ms over {CHECKINS:,} in one episode; side by side, "
        f"{at_long:.2f} ms after {CHECKINS:,} check-ins against {at_short:.2f} ms in a new episode "
        f"(ratio {at_long / at_short:.2f}); target < {CHECKIN_TARGET_MS:g} ms and flat: "
        f"{_verdict(at_long < CHECKIN_TARGET_MS and at_long / at_short < 1.25)}"
    )
    print(f"   baseline bare assess(): {base:.3f} ms; a check-in costs {med / base:.0f}x a bare assessment")


def _fill(url: str, n: int) -> tuple[object, int, int]:
    from backspasm.diary.store import open_store

    store = open_store(url)
    user = store.local_user()
    start = datetime.now(UTC) - timedelta(hours=n + 10)
    ep, _ = store.start_episode(user.id, {"hours_since_onset": 1, "pain": 6, "denied": ["fever"]}, started_at=start)
    for i in range(n):
        store.add_checkin(user.id, ep.id, 3 + i % 5, at=start + timedelta(hours=1 + i), tried={"heat": i % 2 == 0},
                          note="stiff in the morning" if i % 7 == 0 else None)
    return store, user.id, ep.id


def _status(tmp: str) -> None:
    store, _, _ = _fill(f"sqlite:///{Path(tmp) / 'backspasm.db'}", STATUS_CHECKINS)
    store.close()  # type: ignore[attr-defined]
    env = {**os.environ, "BACKSPASM_DATA_DIR": tmp}
    env.pop("BACKSPASM_DATABASE_URL", None)
    help_s = statistics.median(_cli(["--help"], env) for _ in range(5))
    for fmt in ("json", "text"):
        wall = statistics.median(_cli(["status", "--format", fmt], env) for _ in range(7))
        print(
            f"   `backspasm status --format {fmt}`, {STATUS_CHECKINS} check-ins: {wall:.3f} s wall "
            f"(target < {STATUS_TARGET_S} s: {_verdict(wall < STATUS_TARGET_S)}); "
            f"{wall / help_s:.1f}x `backspasm --help` ({help_s:.3f} s)"
        )


def _pdf(tmp: str) -> None:
    t0 = time.perf_counter()
    import fpdf  # noqa: F401

    imported = time.perf_counter() - t0
    from backspasm.report import build_html, build_pdf

    store, uid, eid = _fill(f"sqlite:///{Path(tmp) / 'report.db'}", PDF_CHECKINS)
    st = store.status(uid, eid)  # type: ignore[attr-defined]
    store.close()  # type: ignore[attr-defined]
    build_pdf(st)  # warm: fonts and locale data load once per process
    pdf = statistics.median(_timed(lambda: build_pdf(st)) for _ in range(5))
    html = statistics.median(_timed(lambda: build_html(st)) for _ in range(5))
    print(
        f"   doctor's PDF, {PDF_CHECKINS:,} check-ins: {pdf:.3f} s (target < {PDF_TARGET_S:g} s: "
        f"{_verdict(pdf < PDF_TARGET_S)}); {pdf / html:.1f}x the HTML report ({html:.3f} s); "
        f"importing fpdf2 once: {imported:.2f} s"
    )


def _timed(run: object) -> float:
    t0 = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - t0


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _checkins(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        _status(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        _pdf(tmp)


if __name__ == "__main__":
    run()
