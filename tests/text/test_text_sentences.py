"""Stage 3, sentences: sentence, line and clause starts, so context stays where a finding is stated."""

from __future__ import annotations

from backspasm.text.pipeline import pipeline
from backspasm.text.sentences import CLAUSE_STARTS, LINE_STARTS


def _starts(text: str, key: str) -> list[str]:
    doc = pipeline()(text)
    return [doc[i].text for i in sorted(doc.user_data[key])]


def test_a_new_subject_with_a_verb_opens_a_clause() -> None:
    assert _starts("no numbness my legs keep giving way", CLAUSE_STARTS) == ["my"]
    assert _starts("no fever the pain is awful", CLAUSE_STARTS) == ["the"]


def test_an_object_or_a_complement_opens_no_clause() -> None:
    assert _starts("pain in my legs is bad", CLAUSE_STARTS) == []
    assert _starts("worried I might lose control", CLAUSE_STARTS) == []
    assert _starts("I don't think I've wet myself", CLAUSE_STARTS) == []


def test_every_line_of_the_original_is_recorded() -> None:
    assert _starts("no numbness\nwet myself\ntoday", LINE_STARTS) == ["wet", "today"]


def test_sentences_end_at_stops_and_at_breaks_that_are_no_wrap() -> None:
    doc = pipeline()("Back went. No numbness.\n\nwet myself\n- legs fine")
    assert [s.text.strip() for s in doc.sents if s.text.strip()] == ["back went.", "no numbness.", "wet myself", "- legs fine"]
    doc = pipeline()("I cannot control my\nbladder")
    assert len(list(doc.sents)) == 1
