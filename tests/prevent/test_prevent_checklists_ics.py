"""Checklists end with what to change; the calendar export holds the program's days and nothing earlier."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from backspasm import BadInput
from backspasm.prevent.checklists import evaluate, evaluate_json, get_checklist
from backspasm.prevent.ics import program_to_ics
from backspasm.prevent.program import Program

WORKSPACE = [i.code for i in get_checklist("workspace").items]
LIFTING = [i.code for i in get_checklist("lifting").items]


def test_the_workspace_checklist_covers_the_ergonomic_points() -> None:
    assert {
        "chair_height",
        "feet_flat",
        "lumbar_support",
        "desk_keyboard_height",
        "monitor_eye_level",
        "monitor_distance",
        "sitting_breaks",
    } <= set(WORKSPACE)


def test_the_lifting_guide_covers_safe_lifting() -> None:
    assert {"bend_knees_hips", "straight_back", "load_close", "lift_with_legs", "no_twisting"} <= set(LIFTING)


@pytest.mark.parametrize("name,codes", [("workspace", WORKSPACE), ("lifting", LIFTING)])
def test_all_yes_means_nothing_to_change(name: str, codes: list[str]) -> None:
    r = evaluate(name, dict.fromkeys(codes, True))
    assert r.to_change == [] and r.score == len(codes)
    assert "All" in r.summary()


@pytest.mark.parametrize("name,codes", [("workspace", WORKSPACE), ("lifting", LIFTING)])
def test_each_no_becomes_a_cited_fix(name: str, codes: list[str]) -> None:
    for code in codes:
        r = evaluate(name, {c: c != code for c in codes})
        assert [i.code for i in r.to_change] == [code]
        d = r.as_dict()
        assert d["to_change"][0]["source"]["ref"].startswith("article:")
        assert d["score"] == len(codes) - 1


@pytest.mark.parametrize(
    "answers,loc",
    [
        ({}, "chair_height"),
        ({**dict.fromkeys(WORKSPACE, True), "chair": True}, "chair"),
        ({**dict.fromkeys(WORKSPACE, True), "feet_flat": "yes"}, "feet_flat"),
        ([], ""),
    ],
)
def test_incomplete_or_unknown_answers_are_refused_naming_the_item(answers: object, loc: str) -> None:
    with pytest.raises(BadInput) as info:
        evaluate("workspace", answers)
    assert loc in [e[0] for e in info.value.errors]


def test_an_unknown_checklist_is_refused() -> None:
    with pytest.raises(BadInput, match="workspace, lifting"):
        get_checklist("garden")


def test_checklist_json_that_is_not_json_is_refused() -> None:
    with pytest.raises(BadInput, match="not valid JSON"):
        evaluate_json("lifting", "{")


def test_the_calendar_has_one_event_per_program_day(build: Callable[..., Program]) -> None:
    p = build(urgency="self_care", hours_since_onset=10, activities=["walking", "swimming"])
    cal = Calendar.from_ical(program_to_ics(p, stamp=datetime(2026, 11, 25, tzinfo=UTC)))
    events = cal.walk("VEVENT")
    assert len(events) == len(p.days()) == 42
    onset = datetime(2026, 11, 25, 18, 0) - timedelta(hours=10)
    assert min(e.decoded("dtstart") for e in events) >= onset + timedelta(hours=48)
    assert len({str(e["uid"]) for e in events}) == 42
    first = events[0]
    assert "Knee-to-chest stretch" in str(first["description"])
    assert "doctor" in str(first["description"])


def test_the_calendar_is_stable_for_the_same_program(build: Callable[..., Program]) -> None:
    stamp = datetime(2026, 11, 25, tzinfo=UTC)
    assert program_to_ics(build(), stamp) == program_to_ics(build(), stamp)


def test_a_blocked_program_has_an_empty_calendar(build: Callable[..., Program]) -> None:
    cal = Calendar.from_ical(program_to_ics(build(urgency="emergency")))
    assert cal.walk("VEVENT") == []
