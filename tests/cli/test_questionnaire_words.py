"""The terminal questionnaire answered in words: stopping at an emergency, "not sure" and its follow-up,
the age in a description, answers asked again with a hint, and what the person is told along the way."""

from __future__ import annotations

import pytest
from wordsperson import Person, no_words, reader

from backspasm import assess
from backspasm.cli.interactive import gather
from backspasm.knowledge import load

KB = load()
F = KB.findings


def run(person: Person, read=no_words, locale: str = "en-US"):  # type: ignore[no-untyped-def]
    answers, reading, early = gather(person, read, locale)
    return answers, early, assess(answers.assessment(), read_text=lambda _t: reading)


# ---- stopping at an emergency ----


def test_a_yes_to_an_emergency_question_stops_before_pain_and_onset() -> None:
    p = Person(answers={F["saddle_numbness"].question: "yes"})
    answers, early, result = run(p)
    assert early
    assert result.urgency == "emergency" and [r.code for r in result.reasons] == ["saddle_numbness"]
    assert not p.asked("Pain right now") and not p.asked("How long ago") and not p.asked("How old")
    assert not p.asked(F["chest_pain"].question)  # the emergency questions after it are not asked either
    assert p.prompts[-1].startswith(F["saddle_numbness"].question)
    assert any("Stop here" in s for s in p.said)
    assert (answers.pain, answers.hours) == (None, None)


def test_an_emergency_confirmed_in_the_words_stops_before_any_question() -> None:
    words = "my back went and now I can't pee at all"
    p = Person(words=words)
    _answers, early, result = run(p, reader({"bladder_bowel_control_loss": "can't pee at all"}))
    assert early and result.urgency == "emergency"
    assert result.reasons[0].get("from_text") is True
    assert len(p.prompts) == 2  # the description, and "is that right?"


def test_emergency_words_are_confirmed_before_anything_else_read() -> None:
    words = "I take warfarin, fell off a ladder and both legs are numb"
    p = Person(words=words)
    run(p, reader({"injury": "fell off a ladder", "bilateral_leg_symptoms": "both legs are numb"},
                  {"blood_thinner": "warfarin"}))
    assert '"both legs are numb"' in p.prompts[1]
    assert len(p.prompts) == 2  # confirmed, and it stopped there


def test_pain_and_onset_stated_in_the_words_go_with_an_early_emergency() -> None:
    words = "chest pain with it, 9/10, since 3 hours"

    def read(text: str):  # type: ignore[no-untyped-def]
        r = reader({"chest_pain": "chest pain"})(text)
        return type(r)(r.findings, r.conditions, r.evidence, pain=9, hours_since_onset=3.0)

    answers, early, result = run(Person(words=words), read)
    assert early and (answers.pain, answers.hours) == (9, 3.0)
    assert result.urgency == "emergency"


# ---- not sure, and the follow-up ----


def test_not_sure_asks_the_follow_up_and_its_answer_can_make_the_sign_present() -> None:
    follow = F["bladder_bowel_control_loss"].unsure
    assert follow is not None and follow.present_if == "no"
    p = Person(answers={F["bladder_bowel_control_loss"].question: "not sure", follow.question: "no"})
    answers, early, result = run(p)
    assert p.index(follow.question) == p.index(F["bladder_bowel_control_loss"].question) + 1
    assert early and answers.findings == ["bladder_bowel_control_loss"] and not answers.unsure
    assert result.urgency == "emergency" and not result.notes


def test_not_sure_then_a_clear_answer_the_other_way_denies_the_sign() -> None:
    follow = F["fever"].unsure
    assert follow is not None and follow.present_if == "yes"
    p = Person(answers={F["fever"].question: "don't know", follow.question: "No"})
    answers, early, result = run(p)
    assert not early and "fever" in answers.denied
    assert result.urgency == "self_care" and not result.notes and result.to_ask == ()


def test_still_not_sure_counts_the_sign_and_the_result_says_so() -> None:
    follow = F["fever"].unsure
    assert follow is not None
    p = Person(answers={F["fever"].question: "not sure", follow.question: "?"})
    answers, early, result = run(p)
    assert not early and answers.unsure == ["fever"]
    assert result.urgency == "urgent" and "fever" in result.findings
    assert [(n.code, n.kind) for n in result.notes] == [("fever", "unsure")]
    assert any("counts as present" in s for s in p.said)


def test_still_not_sure_about_an_emergency_sign_stops_at_once() -> None:
    follow = F["chest_pain"].unsure
    assert follow is not None
    p = Person(answers={F["chest_pain"].question: "unsure", follow.question: "dunno"})
    answers, early, result = run(p)
    assert early and answers.unsure == ["chest_pain"]
    assert result.urgency == "emergency" and [n.kind for n in result.notes] == ["unsure"]
    assert not p.asked("Pain right now")


def test_not_sure_about_a_sign_without_a_follow_up_counts_it() -> None:
    no_follow = next(f for f in F.values() if f.level == "soon" and f.kind != "derived" and f.unsure is None
                     and f.code not in ("severe_pain", "not_improving"))
    p = Person(answers={no_follow.question: "not sure"})
    answers, _early, result = run(p)
    assert no_follow.code in answers.unsure
    assert not any(no_follow.question != q and "easier to answer" in q for q in p.prompts)
    assert [n.code for n in result.notes] == [no_follow.code]


