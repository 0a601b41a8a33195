"""Prevention: building a 6-week program and exporting it, beside one assessment as the yardstick."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from backspasm import assess, parse_assessment
from backspasm.prevent.ics import program_to_ics
from backspasm.prevent.library import load
from backspasm.prevent.program import build_program, parse_request

NOW = datetime(2026, 11, 25, 18, 0)
REQUEST = {
    "sitting_hours": 8,
    "lifting_at_work": True,
    "activity_level": "inactive",
    "activities": ["walking", "swimming", "cycling"],
    "urgency": "self_care",
    "hours_since_onset": 30,
}


def per_call(fn: Callable[[], object], seconds: float = 0.5) -> float:
    """Mean seconds per call over about `seconds` of repeats (best of three runs)."""
    fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds / 5:
        fn()
        n += 1
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def run() -> None:
    t0 = time.perf_counter()
    load.cache_clear()
    load()
    print(f"   load and validate the library (8 exercises, 8 figures, 2 checklists): {(time.perf_counter() - t0) * 1e3:.1f} ms")
    assessment = parse_assessment({"hours_since_onset": 30, "pain": 4})
    base = per_call(lambda: assess(assessment))
    req = parse_request(REQUEST)
    build = per_call(lambda: build_program(req, now=NOW))
    program = build_program(req, now=NOW)
    ics = per_call(lambda: program_to_ics(program))
    print(f"   baseline: one assessment                {base * 1e6:9.1f} us")
    label = f"build a 6-week program ({len(program.sessions)} sessions)"
    print(f"   {label:<40}{build * 1e6:9.1f} us  ({build / base:.1f}x an assessment)")
    print(f"   export it to iCalendar (42 events)      {ics * 1e6:9.1f} us  ({ics / base:.1f}x an assessment)")
