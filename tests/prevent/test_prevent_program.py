"""The 6-week program: safety rules first, then a progression that only ever grows."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backspasm import BadInput
from backspasm.prevent.library import load
from backspasm.prevent.program import (
    Program,
    activity_week_minutes,
    build_program,
    parse_request,
    parse_request_json,
    split_minutes,
    weekly_minutes,
)

NOW = datetime(2026, 11, 25, 18, 0)  # as in conftest.py

Build = Callable[..., Program]


# ---- safety ----


@pytest.mark.parametrize("urgency", ["soon", "urgent", "emergency"])
@pytest.mark.parametrize("hours", [None, 0, 47.9, 48, 500])
def test_no_session_at_all_while_the_episode_needs_a_doctor(build: Build, urgency: str, hours: float | None) -> None:
    fields: dict[str, Any] = {"urgency": urgency}
    if hours is not None:
        fields["hours_since_onset"] = hours
    p = build(**fields)
    assert p.status == "not_now"
    assert p.sessions == () and p.weeks == ()
    assert p.notes[0].code == "needs_doctor_first"
    assert p.notes[0].source.ref == "article:when-to-consult"
    assert "doctor" in p.notes[0].text


@pytest.mark.parametrize(
    "hours,first_day",
    [
        (0, date(2026, 11, 28)),  # onset 18:00 today: hour 48 is Fri 18:00, so Sat 08:00
        (20, date(2026, 11, 27)),  # onset Tue 22:00: hour 48 is Thu 22:00, so Fri 08:00
        (33.9, date(2026, 11, 27)),  # hour 48 is Thu 08:06: Thu 08:00 would be hour 47.9
        (34, date(2026, 11, 26)),  # hour 48 is exactly Thu 08:00
        (47.99, date(2026, 11, 26)),
        (48, date(2026, 11, 26)),  # today 08:00 was hour 38: tomorrow
        (200, date(2026, 11, 25)),
    ],
)
def test_the_program_starts_only_after_48_hours_of_rest(build: Build, hours: float, first_day: date) -> None:
    p = build(urgency="self_care", hours_since_onset=hours)
    assert p.status == "ready"
    assert p.start == first_day
    assert min(s.day for s in p.sessions) == first_day
    assert all(s.hours_since_onset is not None and s.hours_since_onset >= 48 for s in p.sessions)


@pytest.mark.parametrize("hours", [0, 12, 47])
def test_the_program_says_why_it_waits(build: Build, hours: float) -> None:
    p = build(urgency="self_care", hours_since_onset=hours)
    note = next(n for n in p.notes if n.code == "rest_first")
    assert "48 hours" in note.text and note.source.ref == "article:immediate-self-care"


def test_without_a_current_episode_it_starts_today_and_says_to_check_first(build: Build) -> None:
    p = build()
    assert p.start == NOW.date()
    assert any(n.code == "no_current_episode" and "backspasm assess" in n.text for n in p.notes)


def test_an_assessment_with_a_red_flag_blocks_the_program(build: Build) -> None:
    p = build(assessment={"hours_since_onset": 100, "pain": 3, "findings": ["leg_tingling"]})
    assert p.status == "not_now" and p.urgency == "urgent"


def test_an_assessment_read_from_words_counts_like_listed_findings(build: Build) -> None:
    p = build(assessment={"hours_since_onset": 100, "pain": 3, "findings": ["bladder_bowel_control_loss"]})
    assert p.status == "not_now" and p.urgency == "emergency"


def test_a_self_care_assessment_gives_a_program_after_the_rest(build: Build) -> None:
    p = build(assessment={"hours_since_onset": 10, "pain": 3})
    assert p.status == "ready" and p.urgency == "self_care" and p.hours_since_onset == 10
    assert all(s.hours_since_onset is not None and s.hours_since_onset >= 48 for s in p.sessions)


# ---- progression ----


@pytest.mark.parametrize(
    "level,minutes",
    [
        ("inactive", [30, 55, 80, 105, 130, 150]),
        ("some", [60, 85, 110, 135, 150, 150]),
        ("active", [100, 125, 150, 150, 150, 150]),
        ("very_active", [150] * 6),
    ],
)
def test_activity_builds_towards_150_minutes_a_week(build: Build, level: str, minutes: list[int]) -> None:
    p = build(activity_level=level)
    assert [w.activity_minutes for w in p.weeks] == minutes
    assert activity_week_minutes(p) == minutes


def test_core_work_is_three_days_a_week(build: Build) -> None:
    p = build()
    for w in p.weeks:
        core_days = {s.day for s in p.sessions if s.week == w.number and s.kind == "core"}
        assert len(core_days) == 3
        assert {s.code for s in p.sessions if s.week == w.number and s.kind == "core"} == {
            "plank",
            "bird_dog",
            "gentle_crunch",
        }


def test_stretches_are_every_day(build: Build) -> None:
    p = build()
    days = Counter(s.day for s in p.sessions if s.kind == "stretch")
    assert len(days) == 42 and set(days.values()) == {2}


def test_core_doses_grow_week_by_week_to_the_week_6_dose(build: Build) -> None:
    p = build()
    lib = load().exercises
    for code in ("plank", "bird_dog", "gentle_crunch"):
        doses = [w.core[code] for w in p.weeks]
        for a, b in itertools.pairwise(doses):
            for field in ("sets", "reps", "hold_seconds"):
                assert (getattr(b, field) or 0) >= (getattr(a, field) or 0)
        assert doses[0] == lib[code].dose
        assert doses[-1] == lib[code].dose_week6
        assert doses[-1] != doses[0]


def test_plank_holds_grow_from_15_to_45_seconds(build: Build) -> None:
    assert [w.core["plank"].hold_seconds for w in build().weeks] == [15, 20, 25, 35, 40, 45]


def test_activities_take_turns_among_those_available(build: Build) -> None:
    p = build(activities=["swimming", "cycling"])
    used = [s.code for s in p.sessions if s.kind == "low_impact"]
    assert set(used) == {"swimming", "cycling"}
    assert used[:4] == ["swimming", "cycling", "swimming", "cycling"]


@pytest.mark.parametrize(
    "limit,dropped",
    [
        ("wrist_or_shoulder_pain", {"plank", "bird_dog"}),
        ("knee_pain", {"bird_dog"}),
        ("neck_pain", {"gentle_crunch"}),
    ],
)
def test_limits_leave_exercises_out_and_say_why(build: Build, limit: str, dropped: set[str]) -> None:
    p = build(limits=[limit])
    assert {n.code for n in p.left_out} == dropped
    assert not dropped & {s.code for s in p.sessions}
    assert all(n.source.ref == "guideline:nice-ng59" for n in p.left_out)


@pytest.mark.parametrize(
    "sitting,lifting,tips",
    [
        (2, False, {"posture"}),
        (6, False, {"posture", "sitting_breaks"}),
        (2, True, {"posture", "lifting_technique"}),
        (10, True, {"posture", "sitting_breaks", "lifting_technique"}),
    ],
)
def test_tips_follow_the_answers(build: Build, sitting: float, lifting: bool, tips: set[str]) -> None:
    assert {t.code for t in build(sitting_hours=sitting, lifting_at_work=lifting).tips} == tips


def test_a_start_date_is_kept_when_safe(build: Build) -> None:
    p = build(start="2026-12-01")
    assert p.start == date(2026, 12, 1) and len(p.weeks) == 6
    assert max(s.day for s in p.sessions) == date(2026, 12, 1) + timedelta(days=41)


def test_the_json_round_trips_through_the_request(build: Build) -> None:
    p = build(activities=["cycling"], limits=["knee_pain"], urgency="soon", hours_since_onset=60)
    again = build_program(parse_request(p.request), now=NOW)
    assert again.as_dict() == p.as_dict()


# ---- bad input ----


@pytest.mark.parametrize(
    "fields,loc,words",
    [
        ({"sitting_hours": 25}, "sitting_hours", "out of range"),
        ({"activity_level": "lazy"}, "activity_level", ""),
        ({"activities": ["rowing"]}, "activities[0]", ""),
        ({"activities": []}, "activities", ""),
        ({"activities": ["walking", "walking"]}, "", "at most once"),
        ({"limits": ["bad_back"]}, "limits[0]", ""),
        ({"urgency": "self_care"}, "", "hours_since_onset is needed"),
        ({"hours_since_onset": 10}, "", "urgency is needed"),
        ({"hours_since_onset": -1, "urgency": "soon"}, "hours_since_onset", "out of range"),
        ({"urgency": "later"}, "urgency", ""),
        ({"sitting_hour": 3}, "sitting_hour", "unknown field"),
        ({"assessment": {"hours_since_onset": 1, "pain": 11}}, "assessment.pain", "out of range"),
        ({"assessment": {"hours_since_onset": 1, "pain": 1}, "urgency": "soon", "hours_since_onset": 3}, "", "either"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(build: Build, fields: dict[str, Any], loc: str, words: str) -> None:
    with pytest.raises(BadInput) as info:
        build(**fields)
    locs = [e[0] for e in info.value.errors]
    assert loc in locs or any(loc and x.startswith(loc) for x in locs), info.value.errors
    assert words in str(info.value)


@pytest.mark.parametrize("raw", ["not json", "[1]", '"x"'])
def test_request_json_that_is_not_an_object_is_refused(raw: str) -> None:
    with pytest.raises(BadInput):
        parse_request_json(raw)


def test_a_missing_required_answer_is_named() -> None:
    with pytest.raises(BadInput) as info:
        parse_request({"sitting_hours": 3, "lifting_at_work": True})
    assert ("activity_level", "required field is missing") in info.value.errors


# ---- invariants ----

requests = st.fixed_dictionaries(
    {
        "sitting_hours": st.floats(0, 24),
        "lifting_at_work": st.booleans(),
        "activity_level": st.sampled_from(["inactive", "some", "active", "very_active"]),
        "activities": st.lists(st.sampled_from(["walking", "swimming", "cycling"]), min_size=1, max_size=3, unique=True),
        "limits": st.lists(st.sampled_from(["wrist_or_shoulder_pain", "knee_pain", "neck_pain"]), max_size=3, unique=True),
    },
    optional={
        "start": st.dates(date(2026, 11, 20), date(2027, 2, 1)).map(date.isoformat),
        "session_time": st.times().map(lambda t: t.replace(microsecond=0).isoformat()),
    },
)
episodes = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["self_care", "soon", "urgent", "emergency"]), st.floats(0, 8760)),
)
moments = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31))


@settings(max_examples=150, deadline=None)
@given(req=requests, episode=episodes, now=moments)
def test_never_a_session_before_hour_48_or_while_a_doctor_is_pending(req: dict[str, Any], episode: Any, now: datetime) -> None:
    if episode is not None:
        req = {**req, "urgency": episode[0], "hours_since_onset": episode[1]}
    p = build_program(parse_request(req), now=now)
    if episode is not None and episode[0] in ("soon", "urgent", "emergency"):
        assert p.status == "not_now" and not p.sessions and not p.weeks and p.withheld is not None
        return
    assert p.status == "ready" and p.sessions
    if episode is not None:
        onset = now - timedelta(hours=episode[1])
        assert all(s.at >= onset + timedelta(hours=48) for s in p.sessions)
        assert all(s.hours_since_onset is not None and s.hours_since_onset >= 48 - 0.05 for s in p.sessions)


@settings(max_examples=150, deadline=None)
@given(req=requests, now=moments)
def test_weekly_minutes_never_fall_and_never_pass_the_target(req: dict[str, Any], now: datetime) -> None:
    p = build_program(parse_request(req), now=now)
    target = load().settings.target_minutes
    minutes = activity_week_minutes(p)
    assert minutes == [w.activity_minutes for w in p.weeks]
    assert all(a <= b for a, b in itertools.pairwise(minutes))
    assert all(0 < m <= target for m in minutes)
    assert minutes[-1] == target or minutes[-1] - minutes[0] == 25 * 5


@given(total=st.integers(1, 60).map(lambda u: u * 5), n=st.integers(1, 5))
def test_split_minutes_adds_up(total: int, n: int) -> None:
    parts = split_minutes(total, n, 5)
    assert sum(parts) == total and len(parts) == n and max(parts) - min(parts) <= 5


@pytest.mark.parametrize("level", ["inactive", "some", "active", "very_active"])
def test_weekly_minutes_reach_the_target_by_week_6(level: str) -> None:
    assert weekly_minutes(level, 6) == 150


def test_a_session_time_with_a_time_zone_is_refused() -> None:
    with pytest.raises(BadInput) as info:
        parse_request({"sitting_hours": 3, "lifting_at_work": True, "activity_level": "some", "session_time": "08:00+01:00"})
    assert any("session_time" in msg for _, msg in info.value.errors)
