"""Invariants of the rules over generated inputs (Hypothesis)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from benchmarks.baseline import baseline
from hypothesis import given, settings
from hypothesis import strategies as st

from backspasm import BadInput, assess, parse_assessment, parse_json
from backspasm.codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES, URGENCY_RANK
from backspasm.contract import ResultModel

REPORTABLE = [c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS]
hours_st = st.one_of(st.integers(0, 8760), st.floats(0, 8760, allow_nan=False, allow_infinity=False))


@st.composite
def assessments(draw: st.DrawFn) -> dict[str, Any]:
    hours = draw(hours_st)
    data: dict[str, Any] = {"hours_since_onset": hours, "pain": draw(st.integers(0, 10))}
    if draw(st.booleans()):
        data["age"] = draw(st.integers(0, 120))
    if draw(st.booleans()):
        data["findings"] = draw(st.lists(st.sampled_from(REPORTABLE), unique=True, max_size=6))
    if draw(st.booleans()):
        data["denied"] = draw(st.lists(st.sampled_from(REPORTABLE), max_size=6))
    if draw(st.booleans()):
        data["conditions"] = draw(st.lists(st.sampled_from(CONDITION_CODES), max_size=4))
    if draw(st.booleans()):
        entries = st.fixed_dictionaries(
            {"hours_since_onset": st.floats(0, float(hours), allow_nan=False), "pain": st.integers(0, 10)}
        )
        data["diary"] = draw(st.lists(entries, max_size=5))
    return data


@settings(max_examples=300, deadline=None)
@given(assessments(), st.sampled_from(REPORTABLE))
def test_adding_a_finding_never_lowers_urgency(data: dict[str, Any], extra: str) -> None:
    before = assess(parse_assessment(data))
    more = {**data, "findings": sorted({*data.get("findings", []), extra})}
    after = assess(parse_assessment(more))
    assert URGENCY_RANK[after.urgency] >= URGENCY_RANK[before.urgency]
    assert set(before.findings) <= set(after.findings)


@settings(max_examples=300, deadline=None)
@given(assessments(), st.integers(0, 10))
def test_more_pain_never_lowers_urgency_without_a_diary(data: dict[str, Any], pain: int) -> None:
    data.pop("diary", None)
    low, high = sorted((data["pain"], pain))
    a = assess(parse_assessment({**data, "pain": low}))
    b = assess(parse_assessment({**data, "pain": high}))
    assert URGENCY_RANK[b.urgency] >= URGENCY_RANK[a.urgency]


@settings(max_examples=400, deadline=None)
@given(assessments())
def test_every_valid_input_gets_a_result_that_keeps_the_contract(data: dict[str, Any]) -> None:
    r = assess(parse_assessment(data))
    plan = r.codes("plan")
    hours = data["hours_since_onset"]
    if r.urgency == "emergency":
        assert plan == ["call_emergency"] and not r.professional and not r.prevention
    else:
        assert len(r.prevention) == 5
    if hours < 24:
        assert "heat_therapy" not in plan
    if r.urgency in ("urgent", "emergency"):
        assert "stretch_knee_to_chest" not in plan and "stretch_pelvic_tilt" not in plan
    persisting = hours >= 72
    assert {reason.code for reason in r.reasons} == {
        c for c in r.findings if persisting or c not in ("sleep_disturbed", "daily_activities_limited")
    }
    if r.urgency == "emergency":
        assert r.watch_for == ()
    assert all(URGENCY_RANK[w.get("level")] > URGENCY_RANK[r.urgency] for w in r.watch_for)
    decoded = json.loads(r.to_json())
    assert decoded == r.as_dict()
    ResultModel.model_validate(decoded)


@settings(max_examples=400, deadline=None)
@given(assessments())
def test_engine_agrees_with_the_hand_written_contract(data: dict[str, Any]) -> None:
    a = parse_assessment(data)
    r = assess(a)
    want = baseline(a)
    assert r.urgency == want["urgency"]
    assert set(r.findings) == want["findings"]
    assert {p.code: p.get("status") for p in r.plan} == want["plan"]
    assert set(r.codes("professional")) == want["professional"]
    assert set(r.codes("prevention")) == want["prevention"]
    assert r.codes("watch_for") == want["watch_for"]
    assert list(r.to_ask) == want["to_ask"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def broken(draw: st.DrawFn) -> dict[str, Any]:
    """A valid assessment with one field replaced, removed or added."""
    data = draw(assessments())
    key = draw(st.sampled_from(["hours_since_onset", "pain", "age", "findings", "denied", "conditions", "diary", "x"]))
    action = draw(st.sampled_from(["replace", "remove"]))
    if action == "remove" and key in ("hours_since_onset", "pain"):
        del data[key]
    else:
        data[key] = draw(json_values)
    return data


@settings(max_examples=400, deadline=None)
@given(broken())
def test_any_input_is_either_assessed_or_refused_with_a_named_field(data: dict[str, Any]) -> None:
    try:
        a = parse_json(json.dumps(data))
    except BadInput as e:
        assert e.errors and all(isinstance(loc, str) and msg for loc, msg in e.errors)
        return
    assert not isinstance(a, list)
    assess(a)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_as_the_whole_input_never_escapes_as_a_crash(raw: str) -> None:
    with contextlib.suppress(BadInput):
        parse_json(raw)
