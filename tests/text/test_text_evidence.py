"""Evidence: the exact words behind each finding, with offsets into the original text."""

from __future__ import annotations

from backspasm import assess, parse_assessment
from backspasm.text import read


def test_each_code_has_one_span_that_slices_the_text_exactly() -> None:
    text = "Slipped on the stairs yesterday, pins and needles down my left leg since. Temp 38.6C!"
    reading = read(text)
    codes = [e.code for e in reading.evidence]
    assert sorted(codes) == sorted(set(codes))
    assert set(codes) == reading.findings | reading.conditions
    for e in reading.evidence:
        assert text[e.start : e.end] == e.text
    by_code = {e.code: e.text for e in reading.evidence}
    assert by_code["fever"] == "38.6C"
    assert "pins and needles" in by_code["leg_tingling"]
    assert by_code["injury"].lower().startswith("slipped")


def test_offsets_survive_odd_spacing_case_and_misspellings() -> None:
    text = "  I   CANT   pee\n\nand ive got NUMBNES  in my leg"
    reading = read(text)
    assert {"bladder_bowel_control_loss", "leg_numbness"} <= reading.findings
    for e in reading.evidence:
        assert text[e.start : e.end] == e.text
        assert e.text == e.text.strip()


def test_conditions_carry_evidence_too() -> None:
    text = "I'm on warfarin and 24 weeks pregnant"
    reading = read(text)
    assert reading.conditions == {"blood_thinner", "pregnancy"}
    assert {e.code: e.text for e in reading.evidence}["blood_thinner"] == "warfarin"


def test_the_result_marks_findings_read_from_text() -> None:
    a = parse_assessment({"hours_since_onset": 20, "pain": 4, "text": "tingling in both legs since yesterday"})
    result = assess(a)
    assert result.urgency == "emergency"
    out = result.as_dict()
    assert {e["code"] for e in out["evidence"]} >= {"bilateral_leg_symptoms", "leg_tingling"}
    for e in out["evidence"]:
        start, end = e["span"]
        assert a.text is not None and a.text[start:end] == e["text"]


def test_empty_and_blank_text_read_as_nothing() -> None:
    for text in ("", "   ", "\n\t"):
        reading = read(text)
        assert not reading.findings and not reading.conditions and not reading.evidence
