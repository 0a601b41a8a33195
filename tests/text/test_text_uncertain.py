"""When unsure, count it, and say so: an emergency site with a feeling the rules cannot settle."""

from __future__ import annotations

import json

import pytest

from backspasm import assess, parse_assessment
from backspasm.result import EvidenceSpan
from backspasm.text import read


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("peeing feels weird since yesterday", "bladder_bowel_control_loss"),
        ("wiping feels off lately", "saddle_numbness"),
        ("my groin feels odd", "saddle_numbness"),
        ("both legs feel funny", "bilateral_leg_symptoms"),
        ("my chest feels weird", "chest_pain"),
    ],
)
def test_an_unsettled_feeling_at_an_emergency_site_counts_and_is_marked(text: str, code: str) -> None:
    reading = read(text)
    assert code in reading.findings
    span = next(e for e in reading.evidence if e.code == code)
    assert span.uncertain


def test_a_settled_mention_is_not_marked_and_wins_over_an_unsure_one() -> None:
    reading = read("my groin is numb and feels odd")
    span = next(e for e in reading.evidence if e.code == "saddle_numbness")
    assert not span.uncertain


def test_a_denied_or_feared_unsure_mention_does_not_count() -> None:
    assert "saddle_numbness" not in read("no odd feeling in my groin").findings
    assert "bladder_bowel_control_loss" not in read("scared that peeing might feel weird").findings


def test_uncertain_is_serialised_only_when_true() -> None:
    assert "uncertain" not in EvidenceSpan("fever", 0, 5, "fever").as_dict()
    assert EvidenceSpan("chest_pain", 0, 5, "chest", True).as_dict()["uncertain"] is True


def test_the_result_carries_the_mark_for_clients_to_ask() -> None:
    a = parse_assessment({"hours_since_onset": 10, "pain": 4, "text": "peeing feels weird since yesterday"})
    result = assess(a)
    assert result.urgency == "emergency"
    out = json.loads(result.to_json()) if hasattr(result, "to_json") else result.as_dict()
    marked = [e for e in out["evidence"] if e.get("uncertain")]
    assert [e["code"] for e in marked] == ["bladder_bowel_control_loss"]
