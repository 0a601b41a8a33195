"""A person at the questionnaire who types words: answers chosen by a phrase of the question, 'no' otherwise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text

from backspasm.cli.interactive import LineAsker
from backspasm.result import EvidenceSpan
from backspasm.text.reading import Reading

# A Wednesday afternoon, local time.
WEDNESDAY = datetime(2026, 3, 11, 14, 30)


class Person(LineAsker):
    """Types `words` as the description; for any other question, the first answer whose key the question
    contains (a list of answers is typed in turn, for a question asked again), else pain, onset, age, Enter
    where the question shows a default ("is that right?"), or 'no'."""

    def __init__(self, words: str = "", answers: dict[str, str | list[str]] | None = None, pain: str = "3",
                 onset: str = "10 hours", age: str = "", locale: str = "en-US", now: datetime = WEDNESDAY) -> None:
        super().__init__(locale, clock=lambda: now)
        self.words, self.pain_words, self.onset_words, self.age_words = words, pain, onset, age
        self.answers = {k: ([v] if isinstance(v, str) else list(v)) for k, v in (answers or {}).items()}
        self.prompts: list[str] = []
        self.said: list[str] = []

    def read_line(self, prompt: Text) -> str:
        question = prompt.plain
        self.prompts.append(question)
        if question.startswith("Describe what happened"):
            return self.words
        for key, typed in self.answers.items():
            if key in question and typed:
                return typed.pop(0) if len(typed) > 1 else typed[0]
        if question.startswith("Pain right now"):
            return self.pain_words
        if question.startswith("How long ago"):
            return self.onset_words
        if question.startswith("How old are you"):
            return self.age_words
        return "" if question.endswith("): ") and "] (" in question else "no"  # Enter takes a shown default

    def say(self, message: Text | str) -> None:
        self.said.append(message.plain if isinstance(message, Text) else str(message))

    def asked(self, phrase: str) -> bool:
        return any(phrase in p for p in self.prompts)

    def index(self, phrase: str) -> int:
        return next(i for i, p in enumerate(self.prompts) if phrase in p)


def reader(findings: dict[str, str] | None = None, conditions: dict[str, str] | None = None,
           uncertain: frozenset[str] = frozenset()) -> Callable[[str], Reading]:
    """A stand-in for the text reader: each code read from the words given (which must be in the text)."""

    def read(text: str) -> Reading:
        spans = []
        for code, words in {**(findings or {}), **(conditions or {})}.items():
            start = text.index(words)
            spans.append(EvidenceSpan(code, start, start + len(words), words, code in uncertain))
        return Reading(frozenset(findings or {}), frozenset(conditions or {}), tuple(spans))

    return read


def no_words(_text: str) -> Reading:
    return Reading()
