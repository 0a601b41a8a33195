"""The diary's check-in questions on a terminal, answered in words as the first questionnaire is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.console import Console
from wordsperson import Person

from backspasm.cli.diary_ask import ask_checkin
from backspasm.diary.store import Store
from backspasm.knowledge import load

F = load().findings
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def status(store: Store):  # type: ignore[no-untyped-def]
    user = store.create_user("cli@example.org", "hash")
    ep, _ = store.start_episode(user.id, {"hours_since_onset": 2, "pain": 6, "findings": ["fever"]}, started_at=START)
    return store.status(user.id, ep.id, now=START.replace(hour=20))


def test_pain_in_words_and_not_sure_about_a_new_warning_sign_asks_its_follow_up(status) -> None:  # type: ignore[no-untyped-def]
    saddle = F["saddle_numbness"]
    p = Person(pain="seven", answers={saddle.question: "not sure", saddle.unsure.question: "no"})  # type: ignore[union-attr]
    out = ask_checkin(status, Console(), ask=p)
    assert out["pain"] == 7
    assert "saddle_numbness" in out["findings"]  # wiping does not feel the same: the sign is there
    assert p.asked(saddle.unsure.question)  # type: ignore[union-attr]


def test_still_not_sure_reports_the_sign_and_unsure_if_it_has_gone_keeps_it(status) -> None:  # type: ignore[no-untyped-def]
    chest = F["chest_pain"]
    p = Person(pain="3/10", answers={chest.question: "dunno", chest.unsure.question: "not sure",  # type: ignore[union-attr]
                                     "Still there": "not sure"})
    out = ask_checkin(status, Console(), ask=p)
    assert out["pain"] == 3 and "chest_pain" in out["findings"]
    assert out["gone"] == []  # not sure it has gone: it keeps counting


def test_a_clear_no_reports_a_sign_gone(status) -> None:  # type: ignore[no-untyped-def]
    out = ask_checkin(status, Console(), ask=Person(pain="2", answers={"Still there": "no"}))
    assert out["gone"] == ["fever"] and out["findings"] == []
