"""Engine speed against the hand-written if-chain, the CLI on a 100,000-case batch, and --help."""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from backspasm import assess, parse_many
from backspasm.codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES
from benchmarks.baseline import baseline

BATCH = 100_000
REPORTABLE = [c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS]


def cases(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Structured inputs (no text) spread over the clock, the findings and the conditions."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        hours = round(rng.choice([rng.uniform(0, 48), rng.uniform(48, 200), rng.uniform(0, 2000)]), 1)
        case: dict[str, Any] = {"hours_since_onset": hours, "pain": rng.randint(0, 10)}
        if rng.random() < 0.5:
            case["age"] = rng.randint(18, 90)
        if rng.random() < 0.4:
            case["findings"] = rng.sample(REPORTABLE, rng.randint(1, 3))
        if rng.random() < 0.3:
            case["denied"] = rng.sample(REPORTABLE, rng.randint(1, 4))
        if rng.random() < 0.3:
            case["conditions"] = rng.sample(CONDITION_CODES, rng.randint(1, 2))
        if rng.random() < 0.3:
            case["diary"] = [
                {"hours_since_onset": round(rng.uniform(0, hours), 1), "pain": rng.randint(0, 10)}
                for _ in range(rng.randint(1, 4))
            ]
        out.append(case)
    return out


def _best_of(fn: Any, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run() -> None:
    raw = cases(BATCH)
    t0 = time.perf_counter()
    items = parse_many(raw)
    t_parse = time.perf_counter() - t0
    sample = items[:20_000]

    # Rounds alternate between the engine and the baseline, so a busy machine slows both alike.
    t_engine = t_base = t_json = float("inf")
    for _ in range(5):
        t_engine = min(t_engine, _best_of(lambda: [assess(a) for a in sample], 1))
        t_base = min(t_base, _best_of(lambda: [baseline(a) for a in sample], 1))
        t_json = min(t_json, _best_of(lambda: [assess(a).to_json() for a in sample], 1))
    n = len(sample)
    print(f"validation: {BATCH / t_parse:,.0f} assessments/s ({BATCH:,} items)")
    print(f"engine (assess):          {n / t_engine:,.0f} /s")
    print(f"baseline (if-chain):      {n / t_base:,.0f} /s")
    print(f"engine / baseline time:   {t_engine / t_base:.2f}x (target: within 2x)")
    print(f"engine + JSON out:        {n / t_json:,.0f} /s")

    exe = Path(sys.executable).with_name("backspasm")
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch.json"
        batch.write_text(json.dumps(raw))
        walls, cpus = [], []
        for _ in range(2):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            with open(os.devnull, "wb") as sink:
                subprocess.run([str(exe), "assess", "--json", str(batch)], stdout=sink, check=True)
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        size = sum(len(assess(a).to_json()) for a in items[:1000]) / 1000
        print(f"CLI, {BATCH:,}-case batch: {min(walls):.2f} s wall, {min(cpus):.2f} s CPU "
              f"(target: under 10 s; {size / 1000:.1f} KB of JSON a result)")

    helps = []
    for _ in range(7):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], stdout=subprocess.DEVNULL, check=True)
        helps.append(time.perf_counter() - t0)
    print(f"backspasm --help: {statistics.median(helps) * 1000:.0f} ms median of 7 (target: under 300 ms)")
