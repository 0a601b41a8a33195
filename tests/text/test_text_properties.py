"""Invariants of read(): it never raises, and every evidence span is the text's own words."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backspasm.codes import CONDITION_CODES, FINDING_CODES
from backspasm.text import read

WORDS = st.sampled_from(
    ["no", "not", "numb", "tingling", "leg", "legs", "both", "but", "my", "dad", "had", "cancer", "wet", "myself",
     "fell", "temp", "39", "8/10", ",", ".", ";", "\n", "pins and needles", "worried", "I", "might", "last year",
     "went away", "can't", "pee", "agony", "😀", "ñ", "-", "(", ")", "???", "x2 days", "lost a stone"]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=5000), st.lists(WORDS, max_size=400).map(" ".join))
READABLE = (set(FINDING_CODES) - {"long_duration"}) | set(CONDITION_CODES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_read_never_raises_and_evidence_slices_the_text(text: str) -> None:
    reading = read(text)
    assert reading.findings | reading.conditions <= READABLE
    assert "long_duration" not in reading.findings
    assert reading.pain is None or 0 <= reading.pain <= 10
    assert reading.hours_since_onset is None or 0 < reading.hours_since_onset <= 8760
    codes = [e.code for e in reading.evidence]
    assert len(codes) == len(set(codes))
    assert set(codes) == reading.findings | reading.conditions
    for e in reading.evidence:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start : e.end] == e.text
