"""Answers typed in words: yes / no / not sure, pain scores, when the spasm began, an age, an age in a description."""

from __future__ import annotations

from datetime import datetime

import pytest

from backspasm.cli.replies import age_in_text, parse_age, parse_duration, parse_onset, parse_pain, parse_reply

# A Wednesday afternoon, local time: every relative answer below counts back from it.
WEDNESDAY = datetime(2026, 3, 11, 14, 30)


@pytest.mark.parametrize("answer", ["yes", "Yes", " YES ", "y", "Y", "yeah", "yep", "Yes.", "yes, both legs", "I think so",
                                    "a bit", "correct"])
def test_yes_in_its_usual_forms(answer: str) -> None:
    assert parse_reply(answer) == "yes"


@pytest.mark.parametrize("answer", ["no", "No", "n", "N", "nope", "nah", "No!", "no, only the left one", "not at all",
                                    "never"])
def test_no_in_its_usual_forms(answer: str) -> None:
    assert parse_reply(answer) == "no"


@pytest.mark.parametrize("answer", ["not sure", "Not sure", "NOT SURE", "unsure", "don't know", "I don’t know",
                                    "dunno", "?", "idk", "no idea", "maybe", "not really", "I don't think so",
                                    "probably not", "yes?", "no, not sure", "hard to say"])
def test_a_hedged_answer_is_not_sure_so_the_follow_up_settles_it(answer: str) -> None:
    assert parse_reply(answer) == "unsure"


@pytest.mark.parametrize("answer", ["", "   ", "blah", "8", "sometimes I guess so or"])
def test_anything_else_is_asked_again(answer: str) -> None:
    assert parse_reply(answer) is None


@pytest.mark.parametrize(
    ("answer", "score"),
    [("8", 8), ("8/10", 8), ("8 / 10", 8), ("8 out of 10", 8), ("eight", 8), ("Eight out of ten", 8), ("ten", 10),
     ("0", 0), ("zero", 0), ("none", 0), ("about 6", 6), ("a 7", 7), ("7-8", 8), ("7 or 8", 8), ("6.5", 7),
     ("11/10", 10), ("10/10", 10)],
)
def test_pain_in_numbers_and_words(answer: str, score: int) -> None:
    assert parse_pain(answer) == score


@pytest.mark.parametrize("answer", ["11", "-1", "eleven", "bad", "", "8/20", "8 days"])
def test_pain_that_is_not_a_score_on_the_scale_is_refused(answer: str) -> None:
    assert parse_pain(answer) is None


@pytest.mark.parametrize(
    ("answer", "hours"),
    [("6", 6.0), ("six", 6.0), ("30h", 30.0), ("30 hours", 30.0), ("2 days", 48.0), ("two days", 48.0),
     ("about a day", 24.0), ("a day", 24.0), ("half a day", 12.0), ("an hour ago", 1.0), ("half an hour", 0.5),
     ("a couple of days", 48.0), ("a few hours", 3.0), ("a week", 168.0), ("a day and a half", 36.0),
     ("one and a half days", 36.0), ("2 days and 6 hours", 54.0), ("twenty-four hours", 24.0), ("90 min", 1.5),
     ("3 days ago", 72.0), ("about 2 weeks", 336.0), ("a fortnight", 336.0)],
)
def test_durations_in_numbers_and_words(answer: str, hours: float) -> None:
    assert parse_duration(answer) == hours
    onset = parse_onset(answer, WEDNESDAY)
    assert onset is not None and onset.hours == hours and not onset.relative


