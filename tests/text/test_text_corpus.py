"""The development corpus (tests/text/corpus/): well formed, large enough, every text tied to the
page that taught its phrasing, and the reader at its targets on it."""

from __future__ import annotations

from functools import cache

from scoring import CONDITIONS, EMERGENCY, FINDINGS, RED_FLAGS, Result, corpus, phrase_table, score, sources

ROWS = corpus()


@cache
def _result() -> Result:
    return score(ROWS)


def test_the_corpus_is_large_and_balanced() -> None:
    assert len(ROWS) >= 400
    assert sum(1 for r in ROWS if r.present & EMERGENCY) >= 60
    assert sum(1 for r in ROWS if (r.present & RED_FLAGS) - EMERGENCY) >= 100
    assert sum(1 for r in ROWS if not r.present & RED_FLAGS) >= 150
    calm_with_words = [r for r in ROWS if not r.present & RED_FLAGS and r.ruled_out]
    assert len(calm_with_words) >= 30  # red-flag words denied, not just absent


def test_every_text_names_the_page_that_taught_it_and_valid_codes() -> None:
    urls = sources()
    assert all(u.startswith(("https://", "http://")) for u in urls.values())
    for row in ROWS:
        assert row.source in urls.values(), row.where
        assert row.present <= FINDINGS | CONDITIONS, row.where
        assert row.ruled_out <= FINDINGS, row.where
        assert not row.present & row.ruled_out, row.where
        assert row.text.strip(), row.where


def test_the_corpus_is_apart_from_the_phrase_table() -> None:
    table = {r.text.strip().lower() for r in phrase_table()}
    assert [r.where for r in ROWS if r.text.strip().lower() in table] == []


def test_every_emergency_finding_in_the_corpus_is_found() -> None:
    misses = [m for m in _result().present.misses if m[1] in EMERGENCY]
    assert misses == []


def test_red_flag_precision_and_all_findings_f1_reach_their_targets() -> None:
    s = _result().present
    assert s.precision(RED_FLAGS) >= 0.9
    assert s.f1(FINDINGS) >= 0.9


def test_denials_in_the_corpus_are_reported_as_ruled_out() -> None:
    s = _result().ruled_out
    assert s.precision(RED_FLAGS) >= 0.85
    assert s.recall(RED_FLAGS) >= 0.75
