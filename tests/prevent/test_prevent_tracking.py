"""Ticking sessions off and adherence, on the diary's store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from backspasm.prevent.program import Program
from backspasm.prevent.tracking import (
    Done,
    adherence,
    load_program,
    progress,
    recheck,
    record_done,
    save_program,
)

NOW = datetime(2026, 11, 25, 18, 0)


def test_adherence_counts_due_sessions_and_matches_each_done_once(build: Callable[..., Program]) -> None:
    p = build()  # starts today, 2026-11-25
    day1 = date(2026, 11, 25)
    planned_today = [s.code for s in p.sessions if s.day == day1]
    done = [Done("plank", day1), Done("plank", day1), Done("knee_to_chest", day1), Done("walking", date(2026, 11, 30))]
    a = adherence(p, done, today=day1)
    assert a.due == len(planned_today)
    assert a.done == 2  # the second plank is extra, walking is in the future
    assert a.extra == 2
    assert [(s.code, ok) for s, ok in a.today if ok] == [("knee_to_chest", True), ("plank", True)]
    assert a.percent == round(100 * 2 / len(planned_today))


def test_nothing_due_before_the_program_starts(build: Callable[..., Program]) -> None:
    p = build(urgency="self_care", hours_since_onset=1)
    a = adherence(p, [], today=date(2026, 11, 25))
    assert a.due == 0 and a.percent is None and "No sessions" in a.summary()


def test_a_week_fully_done_is_100_percent(build: Callable[..., Program]) -> None:
    p = build()
    week1 = [Done(s.code, s.day) for s in p.sessions if s.week == 1]
    a = adherence(p, week1, today=date(2026, 12, 1))
    assert a.due == a.done == len(week1) and a.percent == 100
    assert a.by_week == ((1, len(week1), len(week1)),)


@pytest.mark.parametrize("urgency,hours,status", [("urgent", 200, "not_now"), ("emergency", 5, "not_now")])
def test_a_new_red_flag_episode_replaces_the_saved_program(
    build: Callable[..., Program], urgency: str, hours: float, status: str
) -> None:
    assert recheck(build(), (urgency, hours)).status == status


def test_a_new_episode_in_its_rest_period_pushes_the_sessions_back(build: Callable[..., Program]) -> None:
    again = recheck(build(), ("self_care", 5), now=NOW)
    assert again.status == "ready" and all(s.hours_since_onset and s.hours_since_onset >= 48 for s in again.sessions)


def test_a_settled_episode_keeps_the_saved_program(build: Callable[..., Program]) -> None:
    p = build()
    assert recheck(p, ("self_care", 100)) is p
    assert recheck(p, None) is p


def test_the_program_and_ticks_live_in_the_diary(store: Any, build: Callable[..., Program]) -> None:
    user = store.local_user()
    today = datetime.now()
    p = build(now=today)
    save_program(store, user.id, p, today.astimezone(UTC))
    loaded = load_program(store, user.id)
    assert loaded is not None and loaded[0].as_dict() == p.as_dict()
    record_done(store, user.id, "plank", datetime.now(UTC))
    record_done(store, user.id, "knee_to_chest", datetime.now(UTC) - timedelta(days=3))  # before the program
    found = progress(store, user.id, today=today.date())
    assert found is not None
    _, a = found
    assert a.done == 1  # day 1 is a core day, so today's plank counts
    assert a.extra == 1
    kinds = {act.kind for act in store.list_activities(user.id)}
    assert kinds == {"exercise"}


def test_no_program_saved_means_no_progress(store: Any) -> None:
    assert progress(store, store.local_user().id) is None


def test_an_urgent_diary_episode_blocks_the_saved_program(store: Any, build: Callable[..., Program]) -> None:
    user = store.local_user()
    save_program(store, user.id, build(now=datetime.now()), datetime.now(UTC))
    store.start_episode(user.id, {"hours_since_onset": 60, "pain": 4, "findings": ["leg_numbness"]})
    found = progress(store, user.id)
    assert found is not None and found[0].status == "not_now" and found[1].due == 0
