"""The questionnaire: words first, emergency questions next, stopping at the first yes."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text

from backspasm import assess
from backspasm.cli.interactive import Answers, gather, highlight, parse_duration
from backspasm.result import EvidenceSpan
from backspasm.text.reading import Reading


class Script:
    """Answers questions from a list, recording what was asked."""

    def __init__(self, text: str = "", yes_to: tuple[str, ...] = (), pain: int = 4, hours: float = 10,
                 confirm_text: bool = True, age: int | None = None) -> None:
        self._text = text
        self.yes_to = yes_to
        self.pain_value, self.hours_value, self.confirm_text, self.age_value = pain, hours, confirm_text, age
        self.asked: list[str] = []
        self.said: list[str] = []

    def say(self, message: Text | str) -> None:
        self.said.append(str(message))

    def reply(self, question: str, default: str | None = None) -> str:
        self.asked.append(question)
        if "Is that right?" in question:
            return "yes" if self.confirm_text else "no"
        return "yes" if any(key in question for key in self.yes_to) else "no"

    def pain(self, question: str, default: int | None = None) -> int:
        self.asked.append(question)
        return self.pain_value

    def age(self, question: str) -> int | None:
        self.asked.append(question)
        return self.age_value

    def hours(self, question: str, default: float | None = None) -> float:
        self.asked.append(question)
        return self.hours_value

    def text(self, question: str) -> str:
        return self._text


def fake_reader(findings: dict[str, tuple[int, int]], conditions: dict[str, tuple[int, int]] | None = None):
    def read(text: str) -> Reading:
        spans = [EvidenceSpan(c, a, b, text[a:b]) for c, (a, b) in {**findings, **(conditions or {})}.items()]
        return Reading(frozenset(findings), frozenset(conditions or {}), tuple(spans))
    return read


def test_an_emergency_yes_stops_the_red_flag_questions() -> None:
    s = Script(yes_to=("bladder or bowels",))
    answers, _, early = gather(s, fake_reader({}))
    assert early
    assert answers.findings == ["bladder_bowel_control_loss"]
    assert not any("fever" in q for q in s.asked)
    assert assess(answers.assessment()).urgency == "emergency"


def test_no_to_everything_is_self_care_with_denials_recorded() -> None:
    s = Script()
    answers, _, early = gather(s, fake_reader({}))
    assert not early
    assert "fever" in answers.denied and "bladder_bowel_control_loss" in answers.denied
    assert assess(answers.assessment()).urgency == "self_care"


def test_emergency_questions_come_before_urgent_ones() -> None:
    s = Script()
    gather(s, fake_reader({}))
    first_fever = next(i for i, q in enumerate(s.asked) if "fever" in q)
    first_bladder = next(i for i, q in enumerate(s.asked) if "bladder" in q)
    assert first_bladder < first_fever


def test_confirmed_words_settle_their_question() -> None:
    text = "I fell off a ladder"
    s = Script(text=text)
    answers, reading, _ = gather(s, fake_reader({"injury": (2, 19)}))
    assert "injury" in reading.findings
    assert not any("a knock or blow" in q for q in s.asked)
    r = assess(answers.assessment(), read_text=lambda _t: reading)
    assert r.urgency == "urgent" and r.reasons[0].get("from_text") is True


def test_a_corrected_reading_is_asked_again_as_a_question() -> None:
    text = "I fell off a ladder"
    s = Script(text=text, confirm_text=False)
    _answers, reading, _ = gather(s, fake_reader({"injury": (2, 19)}))
    assert "injury" not in reading.findings
    assert any("a knock or blow" in q for q in s.asked)


def test_an_emergency_in_the_words_stops_before_the_questions() -> None:
    s = Script(text="cannot pee at all")
    answers, reading, early = gather(s, fake_reader({"bladder_bowel_control_loss": (0, 17)}))
    assert early
    assert not any("saddle" in q for q in s.asked)
    assert assess(answers.assessment(), read_text=lambda _t: reading).urgency == "emergency"


def test_conditions_and_age_are_asked_and_used() -> None:
    s = Script(yes_to=("blood thinner",), age=70)
    answers, _, _ = gather(s, fake_reader({}))
    r = assess(answers.assessment())
    assert answers.age == 70 and "blood_thinner" in answers.conditions
    assert r.status("nsaid") == "ask_first"


def test_not_improving_is_asked_only_after_three_days() -> None:
    early = Script(hours=30)
    gather(early, fake_reader({}))
    late = Script(hours=100)
    gather(late, fake_reader({}))
    assert not any("few days of rest" in q for q in early.asked)
    assert any("few days of rest" in q for q in late.asked)


def test_highlight_marks_the_matched_words() -> None:
    reading = Reading(frozenset({"fever"}), evidence=(EvidenceSpan("fever", 4, 9, "fever"),))
    out = highlight("had fever", reading)
    console = Console(record=True, width=40, color_system="truecolor")
    console.print(out)
    assert "fever" in console.export_text()
    assert out.spans[0].start == 4 and out.spans[0].end == 9


@pytest.mark.parametrize(
    ("answer", "hours"),
    [("30", 30.0), ("30h", 30.0), ("2 days", 48.0), ("1.5 weeks", 252.0), ("90 min", 1.5), ("3 days ago", 72.0),
     ("soon", None), ("2 parsecs", None), ("", None)],
)
def test_parse_duration(answer: str, hours: float | None) -> None:
    assert parse_duration(answer) == hours


def test_answers_become_a_valid_assessment() -> None:
    a = Answers(findings=["fever"], denied=["injury"], pain=5, hours=12.0, text="hot").assessment()
    assert a.findings == ["fever"] and a.text == "hot"


def test_the_real_reader_is_loaded_while_the_person_types_and_then_used() -> None:
    s = Script(text="I fell off a ladder yesterday and now both legs tingle")
    answers, reading, early = gather(s)
    # A fall from a ladder and both legs are emergency signs: the first confirmed one ends the questions.
    assert len(reading.findings) == 1 and reading.findings <= {"major_trauma", "bilateral_leg_symptoms"}
    assert len(s.asked) == 1 and "Is that right?" in s.asked[0]
    assert early
    assert assess(answers.assessment(), read_text=lambda _t: reading).urgency == "emergency"


def test_a_condition_read_from_words_is_confirmed_and_not_asked_again() -> None:
    s = Script(text="I take warfarin")
    answers, reading, _ = gather(s, fake_reader({}, {"blood_thinner": (7, 15)}))
    assert reading.conditions == {"blood_thinner"}
    assert any('"warfarin" -> Takes a blood thinner' in q for q in s.asked)
    assert not any("blood thinner (for example" in q for q in s.asked)
    assert assess(answers.assessment(), read_text=lambda _t: reading).status("nsaid") == "ask_first"
