"""Contract v1.1 invariants over generated inputs, in both locales: the safety net is exactly the
contract's rule, an emergency has none, a new finding never lowers urgency, every source resolves."""

from __future__ import annotations

import json
from typing import Any

from benchmarks.baseline import baseline
from hypothesis import given, settings
from hypothesis import strategies as st

from backspasm import assess, parse_assessment
from backspasm.codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES, LOCALES, URGENCY_RANK
from backspasm.knowledge import load

REPORTABLE = [c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS]
NEW_IN_1_1 = ["major_trauma", "sexual_dysfunction", "thoracic_pain", "back_deformity", "rest_night_pain",
              "radiating_leg_pain", "cough_sneeze_pain"]


@st.composite
def inputs(draw: st.DrawFn) -> dict[str, Any]:
    hours = draw(st.one_of(st.sampled_from([0, 23.9, 24, 47.9, 48, 71.9, 72, 240, 1007.9, 1008]),
                           st.floats(0, 8760, allow_nan=False)))
    data: dict[str, Any] = {"hours_since_onset": hours, "pain": draw(st.integers(0, 10)),
                            "locale": draw(st.sampled_from(LOCALES))}
    if draw(st.booleans()):
        data["age"] = draw(st.integers(0, 120))
    data["findings"] = draw(st.lists(st.sampled_from(REPORTABLE), unique=True, max_size=5))
    data["denied"] = draw(st.lists(st.sampled_from(REPORTABLE), unique=True, max_size=8))
    data["conditions"] = draw(st.lists(st.sampled_from(CONDITION_CODES), unique=True, max_size=3))
    if draw(st.booleans()):
        data["diary"] = draw(st.lists(st.fixed_dictionaries(
            {"hours_since_onset": st.floats(0, float(hours), allow_nan=False), "pain": st.integers(0, 10)}), max_size=4))
    return data


@settings(max_examples=400, deadline=None)
@given(inputs())
def test_watch_for_holds_exactly_the_codes_the_contract_gives(data: dict[str, Any]) -> None:
    a = parse_assessment(data)
    r, want = assess(a), baseline(a)
    assert r.codes("watch_for") == want["watch_for"]
    assert list(r.to_ask) == want["to_ask"]
    levels = load(r.locale).levels
    for w in r.watch_for:
        level = w.get("level")
        assert URGENCY_RANK[level] > URGENCY_RANK[r.urgency]
        assert w.text == f"{levels[level].watch_heading} {w.get('sign')}."


@settings(max_examples=300, deadline=None)
@given(inputs())
def test_an_emergency_has_an_empty_safety_net(data: dict[str, Any]) -> None:
    r = assess(parse_assessment(data))
    if r.urgency == "emergency":
        assert r.watch_for == () and json.loads(r.to_json())["watch_for"] == []
    else:
        assert r.watch_for, "every answer that is not an emergency carries its safety net"


@settings(max_examples=300, deadline=None)
@given(inputs(), st.sampled_from(NEW_IN_1_1))
def test_adding_a_new_v1_1_finding_never_lowers_urgency(data: dict[str, Any], extra: str) -> None:
    before = assess(parse_assessment(data))
    after = assess(parse_assessment({**data, "findings": sorted({*data["findings"], extra})}))
    assert URGENCY_RANK[after.urgency] >= URGENCY_RANK[before.urgency]
    assert URGENCY_RANK[after.urgency] >= URGENCY_RANK[load().findings[extra].level]


@settings(max_examples=300, deadline=None)
@given(inputs())
def test_every_source_ref_in_a_result_resolves_to_a_record_with_a_title(data: dict[str, Any]) -> None:
    decoded = json.loads(assess(parse_assessment(data)).to_json())
    refs = [item["source"]["ref"] for part in ("reasons", "plan", "professional", "prevention", "watch_for", "schedule")
            for item in decoded[part]]
    assert refs
    kb = load()
    for ref in refs:
        src = kb.source(ref)
        assert src.title and src.publisher and src.kind in ("article", "guideline", "label", "study")
        assert src.superseded_by is None, f"a new result cites the superseded ref {ref}"
