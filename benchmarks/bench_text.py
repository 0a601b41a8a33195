"""Text reader targets: pipeline load <= 1.5 s in a fresh process (paid only when text is present),
a median <= 5 ms and a p95 <= 8 ms per 300-character text after load, and the batch throughput
through spaCy's nlp.pipe on one core; baselines measured side by side (importing backspasm and
assessing without text; a bare assess() call)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

LOAD_TARGET_S = 1.5
READ_TARGET_MS = 5.0
P95_TARGET_MS = 8.0
FRESH_PROCESSES = 5

# Realistic 300-character texts: mixed findings, negations, numbers, misspellings.
TEXTS = [
    "Slipped on the stairs yesterday and landed hard, pins and needles down my left leg since. No numbness down "
    "below and no problems going to the toilet. Pain is about 7/10 when it spasms, temp 37.4. My dad had bowel "
    "cancer but I've never had it. I'm on warfarin for AF. Can't sleep, can't get dressed on my own.",
    "back went 3 days ago lifting a box, no fall. its getting worse each day and nothing helps, ibuprofen does "
    "nothing. legs are fine - no weakness or numbness, bladder ok. worried I might lose bladder control though "
    "because my friend had cauda equina. I drink maybe 2 pints a night. lost a stone on slimming world this year.",
    "ive got numbnes in my right foot and tingeling in both legs since tuesday, and I think I wet myself last "
    "night without realising. No chest pain, no fever. The tingling I had in March went away. Spasms are agony, "
    "worst pain of my life, 9/10, and its keeping me up at night. 24 weeks pregnant, allergic to aspirin.",
]

_FRESH = (
    "import time; t0 = time.perf_counter()\nfrom backspasm.text.reader import load; load()\nprint(time.perf_counter() - t0)\n"
)
_BASELINE = (
    "import time; t0 = time.perf_counter()\n"
    "from backspasm import assess, parse_assessment\n"
    "assess(parse_assessment({'hours_since_onset': 30, 'pain': 5, 'findings': ['leg_tingling']}))\n"
    "import sys; assert 'spacy' not in sys.modules\n"
    "print(time.perf_counter() - t0)\n"
)


def _fresh(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run() -> None:
    loads = [_fresh(_FRESH) for _ in range(FRESH_PROCESSES)]
    bases = [_fresh(_BASELINE) for _ in range(FRESH_PROCESSES)]
    load, base = statistics.median(loads), statistics.median(bases)
    verdict = "ok" if load <= LOAD_TARGET_S else "OVER TARGET"
    print(
        f"   pipeline load in a fresh process (imports + rules): median {load:.2f} s of {FRESH_PROCESSES} "
        f"(max {max(loads):.2f} s); target < {LOAD_TARGET_S:g} s: {verdict}"
    )
    print(f"   baseline: import backspasm + a text-free assessment: {base:.3f} s, spaCy never imported")

    from backspasm import assess, parse_assessment
    from backspasm.text import read

    texts = [t[:300] for t in TEXTS]
    for t in texts:
        read(t)  # warm
    times = []
    for i in range(300):
        t = texts[i % len(texts)] + " " * (i % 7)  # defeat any accidental caching
        t0 = time.perf_counter()
        read(t)
        times.append(time.perf_counter() - t0)
    med, p95 = statistics.median(times) * 1000, sorted(times)[int(len(times) * 0.95)] * 1000
    verdict = "ok" if med <= READ_TARGET_MS and p95 <= P95_TARGET_MS else "OVER TARGET"
    print(
        f"   read() a 300-character text: median {med:.2f} ms, p95 {p95:.2f} ms; "
        f"targets <= {READ_TARGET_MS:g} ms / <= {P95_TARGET_MS:g} ms: {verdict}"
    )

    from backspasm.text.reader import read_many

    batch = [texts[i % len(texts)] + " " * (i % 7) for i in range(600)]
    t0 = time.perf_counter()
    read_many(batch)
    elapsed = time.perf_counter() - t0
    print(f"   batch through nlp.pipe: {len(batch) / elapsed:.0f} texts/s on one core ({len(batch)} texts of 300 characters)")

    bare = []
    a = parse_assessment({"hours_since_onset": 30, "pain": 5, "findings": ["leg_tingling"]})
    for _ in range(300):
        t0 = time.perf_counter()
        assess(a)
        bare.append(time.perf_counter() - t0)
    b = statistics.median(bare) * 1000
    print(f"   baseline bare assess() without text: {b:.3f} ms; reading text costs {med / b:.0f}x a bare assessment")
