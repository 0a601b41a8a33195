"""The terminal questionnaire asks every v1.1 question in its group, so a completed one leaves nothing `to_ask`."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from backspasm import assess
from backspasm.cli.interactive import gather
from backspasm.knowledge import load
from backspasm.text.reading import Reading

QUESTIONS = {f.question: code for code, f in load().findings.items()}
GB_QUESTIONS = {f.question: code for code, f in load("en-GB").findings.items()}
NON_EMERGENCY = [c for c, f in load().findings.items() if f.level != "emergency" and f.kind != "derived"]


class Scripted:
    """Answers yes to the findings in `yes`, no to everything else; records the findings asked, in order."""

    def __init__(self, yes: frozenset[str] = frozenset(), pain: int = 3, hours: float = 10,
                 questions: dict[str, str] = QUESTIONS) -> None:
        self.yes, self.pain_value, self.hours_value, self.questions = yes, pain, hours, questions
        self.asked: list[str] = []

    def say(self, message: Text | str) -> None:
        pass

    def reply(self, question: str, default: str | None = None) -> str:
        code = self.questions.get(question)
        if code is None:
            return "no"
        self.asked.append(code)
        return "yes" if code in self.yes else "no"

    def pain(self, question: str, default: int | None = None) -> int:
        return self.pain_value

    def age(self, question: str) -> int | None:
        return None

    def hours(self, question: str, default: float | None = None) -> float:
        return self.hours_value

    def text(self, question: str) -> str:
        return ""


def no_words(_text: str) -> Reading:
    return Reading(frozenset(), frozenset(), ())


def test_the_new_emergency_questions_are_among_the_first_questions() -> None:
    s = Scripted()
    gather(s, no_words)
    emergency = [c for c, f in load().findings.items() if f.level == "emergency"]
    assert s.asked[: len(emergency)] == emergency
    assert {"major_trauma", "sexual_dysfunction"} <= set(s.asked[: len(emergency)])


def test_every_v1_1_question_is_asked_in_its_group() -> None:
    s = Scripted(hours=100)
    gather(s, no_words)
    rank = {"emergency": 0, "urgent": 1, "soon": 2}
    levels = [rank[load().findings[c].level] for c in s.asked]
    assert levels == sorted(levels), "a question was asked outside its group"
    for code in ("thoracic_pain", "back_deformity", "rest_night_pain", "radiating_leg_pain", "cough_sneeze_pain"):
        assert code in s.asked


def test_not_improving_is_asked_only_after_three_days() -> None:
    early, late = Scripted(hours=10), Scripted(hours=80)
    gather(early, no_words)
    gather(late, no_words)
    assert "not_improving" not in early.asked and "not_improving" in late.asked


def test_the_questions_are_worded_in_the_locale() -> None:
    s = Scripted(questions=GB_QUESTIONS)
    answers, _, _ = gather(s, no_words, locale="en-GB")
    assert "fever" in s.asked  # found by its en-GB question ("high temperature")
    assert assess(answers.assessment()).locale == "en-GB"


@settings(max_examples=150, deadline=None)
@given(st.frozensets(st.sampled_from(NON_EMERGENCY)), st.integers(0, 10), st.floats(0, 8760, allow_nan=False))
def test_a_completed_questionnaire_leaves_nothing_to_ask(yes: frozenset[str], pain: int, hours: float) -> None:
    answers, _, early = gather(Scripted(yes, pain, hours), no_words)
    assert not early
    result = assess(answers.assessment())
    assert result.urgency != "emergency"
    assert result.to_ask == ()
