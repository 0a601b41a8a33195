"""Invariants over random diaries: escalation means a higher urgency than the rating before, and
export/import reproduces any diary exactly."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from backspasm.codes import URGENCY_RANK
from backspasm.diary.store import TREATMENTS, open_store

START = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
checkin = st.tuples(
    st.floats(min_value=0.1, max_value=60, allow_nan=False),
    st.integers(min_value=0, max_value=10),
    st.dictionaries(st.sampled_from(TREATMENTS), st.one_of(st.none(), st.booleans()), max_size=3),
    st.lists(st.sampled_from(["sleep_disturbed", "leg_tingling", "fever"]), max_size=1),
)


@settings(max_examples=15, deadline=None)
@given(first_pain=st.integers(0, 10), entries=st.lists(checkin, max_size=8))
def test_escalation_and_round_trip_hold_for_any_diary(
    first_pain: int, entries: list[tuple[float, int, dict[str, bool | None], list[str]]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'a.db'}")
        uid = store.local_user().id
        ep, first = store.start_episode(uid, {"hours_since_onset": 1, "pain": first_pain}, started_at=START)
        previous, hours = first.urgency, 0.0
        for step, pain, tried, findings in entries:
            hours += step
            out = store.add_checkin(uid, ep.id, pain, at=START + timedelta(hours=hours), tried=tried, findings=findings)
            assert out.previous_urgency == previous
            assert out.escalated == (URGENCY_RANK[out.result.urgency] > URGENCY_RANK[previous])
            previous = out.result.urgency
        exported = store.export_user(uid)
        other = open_store(f"sqlite:///{Path(tmp) / 'b.db'}")
        other.import_user(other.local_user().id, exported)
        again = other.export_user(other.local_user().id)
        for doc in (exported, again):
            for e in doc["episodes"]:
                e.pop("id")
            for a in doc["activities"]:
                a.pop("episode_id")
                a["detail"].pop("checkin_id", None)
        assert again == exported
        store.close()
        other.close()
