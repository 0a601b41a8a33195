"""One rule for when a program is offered: never while a doctor's visit is pending (`soon` and above); what
still applies then is the plan's own gentle movement, exactly where the plan has it."""

from __future__ import annotations

import pytest

from backspasm import Assessment, assess
from backspasm.codes import URGENCY_LEVELS
from backspasm.knowledge import load as load_knowledge
from backspasm.prevent.library import load
from backspasm.prevent.offer import program_withheld

# One assessment per urgency: nothing; severe pain (book a visit); a numb leg (today); bladder control (999 / 911).
EPISODES = {
    "self_care": {"hours_since_onset": 10, "pain": 3},
    "soon": {"hours_since_onset": 100, "pain": 8},
    "urgent": {"hours_since_onset": 100, "pain": 3, "findings": ["leg_numbness"]},
    "emergency": {"hours_since_onset": 100, "pain": 3, "findings": ["bladder_bowel_control_loss"]},
}


def test_the_threshold_is_a_doctors_visit_pending_with_its_source() -> None:
    s = load().settings
    assert s.withhold_from == "soon"
    assert s.withhold_source.ref in load_knowledge().sources


@pytest.mark.parametrize("urgency", [None, "self_care"])
def test_a_program_is_offered_when_no_doctor_is_needed(urgency: str | None) -> None:
    assert program_withheld(urgency) is None


@pytest.mark.parametrize("urgency", ["soon", "urgent", "emergency"])
def test_a_program_is_withheld_from_book_a_visit_upwards_saying_why(urgency: str) -> None:
    w = program_withheld(urgency)
    assert w is not None and w.code == "needs_doctor_first" and w.urgency == urgency
    assert w.text.startswith(load_knowledge().levels[urgency].headline)
    assert "doctor" in w.text and "come back for your program" in w.come_back
    assert w.source.ref == "article:when-to-consult"


@pytest.mark.parametrize("urgency", URGENCY_LEVELS)
def test_what_still_applies_is_the_plans_own_gentle_movement(urgency: str) -> None:
    result = assess(Assessment.model_validate(EPISODES[urgency]))
    assert result.urgency == urgency
    w = program_withheld(urgency)
    if w is None:
        return
    in_plan = {item.code: item for item in result.plan}
    assert [s.code for s in w.still_applies] == (["gentle_movement"] if "gentle_movement" in in_plan else [])
    for step in w.still_applies:
        assert step.text == in_plan[step.code].text and step.source.ref == in_plan[step.code].source["ref"]
    assert ("still applies" in w.text) == bool(w.still_applies)


def test_at_book_a_visit_the_person_keeps_moving_gently() -> None:
    w = program_withheld("soon")
    assert w is not None and [s.code for s in w.still_applies] == ["gentle_movement"]
    assert "After the visit" in w.come_back


def test_the_reason_is_worded_for_the_uk_too() -> None:
    w = program_withheld("soon", "en-GB")
    assert w is not None and "GP" in w.text and "physiotherapist" in w.come_back and "appointment" in w.come_back
    urgent = program_withheld("emergency", "en-GB")
    assert urgent is not None and "999" in urgent.text
