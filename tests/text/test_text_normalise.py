"""Stage 1, normalise: what the rules read, and the map back to the person's own characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backspasm.text import read
from backspasm.text.normalise import normalise

SITE = "I cannot control my bladder"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I\u00a0cannot\u2003control\tmy  bladder", "i cannot control my bladder"),
        ("I cannot con\u00adtrol my blad\u200bder", "i cannot control my bladder"),
        ("I cannot control my bla\u0301dder", "i cannot control my bladder"),
        ("Ｉ ｃａｎｎｏｔ control my bladder", "i cannot control my bladder"),
        ("I can\u2019t control my bladder", "i can't control my bladder"),
        ("\u201cnumb\u201d \u2014 both legs", '"numb" \u2013 both legs'),
        ("  leading and trailing  ", "leading and trailing"),
    ],
)
def test_invisible_and_lookalike_characters_read_as_plain_text(text: str, expected: str) -> None:
    assert normalise(text).text == expected


def test_a_wrapped_line_reads_on_and_a_new_sentence_or_bullet_breaks() -> None:
    assert normalise("I cannot control my\nbladder").text == "i cannot control my bladder"
    assert normalise("I cannot control my\r\nbladder").text == "i cannot control my bladder"
    assert normalise("no numbness.\nwet myself").text == "no numbness.\nwet myself"
    assert normalise("no numbness\n\nwet myself").text == "no numbness\nwet myself"
    assert normalise("no numbness\n- wet myself").text == "no numbness\n- wet myself"
    assert normalise("saddle:\nnumb").text == "saddle: numb"


def test_every_line_start_is_recorded() -> None:
    n = normalise("no numbness\nwet myself\u2028today")
    assert sorted(n.line_starts) == [n.text.index("wet"), n.text.index("today")]


@pytest.mark.parametrize(
    "text",
    [
        "I cannot con\u00adtrol my\nbladder",
        "I cannot control my bla\u0301dder",
        "Ｉ ｃａｎｎｏｔ control my bladder",
        "I\u00a0cannot\u2003control\tmy\u2028bladder",
    ],
)
def test_evidence_points_at_the_persons_own_characters(text: str) -> None:
    reading = read(text)
    assert reading.findings == {"bladder_bowel_control_loss"}
    (span,) = reading.evidence
    assert text[span.start : span.end] == span.text
    assert span.text.endswith(("bladder", "bla\u0301dder"))


@given(st.text(max_size=300))
def test_offsets_always_map_back_inside_the_text(text: str) -> None:
    n = normalise(text)
    assert len(n.start) == len(n.end) == len(n.text)
    for i in range(len(n.text)):
        assert 0 <= n.start[i] < n.end[i] <= len(text)
        if i:
            assert n.start[i - 1] <= n.start[i]