@pytest.mark.parametrize(
    ("answer", "hours"),
    [
        ("since yesterday morning", 30.5),  # Tuesday 08:00
        ("yesterday morning", 30.5),
        ("since yesterday", 24.0),  # the same time yesterday
        ("this morning", 6.5),  # today 08:00
        ("early this morning", 9.5),  # today 05:00
        ("last night", 16.5),  # Tuesday 22:00
        ("since last night", 16.5),
        ("yesterday afternoon", 24.5),  # Tuesday 14:00
        ("the day before yesterday", 48.0),
        ("on Monday", 48.0),
        ("Monday night", 40.5),  # Monday 22:00
        ("since Wednesday", 168.0),  # today is Wednesday: it means last week's
    ],
)
def test_times_of_day_count_back_from_the_clock(answer: str, hours: float) -> None:
    onset = parse_onset(answer, WEDNESDAY)
    assert onset is not None and onset.relative
    assert onset.hours == pytest.approx(hours)


def test_the_same_words_give_a_different_count_at_another_time() -> None:
    early = parse_onset("since yesterday morning", datetime(2026, 3, 11, 7, 0))
    late = parse_onset("since yesterday morning", datetime(2026, 3, 11, 23, 0))
    assert early is not None and late is not None
    assert (early.hours, late.hours) == (23.0, 39.0)


def test_this_morning_before_eight_counts_from_the_start_of_the_morning() -> None:
    onset = parse_onset("this morning", datetime(2026, 3, 11, 6, 30))
    assert onset is not None and onset.hours == pytest.approx(1.5)


def test_last_night_in_the_small_hours_is_the_evening_just_gone() -> None:
    onset = parse_onset("last night", datetime(2026, 3, 11, 2, 0))
    assert onset is not None and onset.hours == pytest.approx(4.0)


def test_a_time_still_to_come_is_negative_so_the_question_is_asked_again() -> None:
    onset = parse_onset("this evening", WEDNESDAY)
    assert onset is not None and onset.hours < 0


@pytest.mark.parametrize("answer", ["soon", "", "a while", "2 parsecs", "yesterdayish morning", "this"])
def test_unreadable_times_give_none(answer: str) -> None:
    assert parse_onset(answer, WEDNESDAY) is None


@pytest.mark.parametrize(("answer", "age"), [("38", 38), ("thirty-eight", 38), ("I'm 38", 38), ("38 years old", 38),
                                              ("sixty seven", 67), ("0", 0), ("120", 120)])
def test_age_answers(answer: str, age: int) -> None:
    assert parse_age(answer) == age


@pytest.mark.parametrize("answer", ["121", "-3", "old", "38.5", "38 weeks"])
def test_age_answers_that_are_not_an_age(answer: str) -> None:
    assert parse_age(answer) is None


@pytest.mark.parametrize(
    ("text", "age", "said"),
    [
        ("I'm 38 and my lower back locked when I bent down", 38, "I'm 38"),
        ("I am 67 years old, on warfarin", 67, "I am 67 years old"),
        ("38 year old office worker, spasm after lifting", 38, "38 year old"),
        ("Spasm for two days, aged 70, no leg symptoms", 70, "aged 70"),
        ("38yo, back went while gardening", 38, "38yo"),
        ("67F with acute LBP after lifting", 67, "67F"),
        ("im 45 and it hurts", 45, "im 45"),
        ("I'm 38, my partner says I look 50 years old", 38, "I'm 38"),  # the partner's words are not an age
    ],
)
def test_an_age_stated_in_the_description_is_found_with_its_words(text: str, age: int, said: str) -> None:
    found = age_in_text(text)
    assert found is not None and found.age == age
    assert text[found.start : found.end] == said


@pytest.mark.parametrize(
    "text",
    [
        "I'm 38 weeks pregnant and my back hurts",  # a pregnancy, not an age
        "my dad is 70 years old and had this too",  # someone else's
        "when I was 20 years old I fell off a horse",  # a past age
        "I'm 8/10 today",  # a pain score
        "temp 101F since last night",  # a temperature
        "no age here, pain 6/10",
        "I'm 38. Actually I am 39 years old",  # two ages: the question is asked instead
    ],
)
def test_numbers_that_are_not_the_persons_age_are_left_alone(text: str) -> None:
    assert age_in_text(text) is None
