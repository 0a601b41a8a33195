"""The Store API on SQLite and PostgreSQL: accounts, episodes, check-ins, re-assessment, documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backspasm import BadInput
from backspasm.diary.store import LOCAL_EMAIL, Limit, Store

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def _episode(store: Store, **answers: object) -> tuple[int, int]:
    user = store.create_user("ann@example.org", "hash")
    data = {"hours_since_onset": 2, "pain": 6, **answers}
    ep, _ = store.start_episode(user.id, data, started_at=START)
    return user.id, ep.id


def test_user_round_trip_and_unique_email(any_store: Store) -> None:
    u = any_store.create_user("Ann@Example.org", "h1")
    assert any_store.get_user(u.id) == u
    assert any_store.get_user_by_email("ann@example.org") == u
    with pytest.raises(BadInput) as e:
        any_store.create_user("ann@example.org", "h2")
    assert e.value.errors[0][0] == "email"


def test_local_user_is_created_once(any_store: Store) -> None:
    first = any_store.local_user()
    assert first.email == LOCAL_EMAIL
    assert any_store.local_user() == first


def test_delete_user_removes_all_their_data(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    any_store.add_checkin(uid, eid, 5, at=at(3))
    any_store.put_document(uid, "program", {"a": 1})
    assert any_store.delete_user(uid)
    assert any_store.get_user(uid) is None
    other = any_store.create_user("bob@example.org", "h")
    assert any_store.list_episodes(other.id) == []
    assert any_store.export_user(other.id)["episodes"] == []


def test_sign_in_limits_count_failures_and_start_again_after_a_quiet_spell(any_store: Store) -> None:
    limit = Limit(free=2, first_wait=timedelta(seconds=10), longest_wait=timedelta(minutes=1), quiet=timedelta(hours=1))
    keys = [("email:ann@example.org", limit)]
    assert any_store.claim_attempt(keys, now=at(0)).allowed
    assert any_store.claim_attempt(keys, now=at(0)).allowed
    assert any_store.limit_failures("email:ann@example.org") == 2
    refused = any_store.claim_attempt(keys, now=at(0))
    assert (refused.allowed, refused.retry_after) == (False, 10)
    assert any_store.limit_failures("email:ann@example.org") == 2  # a refused attempt is not counted
    assert any_store.claim_attempt(keys, now=at(2)).allowed  # an hour of quiet: counting starts again
    assert any_store.limit_failures("email:ann@example.org") == 1
    assert any_store.limit_failures("other") == 0


def test_episode_is_invisible_to_another_user(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    other = any_store.create_user("bob@example.org", "h")
    assert any_store.get_episode(uid, eid) is not None
    assert any_store.get_episode(other.id, eid) is None
    assert any_store.get_episode(uid, eid + 100) is None
    with pytest.raises(BadInput):
        any_store.add_checkin(other.id, eid, 3, at=at(4))


def test_not_improving_comes_from_the_stored_diary(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    assert any_store.add_checkin(uid, eid, 6, at=at(24)).result.urgency == "self_care"
    out = any_store.add_checkin(uid, eid, 6, at=at(80))
    assert "not_improving" in out.result.findings
    assert out.escalated and out.previous_urgency == "self_care" and out.result.urgency == "soon"
    escalations = any_store.list_activities(uid, kind="escalation")
    assert [a.code for a in escalations] == ["soon"]
    assert escalations[0].detail["reasons"][0]["code"] == "not_improving"


def test_worsening_is_derived_from_the_lowest_rating(any_store: Store) -> None:
    uid, eid = _episode(any_store, pain=3)
    out = any_store.add_checkin(uid, eid, 5, at=at(10))
    assert "worsening" in out.result.findings and out.escalated


def test_improving_pain_does_not_escalate(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    for h, p in [(12, 5), (40, 3), (80, 2)]:
        out = any_store.add_checkin(uid, eid, p, at=at(h))
        assert not out.escalated and out.result.urgency == "self_care"


def test_red_flag_at_check_in_escalates_to_emergency(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    out = any_store.add_checkin(uid, eid, 4, at=at(5), findings=["saddle_numbness"])
    assert out.escalated and out.result.urgency == "emergency"
    # a later check-in keeps the finding: it was reported during this episode
    assert any_store.add_checkin(uid, eid, 2, at=at(6)).result.urgency == "emergency"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pain": 11}, "pain"),
        ({"pain": -1}, "pain"),
        ({"pain": 5, "at": START - timedelta(hours=3)}, "at"),  # before the onset (START - 2 h)
        ({"pain": 5, "findings": ["tingly_legs"]}, "findings[0]"),
        ({"pain": 5, "findings": ["long_duration"]}, "findings[0]"),
        ({"pain": 5, "tried": {"ice_bath": True}}, "tried.ice_bath"),
        ({"pain": 5, "at": datetime(2026, 11, 21, 8)}, "at"),
        ({"pain": 5, "note": "x" * 3000}, "note"),
    ],
)
def test_bad_check_in_is_refused_and_nothing_is_written(store: Store, kwargs: dict[str, Any], field: str) -> None:
    uid, eid = _episode(store)
    with pytest.raises(BadInput) as e:
        store.add_checkin(uid, eid, **kwargs)
    assert e.value.errors[0][0] == field
    assert store.list_checkins(uid, eid) == []
    assert store.list_activities(uid, kind="escalation") == []


def test_check_in_on_missing_episode_names_the_episode(store: Store) -> None:
    uid, eid = _episode(store)
    with pytest.raises(BadInput) as e:
        store.add_checkin(uid, eid + 1, 5, at=at(3))
    assert e.value.errors[0] == ("episode_id", f"no episode {eid + 1}")


def test_closed_episode_refuses_check_ins(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    closed = any_store.close_episode(uid, eid, at=at(10))
    assert closed.closed_at == at(10)
    with pytest.raises(BadInput, match="closed"):
        any_store.add_checkin(uid, eid, 3, at=at(11))
    with pytest.raises(BadInput, match="already closed"):
        any_store.close_episode(uid, eid, at=at(12))


def test_start_episode_rejects_bad_assessment_without_writing(store: Store) -> None:
    user = store.create_user("ann@example.org", "h")
    with pytest.raises(BadInput) as e:
        store.start_episode(user.id, {"hours_since_onset": 2, "pain": 12}, started_at=START)
    assert e.value.errors[0][0] == "pain"
    assert store.list_episodes(user.id) == []


def test_status_after_48_hours_says_switch_to_heat(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    any_store.add_checkin(uid, eid, 5, at=at(20))
    status = any_store.status(uid, eid, now=at(50))
    texts = [c.text for c in status.changes]
    assert any(t.startswith("48 hours have passed: switch from cold to heat and start moving more") for t in texts)
    assert "heat_therapy" in status.result.codes("plan")
    assert status.sparkline == "▅▅"


def test_status_lists_the_next_steps_in_time_order(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    any_store.add_checkin(uid, eid, 5, at=at(4))
    status = any_store.status(uid, eid, now=at(6))
    codes = [r.code for r in status.next_due]
    assert codes[:3] == ["next_checkin", "end_rest", "heat_switch"]
    assert status.next_due[0].at == at(4) + timedelta(hours=12)
    assert status.next_due[1].at == status.episode.onset_at + timedelta(hours=48)
    assert [r.at for r in status.next_due] == sorted(r.at for r in status.next_due)


def test_documents_are_upserted_per_user_and_key(any_store: Store) -> None:
    a = any_store.create_user("a@example.org", "h")
    b = any_store.create_user("b@example.org", "h")
    any_store.put_document(a.id, "program", {"week": 1})
    any_store.put_document(a.id, "program", {"week": 2})
    any_store.put_document(b.id, "program", [1, 2])
    assert any_store.get_document(a.id, "program") == {"week": 2}
    assert any_store.get_document(b.id, "program") == [1, 2]
    assert any_store.get_document(a.id, "missing") is None
    assert any_store.list_documents(a.id) == {"program": {"week": 2}}
    with pytest.raises(BadInput):
        any_store.put_document(a.id, "x", {"bad": {1, 2}})


def test_activity_log_filters_by_kind_and_time(any_store: Store) -> None:
    u = any_store.create_user("a@example.org", "h")
    any_store.log_activity(u.id, "session_done", code="core", detail={"reps": 10}, at=at(1))
    any_store.log_activity(u.id, "session_done", code="walk", at=at(5))
    any_store.log_activity(u.id, "other", at=at(6))
    assert [a.code for a in any_store.list_activities(u.id, kind="session_done")] == ["core", "walk"]
    assert [a.code for a in any_store.list_activities(u.id, kind="session_done", since=at(2))] == ["walk"]
    assert any_store.list_activities(u.id)[0].detail == {"reps": 10}


def test_status_refuses_a_moment_before_the_latest_check_in(store: Store) -> None:
    uid, eid = _episode(store)
    store.add_checkin(uid, eid, 5, at=at(10))
    with pytest.raises(BadInput) as e:
        store.status(uid, eid, now=at(9))
    assert e.value.errors[0][0] == "now"


def test_closed_episode_status_is_as_of_closing_with_nothing_due(any_store: Store) -> None:
    uid, eid = _episode(any_store)
    any_store.add_checkin(uid, eid, 3, at=at(20))
    any_store.close_episode(uid, eid, at=at(30))
    st = any_store.status(uid, eid, now=at(500))
    assert st.now == at(30) and st.next_due == ()
