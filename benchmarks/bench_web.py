"""The web app under load: `POST /api/v1/assess` against a bare FastAPI endpoint, side by side.

Both run under uvicorn (one worker, its own process) on loopback and get the same
bounded load: 50 keep-alive connections for a fixed time from an asyncio client
in this process. Printed: requests/s for each, their ratio (target >= 0.5), p99
latency of assess (target < 50 ms), and the result page's transferred size with
its third-party requests (targets < 100 KB and none).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 50
WARMUP_S = 1.0
MEASURE_S = 5.0
ASSESSMENT = {
    "hours_since_onset": 30,
    "pain": 6,
    "age": 44,
    "findings": ["leg_tingling"],
    "denied": ["bladder_bowel_control_loss", "saddle_numbness", "bilateral_leg_symptoms", "chest_pain"],
    "conditions": ["kidney_disease"],
    "diary": [{"hours_since_onset": 2, "pain": 8}, {"hours_since_onset": 26, "pain": 7}],
}


def bare_app() -> Any:
    """The baseline: a FastAPI endpoint that reads the body and answers a fixed small JSON."""
    app = FastAPI()

    @app.post("/bare")
    async def bare(request: Request) -> Response:
        await request.body()
        return Response(b'{"ok":true}', media_type="application/json")

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(target: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    code = (
        f"import uvicorn; uvicorn.run({target!r}, factory=True, host='127.0.0.1', port={port}, "
        "log_level='warning', access_log=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                why = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"{target} did not start: {why}") from None
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{target} did not start in time")


def _request(port: int, path: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    match = re.search(rb"(?i)content-length:\s*(\d+)", head)
    if match is None:
        raise RuntimeError("response without content-length")
    await reader.readexactly(int(match.group(1)))
    return status


async def _connection(port: int, raw: bytes, stop_at: float, measure_from: float,
                      latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                return
            writer.write(raw)
            status = await _read_response(reader)
            t1 = time.perf_counter()
            if t0 >= measure_from:
                latencies.append(t1 - t0)
                if status != 200:
                    errors.append(status)
    finally:
        writer.close()


def load(port: int, path: str, body: bytes) -> dict[str, float]:
    """Drive one endpoint with CONNECTIONS keep-alive connections for WARMUP_S + MEASURE_S seconds."""
    raw = _request(port, path, body)
    latencies: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        start = time.perf_counter()
        measure_from = start + WARMUP_S
        stop_at = measure_from + MEASURE_S
        await asyncio.gather(*(_connection(port, raw, stop_at, measure_from, latencies, errors)
                               for _ in range(CONNECTIONS)))

    asyncio.run(main())
    if errors:
        raise RuntimeError(f"{path}: {len(errors)} non-200 answers, e.g. {errors[:3]}")
    latencies.sort()
    return {
        "rps": len(latencies) / MEASURE_S,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "n": float(len(latencies)),
    }


def _ms(value: str) -> float:
    number = float(re.match(r"[\d.]+", value).group(0))  # type: ignore[union-attr]
    unit = value[len(re.match(r"[\d.]+", value).group(0)):]  # type: ignore[union-attr]
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_wrk(wrk: str, port: int, path: str, body: bytes) -> dict[str, float]:
    """The same load from wrk (C, one thread), when it is installed: the client costs the server less CPU."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {json.dumps(body.decode())}\n")
        script = f.name
    try:
        url = f"http://127.0.0.1:{port}{path}"
        base = [wrk, "-t1", f"-c{CONNECTIONS}", "-s", script, "--latency", url]
        subprocess.run([*base[:3], f"-d{WARMUP_S:g}s", *base[3:]], check=True, capture_output=True, timeout=60)
        out = subprocess.run([*base[:3], f"-d{MEASURE_S:g}s", *base[3:]], check=True, capture_output=True,
                             text=True, timeout=60).stdout
    finally:
        os.unlink(script)
    if "Non-2xx" in out:
        raise RuntimeError(f"{path}: wrk saw errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "n": rps * MEASURE_S}


def result_page_weight(port: int) -> tuple[int, list[str]]:
    """Bytes transferred for the result page and what it loads, and any request it would make off this host."""
    import httpx

    from backspasm.web import forms

    base = f"http://127.0.0.1:{port}"
    total = 0
    with httpx.Client(base_url=base) as c:
        first = c.get("/assess")
        token = re.search(r'name="csrf_token" value="([^"]+)"', first.text)
        assert token is not None
        data = {"csrf_token": token.group(1), "onset_amount": "30", "onset_unit": "hours", "pain": "6"}
        data |= {q.field: "no" for q in forms.red_flag_questions() + forms.other_questions()}
        page = c.post("/assess/result", data=data)
        assert page.status_code == 200, page.status_code
        total += len(page.content) + sum(len(k) + len(v) + 4 for k, v in page.headers.raw)
        # What the page loads (scripts, styles, icons, images), not where its links lead: the result
        # links each source's title to the source's own site, which is a page the reader may open.
        urls = re.findall(r'<(?:script|link|img|source|iframe|video|audio)\b[^>]*?(?:src|href)="([^"#]+)"', page.text)
        assets = [u for u in urls if re.search(r"\.(css|js|svg|png|woff2?)$", u)]
        third_party = [u for u in urls if u.startswith(("http:", "https:", "//")) and not u.startswith(base)]
        for asset in assets:
            if asset.startswith("/"):
                r = c.get(asset)
                total += len(r.content) + sum(len(k) + len(v) + 4 for k, v in r.headers.raw)
    return total, third_party


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="backspasm-bench-") as tmp:
        env = dict(os.environ, BACKSPASM_DATA_DIR=tmp, BACKSPASM_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
                   BACKSPASM_SECRET_KEY="bench")
        body = json.dumps(ASSESSMENT).encode()
        wrk = shutil.which("wrk")

        def drive(port: int, path: str) -> dict[str, float]:
            return load_wrk(wrk, port, path, body) if wrk else load(port, path, body)

        bare_proc, bare_port = _serve("benchmarks.bench_web:bare_app", env)
        try:
            bare = drive(bare_port, "/bare")
        finally:
            bare_proc.terminate()
            bare_proc.wait(10)
        app_proc, app_port = _serve("backspasm.web.app:create_app", env)
        try:
            app = drive(app_port, "/api/v1/assess")
            weight, third_party = result_page_weight(app_port)
        finally:
            app_proc.terminate()
            app_proc.wait(10)
    ratio = app["rps"] / bare["rps"]
    client = ("wrk, 1 thread" if shutil.which("wrk") else
              "in-process asyncio client: it competes with the server for the 2 cores, so install wrk "
              "(scripts/install-browser-deps.sh) for figures that measure the server")
    print(f"   load: {CONNECTIONS} keep-alive connections, {MEASURE_S:g} s each after {WARMUP_S:g} s warm-up, "
          f"uvicorn 1 worker, loopback, {client}")
    print(f"   bare FastAPI endpoint:   {bare['rps']:8.0f} req/s  p50 {bare['p50_ms']:5.1f} ms  p99 {bare['p99_ms']:5.1f} ms")
    print(f"   POST /api/v1/assess:     {app['rps']:8.0f} req/s  p50 {app['p50_ms']:5.1f} ms  p99 {app['p99_ms']:5.1f} ms")
    print(f"   assess / bare throughput: {ratio:.2f}  (target >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")
    print(f"   assess p99 at {CONNECTIONS} connections: {app['p99_ms']:.1f} ms  "
          f"(target < 50 ms: {'met' if app['p99_ms'] < 50 else 'NOT met'})")
    print(f"   result page transferred (HTML + CSS + JS + icon, uncompressed): {weight / 1024:.1f} KB  "
          f"(target < 100 KB: {'met' if weight < 100 * 1024 else 'NOT met'}); "
          f"third-party requests: {len(third_party)}")


if __name__ == "__main__":
    run()
