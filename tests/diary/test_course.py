"""Findings over time: present or gone per check-in, emergency findings held until a visit, trends from earlier ratings."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from backspasm import BadInput
from backspasm.diary import replay
from backspasm.diary.models import episodes
from backspasm.diary.store import SEEN_ADVICE, Store

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def _episode(store: Store, **answers: object) -> tuple[int, int]:
    user = store.create_user("ann@example.org", "hash")
    ep, _ = store.start_episode(user.id, {"hours_since_onset": 2, "pain": 6, **answers}, started_at=START)
    return user.id, ep.id


def test_an_urgent_finding_reported_gone_stops_counting_from_that_check_in(any_store: Store) -> None:
    uid, eid = _episode(any_store, findings=["leg_tingling"])
    assert any_store.add_checkin(uid, eid, 5, at=at(5)).result.urgency == "urgent"
    out = any_store.add_checkin(uid, eid, 4, at=at(10), gone=["leg_tingling"])
    assert out.result.urgency == "self_care" and "leg_tingling" not in out.result.findings
    assert out.checkin.gone == ("leg_tingling",)
    rows = any_store.list_checkins(uid, eid)
    assert [r.urgency for r in rows] == ["urgent", "self_care"]  # each row as it was then
    st_ = any_store.status(uid, eid, now=at(11))
    assert st_.result.urgency == "self_care" and st_.gone == ("leg_tingling",)
    assert "leg_tingling" in st_.result.as_dict()["watch_for"][0]["code"] or any(
        w.code == "leg_tingling" for w in st_.result.watch_for
    )


def test_a_sign_the_person_was_not_sure_of_counts_for_the_whole_episode(any_store: Store) -> None:
    uid, eid = _episode(any_store, unsure=["fever"])
    assert any_store.status(uid, eid, now=at(3)).result.urgency == "urgent"
    later = any_store.add_checkin(uid, eid, 5, at=at(5)).result
    assert later.urgency == "urgent" and [(n.code, n.kind) for n in later.notes] == [("fever", "unsure")]
    out = any_store.add_checkin(uid, eid, 4, at=at(10), gone=["fever"])  # it can be reported gone like any sign
    assert out.result.urgency == "self_care" and out.result.notes == ()
    back = any_store.add_checkin(uid, eid, 4, at=at(12), findings=["fever"]).result
    assert back.urgency == "urgent" and back.notes == ()  # reported present again: no longer a doubt


def test_a_finding_that_comes_back_counts_again(any_store: Store) -> None:
    uid, eid = _episode(any_store, findings=["fever"])
    any_store.add_checkin(uid, eid, 4, at=at(10), gone=["fever"])
    assert any_store.add_checkin(uid, eid, 4, at=at(20), findings=["fever"]).result.urgency == "urgent"


def test_an_emergency_finding_holds_until_a_clinician_visit_is_recorded(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    assert any_store.add_checkin(uid, eid, 5, at=at(5), findings=["saddle_numbness"]).result.urgency == "emergency"
    held = any_store.add_checkin(uid, eid, 4, at=at(6), gone=["saddle_numbness"])
    assert held.result.urgency == "emergency" and held.held == ("saddle_numbness",)
    assert any_store.status(uid, eid, now=at(7)).held == ("saddle_numbness",)
    seen = any_store.record_seen(uid, eid, at=at(9), note="A&E: MRI clear, see GP if it returns")
    assert seen.released == ("saddle_numbness",)
    assert seen.result.urgency == "self_care"
    st_ = any_store.status(uid, eid, now=at(10))
    assert st_.result.urgency == "self_care" and st_.advice == SEEN_ADVICE
    assert [v.note for v in st_.visits] == ["A&E: MRI clear, see GP if it returns"]
    assert st_.next_due  # the diary keeps tracking pain
    assert any_store.add_checkin(uid, eid, 3, at=at(12)).result.urgency == "self_care"
    # a new emergency after the visit counts again
    assert any_store.add_checkin(uid, eid, 3, at=at(13), findings=["saddle_numbness"]).result.urgency == "emergency"


def test_a_visit_does_not_release_an_urgent_finding(any_store: Store) -> None:
    uid, eid = _episode(any_store, findings=["leg_weakness"])
    any_store.add_checkin(uid, eid, 5, at=at(5), findings=["chest_pain"])
    assert any_store.record_seen(uid, eid, at=at(8)).result.urgency == "urgent"


def test_an_emergency_status_has_no_routine_next_step(store: Store) -> None:
    uid, eid = _episode(store)
    store.add_checkin(uid, eid, 5, at=at(5), findings=["chest_pain"])
    st_ = store.status(uid, eid, now=at(6))
    assert st_.result.urgency == "emergency" and st_.next_due == ()


@pytest.mark.parametrize(
    ("kwargs", "loc", "words"),
    [
        ({"gone": ["fever"]}, "gone[0]", "not recorded as present"),
        ({"findings": ["leg_tingling"], "gone": ["leg_tingling"]}, "gone[0]", "also reported as present"),
        ({"gone": ["tingles"]}, "gone[0]", "unknown finding code"),
        ({"gone": ["long_duration"]}, "gone[0]", "derived from the clock"),
        ({"zone": "Mars/Olympus"}, "zone", "unknown time zone"),
    ],
)
def test_a_bad_gone_or_zone_is_refused_and_nothing_is_written(store: Store, kwargs: dict[str, object], loc: str,
                                                              words: str) -> None:
    uid, eid = _episode(store, findings=["leg_tingling"])
    with pytest.raises(BadInput) as e:
        store.add_checkin(uid, eid, 4, at=at(5), **kwargs)  # type: ignore[arg-type]
    assert e.value.errors[0][0] == loc and words in e.value.errors[0][1]
    assert store.list_checkins(uid, eid) == []


def test_the_first_rating_never_compares_with_itself(any_store: Store) -> None:
    user = any_store.create_user("late@example.org", "h")
    ep, result = any_store.start_episode(user.id, {"hours_since_onset": 80, "pain": 6}, started_at=START)
    assert result.urgency == "self_care"
    st_ = any_store.status(user.id, ep.id, now=at(30))
    assert "not_improving" not in st_.result.findings and st_.result.urgency == "self_care"
    assert not any(c.code == "urgency_raised" for c in st_.changes)
    later = any_store.add_checkin(user.id, ep.id, 6, at=at(10))  # compares with the first rating only
    assert "not_improving" in later.result.findings


def test_check_ins_may_be_dated_between_the_onset_and_the_recording(any_store: Store) -> None:
    user = any_store.create_user("b@example.org", "h")
    ep, _ = any_store.start_episode(user.id, {"hours_since_onset": 48, "pain": 3}, started_at=START)
    early = any_store.add_checkin(user.id, ep.id, 7, at=START - timedelta(hours=40))  # the day before it was recorded
    assert early.result.urgency == "soon"  # severe pain then
    rows = any_store.list_checkins(user.id, ep.id)
    assert rows[0].at == START - timedelta(hours=40) and rows[0].hours_since_onset == pytest.approx(8)
    with pytest.raises(BadInput, match="before the spasm began"):
        any_store.add_checkin(user.id, ep.id, 5, at=START - timedelta(hours=49))


def test_a_back_dated_check_in_gives_later_rows_the_urgency_they_now_had(store: Store) -> None:
    uid, eid = _episode(store, pain=3)
    store.add_checkin(uid, eid, 3, at=at(20))
    store.add_checkin(uid, eid, 4, at=at(30))
    store.add_checkin(uid, eid, 2, at=at(10), findings=["fever"])  # remembered later
    rows = store.list_checkins(uid, eid)
    assert [r.at for r in rows] == [at(10), at(20), at(30)]
    assert [r.urgency for r in rows] == ["urgent", "urgent", "urgent"]
    assert store.status(uid, eid, now=at(31)).result.urgency == "urgent"


def test_every_stored_time_keeps_the_zone_it_was_entered_in(store: Store) -> None:
    user = store.create_user("z@example.org", "h")
    ep, _ = store.start_episode(user.id, {"hours_since_onset": 2, "pain": 5}, started_at=START, zone="America/New_York")
    assert ep.zone == "America/New_York"
    a = store.add_checkin(user.id, ep.id, 4, at=at(1), zone="Europe/Berlin")
    b = store.add_checkin(user.id, ep.id, 4, at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC).astimezone(
        __import__("datetime").timezone(timedelta(hours=1))))
    assert (a.checkin.zone, b.checkin.zone) == ("Europe/Berlin", "UTC+01:00")
    assert [c.zone for c in store.list_checkins(user.id, ep.id)] == ["Europe/Berlin", "UTC+01:00"]


def _statements(store: Store, run: object) -> int:
    count = 0

    def on_execute(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(store.engine, "before_cursor_execute", on_execute)
    try:
        run()  # type: ignore[operator]
    finally:
        event.remove(store.engine, "before_cursor_execute", on_execute)
    return count


def test_a_check_in_costs_the_same_number_of_statements_however_long_the_diary(store: Store) -> None:
    uid, eid = _episode(store)
    costs = []
    for i in range(60):
        costs.append(_statements(store, lambda i=i: store.add_checkin(uid, eid, 3, at=at(3 + i), tried={"heat": True})))
    assert len(set(costs[5:])) == 1, costs


entries = st.lists(
    st.tuples(
        st.integers(0, 10),
        st.sets(st.sampled_from(["leg_tingling", "fever", "saddle_numbness", "radiating_leg_pain"]), max_size=2),
        st.sets(st.sampled_from(["leg_tingling", "fever", "saddle_numbness", "radiating_leg_pain"]), max_size=2),
        st.booleans(),
    ),
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=entries)
def test_the_stored_course_equals_a_replay_from_the_start(store: Store, steps: list) -> None:  # type: ignore[type-arg]
    user = store.create_user(f"p{uuid.uuid4().hex[:8]}@example.org", "h")
    ep, _ = store.start_episode(user.id, {"hours_since_onset": 1, "pain": 5, "findings": ["fever"]}, started_at=START)
    for i, (pain, found, gone, visit) in enumerate(steps):
        when = at(2 + 10 * i)
        if visit:
            store.record_seen(user.id, ep.id, at=when)
            continue
        with contextlib.suppress(BadInput):  # a code reported gone that was not present: refused, nothing written
            store.add_checkin(user.id, ep.id, pain, at=when, findings=sorted(found), gone=sorted(gone - found))
    with store.db.read() as c:
        row = c.execute(select(episodes).where(episodes.c.id == ep.id)).one()
        stored = replay.load(c, row)
        fresh = replay.load(c, SimpleNamespace(**{**row._mapping, "course": None}))
    assert stored == fresh


def test_a_finding_answered_not_sure_keeps_counting_and_keeps_its_note(any_store: Store) -> None:
    uid, eid = _episode(any_store, unsure=["fever"])
    out = any_store.add_checkin(uid, eid, 4, at=at(10))
    assert out.result.urgency == "urgent" and "fever" in out.result.findings
    assert [(n.code, n.kind) for n in out.result.notes] == [("fever", "unsure")]
    later = any_store.add_checkin(uid, eid, 3, at=at(20), gone=["fever"])  # the person is now sure it has gone
    assert later.result.urgency == "self_care" and later.result.notes == ()
