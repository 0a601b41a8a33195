"""The phrase table (phrases.yaml): every row read as a careful clinician would read it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from backspasm.codes import CONDITION_CODES, FINDING_CODES
from backspasm.text import read

TABLE: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "phrases.yaml").read_text(encoding="utf-8"))
EMERGENCY = {"bladder_bowel_control_loss", "saddle_numbness", "bilateral_leg_symptoms", "chest_pain"}
RULED_OUT_KINDS = {"negated", "hypothetical", "family", "historical"}
KINDS = {"positive", "negated", "hypothetical", "family", "historical", "mixed", "number", "condition"}


def _found(text: str) -> set[str]:
    reading = read(text)
    return set(reading.findings) | set(reading.conditions)


def test_the_table_is_large_and_covers_every_kind_of_context() -> None:
    assert len(TABLE) >= 300
    assert {row["kind"] for row in TABLE} == KINDS
    codes = {c for row in TABLE for c in (*row.get("present", ()), *row.get("absent", ()))}
    readable = (set(FINDING_CODES) - {"long_duration"}) | set(CONDITION_CODES)
    assert codes <= readable
    assert readable <= codes, f"no row for {sorted(readable - codes)}"


def test_rows_are_well_formed() -> None:
    for row in TABLE:
        assert set(row) <= {"kind", "text", "present", "absent"}, row
        assert row["kind"] in KINDS, row
        assert row.get("present") or row.get("absent"), row
        assert not set(row.get("present", ())) & set(row.get("absent", ())), row


@pytest.mark.parametrize("row", TABLE, ids=[f"{i:03d}-{r['kind']}" for i, r in enumerate(TABLE)])
def test_phrase_reads_as_expected(row: dict[str, Any]) -> None:
    found = _found(row["text"])
    assert set(row.get("present", ())) <= found, f"missed in {row['text']!r}: got {sorted(found)}"
    assert not set(row.get("absent", ())) & found, f"raised from {row['text']!r}: got {sorted(found)}"


def test_every_emergency_finding_in_the_table_is_caught() -> None:
    missed = [
        (row["text"], code)
        for row in TABLE
        for code in set(row.get("present", ())) & EMERGENCY
        if code not in _found(row["text"])
    ]
    assert missed == []


def test_no_finding_is_raised_from_a_negated_feared_family_or_resolved_mention() -> None:
    raised = [
        (row["text"], sorted(set(row.get("absent", ())) & _found(row["text"]))) for row in TABLE if row["kind"] in RULED_OUT_KINDS
    ]
    assert [r for r in raised if r[1]] == []