def test_not_sure_about_a_reading_of_the_words_asks_the_follow_up() -> None:
    follow = F["injury"].unsure
    assert follow is not None
    words = "it started after I slipped on the stairs"
    p = Person(words=words, answers={"Is that right?": "not sure", follow.question: "no"})
    answers, _early, result = run(p, reader({"injury": "slipped on the stairs"}))
    assert "injury" in answers.denied
    assert not p.asked(F["injury"].question)  # settled by the follow-up: not asked again
    assert "injury" not in result.findings and not result.notes


def test_still_not_sure_about_a_reading_keeps_it_and_notes_it() -> None:
    follow = F["injury"].unsure
    assert follow is not None
    p = Person(words="slipped on the stairs", answers={"Is that right?": "not sure", follow.question: "not sure"})
    answers, _early, result = run(p, reader({"injury": "slipped on the stairs"}))
    assert answers.unsure == ["injury"] and result.urgency == "urgent"
    assert [(n.code, n.kind) for n in result.notes] == [("injury", "unsure")]


def test_not_sure_about_a_condition_counts_it_for_the_pain_relief_advice() -> None:
    p = Person(answers={KB.conditions["blood_thinner"].question: "not sure"})
    answers, _early, result = run(p)
    assert "blood_thinner" in answers.conditions
    assert result.status("nsaid") == "ask_first"
    assert any("Counted, to be safe" in s for s in p.said)


# ---- answers in words, asked again when unreadable ----


def test_pain_and_onset_in_words() -> None:
    p = Person(pain="eight", onset="since yesterday morning")
    answers, _early, result = run(p)
    assert answers.pain == 8 and answers.hours == pytest.approx(30.5)
    assert result.urgency == "soon" and "severe_pain" in result.findings
    assert any(s == "That is about 30 hours ago." for s in p.said)


@pytest.mark.parametrize(("typed", "pain"), [("8/10", 8), ("8 out of 10", 8), ("ten", 10)])
def test_pain_as_people_write_it(typed: str, pain: int) -> None:
    answers, _early, _result = run(Person(pain=typed))
    assert answers.pain == pain


def test_an_unreadable_answer_is_asked_again_with_a_hint() -> None:
    q = F["fever"].question
    p = Person(answers={q: ["blah", "no"], "Pain right now": ["loads", "11", "6"],
                        "How long ago": ["ages", "this evening", "a day"]})
    answers, _early, _result = run(p)
    assert sum(1 for prompt in p.prompts if prompt.startswith(q)) == 2
    assert "Please answer yes, no or not sure." in p.said
    assert "fever" in answers.denied
    assert answers.pain == 6 and answers.hours == 24.0
    assert p.said.count("Please give a number from 0 (no pain) to 10 (the worst you can imagine), such as 4, 8/10 "
                        "or eight.") == 2
    assert any(s.startswith("I could not read that as a time") for s in p.said)
    assert any(s.startswith("That time has not come yet") for s in p.said)


def test_yes_no_questions_show_their_choices_and_take_enter_for_the_default() -> None:
    p = Person(words="I take warfarin", answers={"Is that right?": ""})
    _answers, _early, result = run(p, reader(conditions={"blood_thinner": "warfarin"}))
    prompt = next(q for q in p.prompts if "Is that right?" in q)
    assert prompt.endswith("[yes/no/not sure] (yes): ")
    assert result.status("nsaid") == "ask_first" and "blood_thinner" in result.conditions


def test_a_long_time_is_counted_as_the_longest_the_tool_counts() -> None:
    answers, _early, _result = run(Person(onset="3 years"))
    assert answers.hours == 8760


# ---- the age ----


def test_an_age_in_the_words_is_confirmed_and_not_asked_again() -> None:
    p = Person(words="I'm 67, back locked after gardening")
    answers, _early, result = run(p, no_words)
    assert p.asked("You said you are 67. Is that right?")
    assert not p.asked("How old are you")
    assert answers.age == 67 and result.status("nsaid") == "ask_first"  # 65 and over: ask first


def test_a_wrong_age_read_from_the_words_is_asked_as_a_question() -> None:
    p = Person(words="I am 67 years old", answers={"You said you are 67": "no"}, age="76")
    answers, _early, _result = run(p, no_words)
    assert p.asked("How old are you? (press Enter to skip)")
    assert answers.age == 76


def test_age_is_one_question_and_enter_skips_it() -> None:
    p = Person()
    answers, _early, _result = run(p)
    assert sum(1 for q in p.prompts if q.startswith("How old are you? (press Enter to skip)")) == 1
    assert not p.asked("May I ask your age")
    assert answers.age is None


# ---- saying what the words did and did not show ----


def test_nothing_read_says_plainly_that_nothing_points_to_a_warning_sign() -> None:
    p = Person(words="my back has been stiff since I moved house")
    run(p, no_words)
    assert any(s.startswith("Nothing in what you wrote points to a warning sign.") for s in p.said)
    assert not any("Here is what I understood" in s for s in p.said)


def test_something_read_but_no_sign_confirmed_also_says_so() -> None:
    p = Person(words="I take warfarin every day")
    run(p, reader(conditions={"blood_thinner": "warfarin"}))
    assert "Here is what I understood:" in p.said
    assert "Nothing in what you wrote points to a warning sign." in p.said


def test_a_confirmed_sign_is_not_called_nothing() -> None:
    p = Person(words="a high fever since yesterday")
    run(p, reader({"fever": "high fever"}))
    assert not any(s.startswith("Nothing in what you wrote") for s in p.said)


def test_the_words_are_worded_for_the_locale() -> None:
    p = Person(locale="en-GB")
    _answers, _early, result = run(p, locale="en-GB")
    assert "A few questions about your health decide which painkillers are safe without advice." in p.said
    assert result.locale == "en-GB"
