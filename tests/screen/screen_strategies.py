"""Hypothesis strategies for screen tests: contract inputs that crowd the rules' boundaries."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from backspasm.codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES, LOCALES

REPORTABLE = [c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS]
# The hours the rules turn on (24, 48, 72, 240, 1008) and their neighbours, besides any hour at all.
MARKS = [0.0, 23.9, 24.0, 47.9, 48.0, 71.9, 72.0, 72.1, 239.9, 240.0, 1007.9, 1008.0, 8760.0]
hours_st = st.one_of(st.sampled_from(MARKS), st.integers(0, 8760), st.floats(0, 8760, allow_nan=False))


@st.composite
def assessments(draw: st.DrawFn, text: bool = False) -> dict[str, Any]:
    """A valid structured assessment (text-free unless asked)."""
    hours = float(draw(hours_st))
    data: dict[str, Any] = {"hours_since_onset": hours, "pain": draw(st.integers(0, 10))}
    if draw(st.booleans()):
        data["age"] = draw(st.integers(0, 120))
    if draw(st.booleans()):
        data["findings"] = draw(st.lists(st.sampled_from(REPORTABLE), unique=True, max_size=5))
    if draw(st.booleans()):
        data["denied"] = draw(st.lists(st.sampled_from(REPORTABLE), max_size=8))
    if draw(st.booleans()):
        data["conditions"] = draw(st.lists(st.sampled_from(CONDITION_CODES), max_size=3))
    if draw(st.booleans()):
        entry_hours = st.one_of(st.just(hours), st.just(0.0), st.floats(0, hours, allow_nan=False))
        entries = st.fixed_dictionaries({"hours_since_onset": entry_hours, "pain": st.integers(0, 10)})
        data["diary"] = draw(st.lists(entries, max_size=4))
    if draw(st.integers(0, 4)) == 0:
        data["locale"] = draw(st.sampled_from(LOCALES))
    if text and draw(st.booleans()):
        data["text"] = draw(st.sampled_from(["", "   ", "sore back after lifting", "no numbness, no tingling"]))
    return data


BAD_VALUES: list[tuple[str, Any]] = [
    ("pain", 11),
    ("pain", -1),
    ("pain", None),
    ("hours_since_onset", 8761.0),
    ("hours_since_onset", float("nan")),
    ("age", 121),
    ("findings", ["fevr"]),
    ("findings", ["long_duration"]),
    ("findings", ["fever", "fever"]),
    ("denied", ["not_a_code"]),
    ("conditions", ["asthma"]),
    ("locale", "fr-FR"),
]


@st.composite
def maybe_bad(draw: st.DrawFn) -> dict[str, Any]:
    """An assessment that is sometimes broken in one field (a value the contract refuses)."""
    data = draw(assessments())
    if draw(st.integers(0, 3)) == 0:
        field, value = draw(st.sampled_from(BAD_VALUES))
        if value is None:
            data.pop(field, None)
        else:
            data[field] = value
    if draw(st.integers(0, 9)) == 0 and data.get("diary") is not None:
        data["diary"] = [*data["diary"], {"hours_since_onset": data["hours_since_onset"] + 1, "pain": 3}]
    return data


def random_assessment(rng: Any) -> dict[str, Any]:
    """The same space as `assessments()`, drawn from a Random (for batches of thousands per example)."""
    pick = rng.random
    hours = float(rng.choice(MARKS) if pick() < 0.3 else (rng.randint(0, 8760) if pick() < 0.5 else rng.uniform(0, 8760)))
    if pick() < 0.3:
        hours = float(rng.choice([rng.uniform(0, 100), rng.uniform(60, 80), rng.uniform(1000, 1016)]))
    data: dict[str, Any] = {"hours_since_onset": hours, "pain": rng.randint(0, 10)}
    if pick() < 0.5:
        data["age"] = rng.randint(0, 120)
    if pick() < 0.6:
        data["findings"] = rng.sample(REPORTABLE, rng.randint(0, 5))
    if pick() < 0.5:
        data["denied"] = [rng.choice(REPORTABLE) for _ in range(rng.randint(0, 8))]
    if pick() < 0.3:
        data["conditions"] = rng.sample(list(CONDITION_CODES), rng.randint(0, 3))
    if pick() < 0.5:
        data["diary"] = [
            {"hours_since_onset": rng.choice([hours, 0.0, rng.uniform(0, hours)]), "pain": rng.randint(0, 10)}
            for _ in range(rng.randint(0, 4))
        ]
    if pick() < 0.2:
        data["locale"] = rng.choice(LOCALES)
    return data


def batches(size: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    """`size` assessments per example, from a Random whose seed Hypothesis draws (and replays on failure)."""
    import random

    def batch(seed: int) -> list[dict[str, Any]]:
        rng = random.Random(seed)
        return [random_assessment(rng) for _ in range(size)]

    return st.integers(0, 2**64 - 1).map(batch)
