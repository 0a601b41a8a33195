"""Export and import: a person's data leaves and comes back exactly; a bad file changes nothing."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backspasm import BadInput
from backspasm.diary.store import Store

START = datetime(2026, 11, 10, 7, 30, 15, 123456, tzinfo=UTC)


def _fill(store: Store) -> int:
    uid = store.local_user().id
    ep1, _ = store.start_episode(
        uid,
        {"hours_since_onset": 5.5, "pain": 7, "age": 64, "denied": ["fever"], "conditions": ["kidney_disease"]},
        started_at=START,
    )
    store.add_checkin(uid, ep1.id, 6, at=START + timedelta(hours=3), tried={"cold": True, "nsaid": None}, note="ok ✓")
    store.add_checkin(uid, ep1.id, 8, at=START + timedelta(hours=30, seconds=1), findings=["leg_tingling"])
    store.close_episode(uid, ep1.id, at=START + timedelta(days=3))
    ep2, _ = store.start_episode(uid, {"hours_since_onset": 1, "pain": 3}, started_at=START + timedelta(days=5))
    store.add_checkin(uid, ep2.id, 2, at=START + timedelta(days=5, hours=2), tried=["heat", "stretches"])
    store.put_document(uid, "prevention/program", {"weeks": [1, 2], "name": "core"})
    store.log_activity(uid, "session_done", code="bird_dog", detail={"reps": 8}, at=START + timedelta(days=6))
    return uid


def _without_ids(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    order = {ep["id"]: i for i, ep in enumerate(out["episodes"])}
    for ep in out["episodes"]:
        del ep["id"]
    for a in out["activities"]:
        a["episode_id"] = order.get(a["episode_id"])
        a["detail"].pop("checkin_id", None)
    return out


def test_export_import_round_trip_is_exact(any_store: Store, store_factory: Any) -> None:
    uid = _fill(any_store)
    exported = json.loads(json.dumps(any_store.export_user(uid)))
    target: Store = store_factory("sqlite")
    tid = target.local_user().id
    added = target.import_user(tid, exported)
    assert added["episodes"] == 2 and added["checkins"] == 3
    again = target.export_user(tid)
    assert _without_ids(again) == _without_ids(exported)
    # the imported diary behaves the same
    ep = target.list_episodes(tid)[-1]
    assert [c.pain for c in target.list_checkins(tid, ep.id)] == [6, 8]
    assert target.list_checkins(tid, ep.id)[0].at == START + timedelta(hours=3)


def test_importing_twice_adds_nothing_the_second_time(any_store: Store) -> None:
    uid = _fill(any_store)
    exported = any_store.export_user(uid)
    other = any_store.create_user("bob@example.org", "h")
    any_store.import_user(other.id, exported)
    second = any_store.import_user(other.id, exported)
    assert second["episodes"] == 0 and second["skipped_episodes"] == 2
    assert len(any_store.list_episodes(other.id)) == 2


@pytest.mark.parametrize(
    ("mutate", "loc"),
    [
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d["episodes"][1]["checkins"][0].update(pain=11), "episodes.1.checkins.0.pain"),
        (lambda d: d["episodes"][1]["checkins"][0].update(tried={"ice": True}), "episodes.1.checkins.0.tried.ice"),
        (lambda d: d["episodes"][0].update(urgency="panic"), "episodes.0.urgency"),
        (lambda d: d["episodes"][0]["assessment"].update(pain=20), "episodes.0"),
    ],
)
def test_bad_import_is_refused_whole(store: Store, mutate: Any, loc: str) -> None:
    uid = _fill(store)
    data = store.export_user(uid)
    other = store.create_user("bob@example.org", "h")
    mutate(data)
    with pytest.raises(BadInput) as e:
        store.import_user(other.id, data)
    assert e.value.errors[0][0].startswith(loc)
    assert store.list_episodes(other.id) == []
    assert store.list_documents(other.id) == {}
