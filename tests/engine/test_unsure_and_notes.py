"""'Not sure' counts as present, and the result says how answers and words were counted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backspasm import BadInput, assess, parse_assessment
from backspasm.codes import DERIVED_ONLY_FINDINGS, FINDING_CODES, URGENCY_RANK
from backspasm.contract import ResultModel
from backspasm.knowledge import load
from backspasm.text.reading import Reading

REPORTABLE = [c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS]
RED_FLAGS = [c for c, f in load().findings.items() if f.level in ("emergency", "urgent") and f.kind != "derived"]


def _assess(data: dict[str, Any], reading: Reading | None = None) -> Any:
    a = parse_assessment(data)
    return assess(a, (lambda _t: reading) if reading is not None else None)


def test_every_red_flag_has_one_concrete_follow_up_with_a_source() -> None:
    kb = load()
    for code in RED_FLAGS:
        follow = kb.findings[code].unsure
        assert follow is not None, code
        assert follow.question.endswith("?") and follow.question != kb.findings[code].question
        assert follow.present_if in ("yes", "no")
        assert follow.source.ref in kb.sources


def test_the_follow_ups_are_worded_for_each_locale() -> None:
    us, gb = load("en-US"), load("en-GB")
    assert all(gb.findings[c].unsure is not None for c in RED_FLAGS)
    assert us.findings["saddle_numbness"].unsure.present_if == "no"  # type: ignore[union-attr]


@pytest.mark.parametrize("code", RED_FLAGS)
def test_unsure_about_a_red_flag_raises_urgency_as_a_yes_would(code: str) -> None:
    yes = _assess({"hours_since_onset": 12, "pain": 3, "findings": [code]})
    unsure = _assess({"hours_since_onset": 12, "pain": 3, "unsure": [code]})
    assert unsure.urgency == yes.urgency
    assert code in unsure.findings
    assert [(n.code, n.kind) for n in unsure.notes] == [(code, "unsure")]
    assert code not in unsure.to_ask  # it was asked: the person answered "not sure"


def test_unsure_wins_over_a_denial_and_is_noted() -> None:
    r = _assess({"hours_since_onset": 2, "pain": 2, "denied": ["saddle_numbness"], "unsure": ["saddle_numbness"]})
    assert r.urgency == "emergency"
    assert [n.kind for n in r.notes] == ["unsure"]


def test_a_no_contradicted_by_the_words_is_noted_and_the_words_count() -> None:
    r = _assess({"hours_since_onset": 30, "pain": 4, "denied": ["leg_weakness"],
                 "text": "My right leg keeps giving way when I walk."})
    assert r.urgency == "urgent"
    assert ("leg_weakness", "text_over_answer") in [(n.code, n.kind) for n in r.notes]
    note = next(n for n in r.notes if n.code == "leg_weakness")
    assert "description counted" in note.text


def test_a_yes_the_words_seem_to_deny_is_noted_and_the_yes_counts() -> None:
    reading = Reading(ruled_out=frozenset({"fever"}))
    r = _assess({"hours_since_onset": 30, "pain": 4, "findings": ["fever"], "text": "no fever"}, reading)
    assert r.urgency == "urgent"
    assert [(n.code, n.kind) for n in r.notes] == [("fever", "answer_over_text")]


def test_no_notes_when_nothing_disagrees_and_none_in_the_json() -> None:
    r = _assess({"hours_since_onset": 30, "pain": 4, "findings": ["fever"], "denied": ["chest_pain"]})
    assert r.notes == ()
    assert "notes" not in json.loads(r.to_json())


def test_notes_are_in_the_result_locale() -> None:
    us = _assess({"hours_since_onset": 1, "pain": 1, "unsure": ["chest_pain"]})
    gb = _assess({"hours_since_onset": 1, "pain": 1, "unsure": ["chest_pain"], "locale": "en-GB"})
    assert gb.notes[0].label == load("en-GB").findings["chest_pain"].label
    assert us.notes[0].kind == gb.notes[0].kind == "unsure"


def test_unsure_is_checked_like_findings() -> None:
    with pytest.raises(BadInput, match=r"unsure\[1\]: 'fever' is listed more than once"):
        parse_assessment({"hours_since_onset": 1, "pain": 1, "unsure": ["fever", "fever"]})
    with pytest.raises(BadInput, match="unknown finding code 'fevr'"):
        parse_assessment({"hours_since_onset": 1, "pain": 1, "unsure": ["fevr"]})
    with pytest.raises(BadInput, match="derived"):
        parse_assessment({"hours_since_onset": 1, "pain": 1, "unsure": ["long_duration"]})


@st.composite
def _inputs(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"hours_since_onset": draw(st.integers(0, 8760)), "pain": draw(st.integers(0, 10))}
    for key in ("findings", "denied", "unsure"):
        if draw(st.booleans()):
            data[key] = draw(st.lists(st.sampled_from(REPORTABLE), unique=True, max_size=5))
    return data


@settings(max_examples=300, deadline=None)
@given(_inputs(), st.sampled_from(REPORTABLE))
def test_being_unsure_never_lowers_urgency_and_always_matches_the_schema(data: dict[str, Any], code: str) -> None:
    before = _assess(data)
    more = dict(data, unsure=sorted({*data.get("unsure", []), code}))
    after = _assess(more)
    assert URGENCY_RANK[after.urgency] >= URGENCY_RANK[before.urgency]
    # Unsure is never weaker than a yes: the same urgency as listing the code as present.
    listed = dict(data, findings=sorted({*data.get("findings", []), *more["unsure"]}))
    listed.pop("unsure", None)
    assert after.urgency == _assess(listed).urgency
    body = json.loads(after.to_json())
    assert body == after.as_dict()
    ResultModel.model_validate(body)
