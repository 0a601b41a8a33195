"""Metamorphic relations (metamorphic.py) over every phrase-table and corpus row: a neutral sentence
before or after, other spaces, invisible characters, line breaks, case, accents and full-width
letters, or a second text joined with a full stop never remove a finding. Zero losses."""

from __future__ import annotations

import random
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metamorphic import RELATIONS, join
from scoring import corpus, phrase_table

from backspasm.text import read

TEXTS = tuple(dict.fromkeys(r.text for r in (*phrase_table(), *corpus())))


@cache
def found(text: str) -> frozenset[str]:
    r = read(text)
    return frozenset(r.findings | r.conditions)


@pytest.mark.parametrize("name", sorted(RELATIONS))
def test_no_row_loses_a_finding_under_the_relation(name: str) -> None:
    relation = RELATIONS[name]
    losses = []
    for i, text in enumerate(TEXTS):
        variant = relation(text, random.Random(i))
        lost = found(text) - found(variant)
        if lost:
            losses.append((sorted(lost), text, variant))
    assert losses == []


def test_joining_two_rows_with_a_full_stop_keeps_what_either_gives() -> None:
    rng = random.Random(11)
    losses = []
    for text in TEXTS:
        other = TEXTS[rng.randrange(len(TEXTS))]
        lost = (found(text) | found(other)) - found(join(text, other))
        if lost:
            losses.append((sorted(lost), text, other))
    assert losses == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(TEXTS),
    st.lists(st.sampled_from(sorted(RELATIONS)), min_size=1, max_size=3, unique=True),
    st.integers(0, 10**6),
)
def test_relations_combined_never_lose_a_finding(text: str, names: list[str], seed: int) -> None:
    variant = text
    for name in names:
        variant = RELATIONS[name](variant, random.Random(seed))
    assert found(text) <= found(variant), (text, variant)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TEXTS), st.sampled_from(TEXTS))
def test_any_two_rows_joined_keep_both_readings(first: str, second: str) -> None:
    assert found(first) | found(second) <= found(join(first, second))
