"""What one request may cost: the largest accepted API request and the largest CLI batch, with the
server's /api/v1/healthz latency while the request runs (target < 100 ms), and the refused requests
from the attack report (2 MB of empty objects, 2 MB of near-miss codes, a batch over the cap).

The server is uvicorn with one worker on loopback, in its own process; its peak resident memory is
read from /proc (VmHWM, reset before each request), so each figure is that request's own peak.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_web import _serve

HEALTH_TARGET_MS = 100.0
CLI_BATCH = 100_000
TEXT = ("I bent down to lift a box of books yesterday and my lower back seized. It eases when I lie on my side, "
        "no numbness or tingling, no problems with the bladder, pain about six out of ten this morning. ") * 30


def _mb(kb: int) -> float:
    return kb / 1024


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def largest_accepted() -> bytes:
    """1,000 assessments (the cap), 50,000 characters of text in ten of them (the cap), the rest filled with
    every field and a long diary, to just under the 2 MB body limit."""
    items: list[dict[str, Any]] = []
    for i in range(1000):
        item: dict[str, Any] = {
            "hours_since_onset": 100 + i % 500, "pain": i % 11, "age": 20 + i % 70,
            "findings": ["leg_tingling"] if i % 7 == 0 else [],
            "denied": ["bladder_bowel_control_loss", "saddle_numbness", "bilateral_leg_symptoms", "chest_pain"],
            "conditions": ["kidney_disease"] if i % 5 == 0 else [],
            "diary": [{"hours_since_onset": h, "pain": (h + i) % 11} for h in range(0, 100, 2)],
        }
        if i % 100 == 0:
            item["text"] = TEXT[:5000]
        items.append(item)
    body = json.dumps(items, separators=(",", ":")).encode()
    assert len(body) < 2 * 1024 * 1024, len(body)
    return body


def refused_bodies() -> dict[str, bytes]:
    return {
        "2 MB of empty objects": b"[" + b",".join([b"{}"] * 690_000) + b"]",
        "2 MB of near-miss codes in one list": json.dumps({"hours_since_onset": 3, "pain": 2,
                                                           "findings": ["leg_tinglin"] * 125_000}).encode(),
        "100,000 near-miss codes in 1,000 items": json.dumps(
            [{"hours_since_onset": 3, "pain": 2, "findings": ["leg_tinglin"] * 100}] * 1000).encode(),
        "a batch of 55,000 (over the cap)": json.dumps([{"hours_since_onset": 3, "pain": 2}] * 55_000).encode(),
    }


def _while_polling(port: int, send: Any) -> tuple[float, list[float], Any]:
    """Run `send()` while another connection polls /api/v1/healthz; (seconds, health latencies in ms, result)."""
    latencies: list[float] = []
    done = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            while not done.is_set():
                t0 = time.perf_counter()
                assert c.get("/api/v1/healthz").status_code == 200
                latencies.append((time.perf_counter() - t0) * 1000)
                time.sleep(0.005)

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.1)
    t0 = time.perf_counter()
    try:
        result = send()
    finally:
        elapsed = time.perf_counter() - t0
        done.set()
        poller.join()
    return elapsed, latencies, result


def _request(port: int, pid: int, body: bytes) -> tuple[int, int, float, float, list[float], int]:
    """(status, response bytes, seconds, peak MB over idle, health latencies, idle RSS KB) for one request."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as c:
        c.post("/api/v1/assess", json={"hours_since_onset": 3, "pain": 2, "text": "back hurts"})  # warm the reader
        idle = _status_kb(pid, "VmRSS")
        _reset_peak(pid)
        elapsed, health, r = _while_polling(
            port, lambda: c.post("/api/v1/assess", content=body, headers={"content-type": "application/json"}))
        peak = _status_kb(pid, "VmHWM")
    return r.status_code, len(r.content), elapsed, _mb(peak - idle), health, idle


def _cli_batch(tmp: str) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, output bytes) for `backspasm assess --json` on a CLI_BATCH-item file."""
    from benchmarks.bench_engine import cases

    items = cases(CLI_BATCH)  # the same batch as the engine benchmark's CLI figure
    path = Path(tmp) / "batch.json"
    path.write_text(json.dumps(items))
    out = Path(tmp) / "results.json"
    t0 = time.perf_counter()
    with path.open("rb") as stdin, out.open("wb") as stdout:
        proc = subprocess.Popen([sys.executable, "-c", "from backspasm.cli import main; main()", "assess", "--json", "-"],
                                stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"the CLI batch failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    assert len(json.loads(out.read_bytes())) == CLI_BATCH
    return elapsed, usage.ru_maxrss / 1024, out.stat().st_size


def _p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, int(len(ordered) * 0.99) - 1)]


def _health(latencies: list[float], idle: list[float]) -> str:
    if not latencies:
        return "no health answers"
    worst, p99 = max(latencies), _p99(latencies)
    verdict = "met" if worst < HEALTH_TARGET_MS else ("met at p99, not at the worst" if p99 < HEALTH_TARGET_MS else "NOT met")
    return (f"healthz while it ran: {len(latencies)} answers, median {statistics.median(latencies):.1f} ms, "
            f"p99 {p99:.1f} ms, worst {worst:.1f} ms (target < {HEALTH_TARGET_MS:g} ms: {verdict}); "
            f"idle server side by side: median {statistics.median(idle):.1f} ms, worst {max(idle):.1f} ms")


def run() -> None:
    if not Path("/proc/self/clear_refs").exists():
        print("   skipped: needs Linux /proc to read a process's peak memory")
        return
    with tempfile.TemporaryDirectory(prefix="backspasm-bench-") as tmp:
        env = dict(os.environ, BACKSPASM_DATA_DIR=tmp, BACKSPASM_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
                   BACKSPASM_SECRET_KEY="bench")
        proc, port = _serve("backspasm.web.app:create_app", env)
        try:
            _, idle_health, _ = _while_polling(port, lambda: time.sleep(2))
            body = largest_accepted()
            status, size, seconds, peak, health, idle = _request(port, proc.pid, body)
            if status != 200:
                raise RuntimeError(f"the largest accepted request was answered {status}")
            print(f"   server idle: {_mb(idle):.0f} MB resident (uvicorn, 1 worker, text reader loaded)")
            print(f"   largest accepted API request: {len(body) / 1024 / 1024:.2f} MB, 1,000 assessments, "
                  f"50,000 characters of text: {seconds:.2f} s, peak +{peak:.0f} MB, answer {size / 1024 / 1024:.1f} MB")
            print(f"      {_health(health, idle_health)}")
            for name, refused in refused_bodies().items():
                status, size, seconds, peak, health, _ = _request(port, proc.pid, refused)
                print(f"   refused, {name} ({len(refused) / 1024 / 1024:.1f} MB): {status} in {seconds * 1000:.0f} ms, "
                      f"peak +{peak:.0f} MB, answer {size} bytes; worst healthz {max(health, default=0):.1f} ms")
        finally:
            proc.terminate()
            proc.wait(10)
        seconds, peak, size = _cli_batch(tmp)
        print(f"   largest CLI batch measured: {CLI_BATCH:,} assessments (the CLI has no cap; it validates the whole "
              f"file, then assesses and writes a chunk at a time): {seconds:.1f} s, peak {peak:.0f} MB resident, "
              f"{size / 1024 / 1024:.0f} MB out")


if __name__ == "__main__":
    run()
