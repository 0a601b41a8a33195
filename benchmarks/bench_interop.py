"""FHIR and CDS Hooks cost per request, as ratios to the plain JSON assessment measured in the same run."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backspasm import assess, parse_assessment, parse_json
from backspasm.interop.questionnaire import assessment_to_response
from backspasm.interop.routes import assess_response
from backspasm.interop.service import handle

EXAMPLES = Path(__file__).resolve().parent.parent / "tests" / "interop" / "examples"
CASE = {"hours_since_onset": 30, "pain": 6, "age": 64, "findings": ["leg_tingling", "injury"],
        "conditions": ["kidney_disease"], "diary": [{"hours_since_onset": 2, "pain": 8}]}
ROUNDS = 400


def _median_ms(fn: Callable[[], Any], rounds: int = ROUNDS) -> float:
    for _ in range(20):
        fn()  # warm caches (knowledge base, models, code map)
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def run() -> None:
    raw = json.dumps(CASE).encode()

    def json_api() -> None:
        parsed = parse_json(raw)
        assert not isinstance(parsed, list)
        assess(parsed).to_json()

    qr = json.dumps(assessment_to_response(parse_assessment(CASE)))

    def fhir_assess() -> None:
        json.dumps(assess_response(json.loads(qr)))

    cds_body = (EXAMPLES / "patient-view-urgent-leg-warfarin.json").read_bytes()

    def cds_hooks() -> None:
        status, out = handle(cds_body, "http://127.0.0.1:8000")
        assert status == 200
        json.dumps(out)

    base = _median_ms(json_api)
    fhir = _median_ms(fhir_assess)
    hooks = _median_ms(cds_hooks)
    print(f"   JSON assessment (baseline)            {base:7.3f} ms per request")
    print(f"   FHIR $assess (QR in, Bundle out)     {fhir:7.3f} ms  = {fhir / base:5.1f}x baseline")
    print(f"   CDS Hooks triage (prefetch to cards)   {hooks:7.3f} ms  = {hooks / base:5.1f}x baseline"
          f"  ({hooks / 500 * 100:.2f}% of the spec's ~500 ms budget)")
