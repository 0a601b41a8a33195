"""Item 8: an import is checked whole through the live checks, its urgencies re-derived, and it is idempotent.

Each file is a real export, then tampered with as an attacker (or a bad editor) would.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backspasm import BadInput
from backspasm.diary.store import Store
from dbsupport import BACKENDS

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _export(store: Store) -> dict[str, Any]:
    """One user's diary: an episode with two check-ins, closed, and a prevention tick of its own."""
    user = store.create_user("source@example.org", "hash")
    ep, _ = store.start_episode(user.id, {"hours_since_onset": 2, "pain": 6}, started_at=START)
    store.add_checkin(user.id, ep.id, 5, at=START + timedelta(hours=3), note="walked a little")
    store.add_checkin(user.id, ep.id, 4, at=START + timedelta(hours=20), tried={"cold": True})
    store.close_episode(user.id, ep.id, at=START + timedelta(days=2))
    store.log_activity(user.id, "low_impact", code="walking", detail={"minutes": 20}, at=START + timedelta(days=3))
    return store.export_user(user.id)


@pytest.fixture
def target(any_store: Store) -> tuple[Store, int]:
    return any_store, any_store.create_user("target@example.org", "hash").id


def _refused(store: Store, uid: int, data: dict[str, Any], where: str) -> None:
    before = store.export_user(uid)
    with pytest.raises(BadInput) as e:
        store.import_user(uid, data)
    assert any(where in loc for loc, _ in e.value.errors), e.value.errors
    assert store.export_user(uid) == before  # a bad file changes nothing


@pytest.mark.parametrize("any_store", BACKENDS, indirect=True)
def test_an_urgency_claimed_by_the_file_is_re_derived(
    target: tuple[Store, int], store_factory: Callable[..., Store]
) -> None:
    store, uid = target
    data = _export(store_factory())
    ep = data["episodes"][0]
    ep["assessment"]["findings"] = ["saddle_numbness"]  # an emergency, while the file still says "soon"
    ep["checkins"][0]["findings"] = ["leg_weakness"]
    for c in ep["checkins"]:
        c["urgency"], c["escalated"] = "self_care", False
    store.import_user(uid, data)
    (episode,) = store.list_episodes(uid)
    assert episode.urgency == "emergency"
    assert {c.urgency for c in store.list_checkins(uid, episode.id)} == {"emergency"}


def test_the_reading_of_the_words_is_re_derived_not_trusted(
    target: tuple[Store, int], store_factory: Callable[..., Store]
) -> None:
    store, uid = target
    data = _export(store_factory())
    ep = data["episodes"][0]
    ep["assessment"]["text"] = "Since this morning I cannot control my bladder."
    ep["reading"] = {"findings": [], "conditions": [], "evidence": [], "pain": None, "hours_since_onset": None}
    store.import_user(uid, data)
    assert store.list_episodes(uid)[0].urgency == "emergency"


@pytest.mark.parametrize(
    "tamper, where",
    [
        (lambda d: d["episodes"][0]["checkins"][0].update(note="x" * 2001), "note"),
        (lambda d: d["episodes"][0]["checkins"][0].update(note="a\u0000b"), "note"),
        (lambda d: d["episodes"][0]["checkins"][0].update(pain="7"), "pain"),
        (lambda d: d["episodes"][0]["checkins"][0].update(pain=11), "pain"),
        (lambda d: d["episodes"][0]["checkins"][0].update(findings=["saddle_numbnes"]), "findings"),
        (lambda d: d["episodes"][0].update(closed_at="2026-11-19T00:00:00+00:00"), "closed_at"),
        (lambda d: d["episodes"][0].update(started_at="2099-01-01T00:00:00+00:00",
                                          onset_at="2098-12-31T22:00:00+00:00"), "started_at"),
        (lambda d: d["episodes"][0].update(onset_at="2026-11-21T00:00:00+00:00"), "onset_at"),
        (lambda d: d["episodes"][0]["checkins"][0].update(at="2026-11-19T00:00:00+00:00"), "at"),
        (lambda d: d["episodes"][0]["checkins"][1].update(at="2026-12-30T00:00:00+00:00"), "at"),
        (lambda d: d["activities"][-1].update(kind="k" * 61), "kind"),
    ],
    ids=["long note", "nul in note", "pain as text", "pain out of range", "unknown code", "closed before started",
         "started in the future", "onset after start", "check-in before start", "check-in after close",
         "long activity kind"],
)
def test_a_bad_file_changes_nothing_and_says_why(
    target: tuple[Store, int], store_factory: Callable[..., Store], tamper: Callable[[dict[str, Any]], None], where: str
) -> None:
    store, uid = target
    data = _export(store_factory())
    good = copy.deepcopy(data["episodes"][0])
    good["id"] = 99
    good["started_at"] = (START + timedelta(days=10)).isoformat()
    good["onset_at"] = (START + timedelta(days=10, hours=-2)).isoformat()
    good["closed_at"] = None
    good["checkins"] = []
    data["episodes"].append(good)  # a good episode beside the bad one: neither goes in
    tamper(data)
    _refused(store, uid, data, where)


@pytest.mark.parametrize("any_store", BACKENDS, indirect=True)
def test_importing_twice_adds_nothing_the_second_time(
    target: tuple[Store, int], store_factory: Callable[..., Store]
) -> None:
    store, uid = target
    data = _export(store_factory())
    first = store.import_user(uid, data)
    assert first["episodes"] == 1 and first["checkins"] == 2 and first["activities"] > 0
    once = store.export_user(uid)
    second = store.import_user(uid, data)
    assert second == {"episodes": 0, "checkins": 0, "visits": 0, "activities": 0, "documents": 0, "skipped_episodes": 1}
    assert store.export_user(uid) == once
    assert [a.kind for a in store.list_activities(uid)].count("low_impact") == 1
