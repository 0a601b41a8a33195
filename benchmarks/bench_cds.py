"""CDS Hooks latency over HTTP: the prefetch sent whole, and none sent (the service fetches it), side by side.

The app (uvicorn, one worker) and a FHIR server holding a realistic chart
(tests/interop/fhirserver.py) each run in their own process on loopback. One client sends
requests one after another on a kept-alive connection; printed: median and p95 for a
request whose prefetch is complete, and for one with only fhirServer and a token, where
the service runs its eight searches against the FHIR server in parallel (target: p95
under 50 ms on loopback).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_web import _free_port

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 300
WARMUP = 30
TOKEN = "bench-token"


def _start(code: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.2)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server died") from None
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start in time")


def _run_code(app_expr: str, port: int, setup: str = "") -> str:
    return (f"import sys; sys.path.insert(0, 'tests/interop'); import uvicorn; {setup}"
            f"uvicorn.run({app_expr}, host='127.0.0.1', port={port}, log_level='warning', access_log=False)")


def _timings(client: httpx.Client, url: str, body: dict[str, Any]) -> list[float]:
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    out = []
    for i in range(WARMUP + ROUNDS):
        t0 = time.perf_counter()
        r = client.post(url, content=raw, headers=headers)
        elapsed = time.perf_counter() - t0
        if r.status_code != 200 or not r.json()["cards"]:
            raise RuntimeError(f"CDS request failed: {r.status_code} {r.text[:300]}")
        if i >= WARMUP:
            out.append(elapsed * 1000)
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run() -> None:
    sys.path.insert(0, str(ROOT / "tests" / "interop"))
    from fhirserver import record, search

    from backspasm.interop.cds import PREFETCH
    from backspasm.interop.fetch import fill

    with tempfile.TemporaryDirectory(prefix="backspasm-bench-") as tmp:
        env = dict(os.environ, BACKSPASM_DATA_DIR=tmp, BACKSPASM_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
                   BACKSPASM_SECRET_KEY="bench", BACKSPASM_PUBLIC_URL="https://backspasm.example.org")
        fhir_port, app_port = _free_port(), _free_port()
        fhir = _start(_run_code("fixture_app(record('p1'), 'bench-token')", fhir_port,
                                "from fhirserver import fixture_app, record; "), fhir_port, env)
        app = _start(_run_code("create_app()", app_port, "from backspasm.web import create_app; "), app_port, env)
        try:
            context = {"userId": "Practitioner/1", "patientId": "p1"}
            chart = record("p1")
            prefetch = {k: search(chart, fill(t, context) or "") for k, t in PREFETCH.items()}
            base = {"hook": "patient-view", "hookInstance": "bench", "context": context}
            fetching = {**base, "fhirServer": f"http://127.0.0.1:{fhir_port}/fhir",
                        "fhirAuthorization": {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300,
                                              "scope": "patient/*.read", "subject": "backspasm"}}
            url = f"http://127.0.0.1:{app_port}/cds-services/backspasm-triage"
            with httpx.Client(timeout=10) as client:
                whole = _timings(client, url, {**base, "prefetch": prefetch})
                fetched = _timings(client, url, fetching)
        finally:
            for proc in (app, fhir):
                proc.terminate()
                proc.wait(timeout=10)
    print(f"   prefetch sent whole               median {statistics.median(whole):6.2f} ms   p95 {_p95(whole):6.2f} ms")
    print(f"   fetched from the FHIR server (x{len(PREFETCH)}) median {statistics.median(fetched):6.2f} ms   "
          f"p95 {_p95(fetched):6.2f} ms   = {statistics.median(fetched) / statistics.median(whole):4.1f}x whole "
          f"(target p95 < 50 ms)")
