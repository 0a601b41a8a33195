"""The numbers people write: fever temperatures, weight lost, drinks, pain scores, durations."""

from __future__ import annotations

import pytest

from backspasm.text import read
from backspasm.text.numbers import drinks, durations, pain_scores, temperatures, weight_loss


@pytest.mark.parametrize(
    ("text", "fever"),
    [
        ("temp 39", True),
        ("38.5C", True),
        ("38.0 C", True),
        ("37.9C", False),
        ("102F", True),
        ("100.4 F", True),
        ("100.3F", False),
        ("39°C", True),
        ("temperature was 38.2 this morning", True),
        ("running a temperature, 38.7", True),
        ("temp 37.2", False),
        ("temperature of 101", True),
        ("temp 98.6", False),
        ("I'm 39 years old", False),
        ("it was 39C outside on holiday", True),
    ],
)
def test_temperatures_at_or_above_fever(text: str, fever: bool) -> None:
    assert bool(temperatures(text)) is fever


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("lost a stone", 1),
        ("lost 6 kg without trying", 6),
        ("lost about 10 pounds", 10),
        ("dropped 10lbs", 10),
        ("lost 2 stone since summer", 2),
        ("lost nearly 5 kilos", 5),
    ],
)
def test_weight_lost_with_an_amount(text: str, amount: float) -> None:
    found = weight_loss(text)
    assert [s.value for s in found] == [amount]


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("pain is 8/10", 8),
        ("10/10", 10),
        ("8 out of 10", 8),
        ("ten out of ten", 10),
        ("pain is an 8 when it spasms", 8),
        ("not bad, maybe a 3", 3),
        ("pain about 3", 3),
        ("it's a 7", 7),
        ("about a 6 out of 10", 6),
        ("scale of 1 to 10 it's about a 6", 6),
        ("on a scale of one to ten, eight", 8),
        ("pain 7-8", 8),
        ("about 7 when I stand", 7),
    ],
)
def test_pain_scores(text: str, score: int) -> None:
    assert max(s.value for s in pain_scores(text)) == score
    assert read(text).pain == score


@pytest.mark.parametrize(
    "text",
    [
        "started 3 days ago",
        "it's 9 o'clock",
        "lost 8 kg",
        "about 8 weeks now",
        "temp 39",
        "I drink about 5 beers a night",
        "I drink 8 beers a night",
        "maybe 2 or 3 times a week",
        "walked about 5 miles today",
    ],
)
def test_numbers_that_are_not_pain_scores(text: str) -> None:
    assert pain_scores(text) == []


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("started 3 days ago", 72),
        ("Lumbar spasm x2 days.", 48),
        ("about 8 weeks now", 1344),
        ("a week now and no improvement", 168),
        ("for the last 3 days", 72),
        ("since yesterday", 24),
        ("6 hours ago", 6),
        ("it's been 8 days", 192),
        ("for 2 weeks now", 336),
        ("3 days in and no better", 72),
        ("LBP x3/7", 72),
        ("c/o LBP 2/52 hx", 336),
        ("3 months of back pain", 2190),
        ("back pain for 10 years but this spasm started yesterday", 24),
    ],
)
def test_durations_give_hours_since_onset(text: str, hours: float) -> None:
    assert max(d.value for d in durations(text)) == hours
    assert read(text).hours_since_onset == hours


def test_no_duration_gives_none() -> None:
    assert read("my back hurts").hours_since_onset is None
    assert read("since Monday").hours_since_onset is None  # a weekday gives no number of hours
    assert read("seen on 3/7 at clinic").hours_since_onset is None  # a date, not 3/7 days


@pytest.mark.parametrize(
    ("text", "heavy"),
    [
        ("4 pints a night", True),
        ("3 drinks a day", True),
        ("2 pints a night", False),
        ("a bottle of wine a day", True),
        ("40 units a week", True),
        ("10 units a week", False),
        ("a glass of wine each evening", False),
    ],
)
def test_drinks_at_or_above_three_a_day(text: str, heavy: bool) -> None:
    assert bool(drinks(text)) is heavy


def test_a_severe_score_gives_severe_pain_with_its_words_as_evidence() -> None:
    reading = read("pain 9/10 today")
    assert "severe_pain" in reading.findings
    assert [e.text for e in reading.evidence if e.code == "severe_pain"] == ["9/10"]


def test_a_negated_temperature_is_no_fever() -> None:
    assert "fever" not in read("no fever, temp 37").findings
