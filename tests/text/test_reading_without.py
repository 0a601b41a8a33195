"""A reading less what the person rejected: the codes, their words, and a pain score that would count again."""

from __future__ import annotations

from backspasm.result import EvidenceSpan
from backspasm.text.reading import Reading

READ = Reading(
    findings=frozenset({"bilateral_leg_symptoms", "leg_tingling", "severe_pain"}),
    conditions=frozenset({"anticoagulant"}),
    evidence=(EvidenceSpan("bilateral_leg_symptoms", 3, 20, "feet have tingled"),
              EvidenceSpan("leg_tingling", 3, 20, "feet have tingled"),
              EvidenceSpan("anticoagulant", 30, 40, "on warfarin")),
    pain=8,
    hours_since_onset=24.0,
    ruled_out=frozenset({"fever"}),
)


def test_nothing_rejected_is_the_same_reading() -> None:
    assert READ.without(frozenset()) is READ


def test_a_rejected_code_loses_its_words_and_the_rest_stays() -> None:
    kept = READ.without(frozenset({"bilateral_leg_symptoms"}))
    assert kept.findings == {"leg_tingling", "severe_pain"}
    assert [e.code for e in kept.evidence] == ["leg_tingling", "anticoagulant"]
    assert (kept.pain, kept.hours_since_onset, kept.ruled_out) == (8, 24.0, {"fever"})


def test_rejecting_severe_pain_drops_the_score_that_would_count_it_again() -> None:
    kept = READ.without(frozenset({"severe_pain", "anticoagulant"}))
    assert kept.pain is None and kept.conditions == frozenset()
