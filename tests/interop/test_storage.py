"""The CDS service's own tables (plan links, issued cards, feedback) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from backspasm.interop.storage import InteropStore, new_handle

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_links_expire_cards_are_known_and_feedback_is_kept(database_url: Callable[[str], str], backend: str) -> None:
    url = database_url(backend)
    store = InteropStore(url)
    again = InteropStore(url)  # a second worker on the same database finds the tables there
    try:
        handle = new_handle()
        store.answered("hook-1", [("card-1", "urgent"), ("card-2", "info")], handle, {"hours_since_onset": 3, "pain": 4},
                       60, NOW)
        assert again.link(handle, NOW + timedelta(seconds=59)) == {"hours_since_onset": 3, "pain": 4}
        assert again.link(handle, NOW + timedelta(seconds=60)) is None
        assert again.link("unknown", NOW) is None
        assert again.known_cards(["card-1", "card-9"]) == {"card-1"}
        store.record_feedback([{"card": "card-1", "outcome": "overridden", "outcome_at": NOW,
                                "override_reason": {"userComment": "seen"}, "accepted_suggestions": None}],
                              "https://ehr.example.org", NOW)
        (row,) = again.feedback_for("card-1")
        assert (row["outcome"], row["client"], row["override_reason"]) == ("overridden", "https://ehr.example.org",
                                                                           {"userComment": "seen"})
        # an expired link is dropped when the next answer is stored
        store.answered("hook-2", [], new_handle(), {"hours_since_onset": 1, "pain": 1}, 60, NOW + timedelta(hours=1))
        assert store.link(handle, NOW) is None
    finally:
        store.close()
        again.close()
