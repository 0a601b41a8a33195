"""The quick way through the screen gives exactly what validation + assess give, row for row."""

from __future__ import annotations

import json
import math
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from screen_strategies import BAD_VALUES, batches, maybe_bad
from screen_tables import arrow_table, expected_outcome

from backspasm.screen.rows import Screener


def _got(batch: pa.RecordBatch) -> list[tuple[Any, ...]]:
    cols = batch.to_pydict()
    return list(zip(cols["urgency"], cols["reasons"], cols["to_ask"], cols["error"], strict=True))


def _typed_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a typed table can hold: a missing value is a null (NaN stays a number)."""
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(maybe_bad(), min_size=1, max_size=8))
def test_typed_table_rows_get_what_validation_and_assess_give(rows: list[dict[str, Any]]) -> None:
    rows = _typed_rows(rows)
    batch = arrow_table(rows).to_batches()[0]
    assert _got(Screener().table(batch, 1, False)) == [expected_outcome(r) for r in rows]


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(batches(500))
def test_many_rows_sharing_decisions_get_what_assess_gives(rows: list[dict[str, Any]]) -> None:
    batch = arrow_table(rows).to_batches()[0]
    screener = Screener()
    assert _got(screener.table(batch, 1, False)) == [expected_outcome(r) for r in rows]
    assert screener.distinct_decisions < len(rows)  # decided once per distinct key


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(maybe_bad(), min_size=1, max_size=8))
def test_json_lines_get_what_validation_and_assess_give(rows: list[dict[str, Any]]) -> None:
    lines = [json.dumps({"id": f"r{i}", **row}) for i, row in enumerate(rows)]
    got = Screener().lines(lines, list(range(1, len(rows) + 1)))
    assert got.column("id").to_pylist() == [f"r{i}" for i in range(len(rows))]
    want = [expected_outcome({k: v for k, v in r.items()}) for r in rows]
    for (g, w), row in zip(zip(_got(got), want, strict=True), rows, strict=True):
        if any(isinstance(v, float) and math.isnan(v) for v in row.values()):
            assert g[0] is None and "not valid JSON" not in (g[3] or "")  # NaN is not JSON; it is refused all the same
        else:
            assert g == w


@pytest.mark.parametrize(("field", "value"), [b for b in BAD_VALUES if b[1] is not None and b[0] != "hours_since_onset"])
def test_a_bad_csv_cell_gets_the_message_the_cli_gives(field: str, value: Any) -> None:
    row = {"hours_since_onset": "30", "pain": "4", field: ";".join(value) if isinstance(value, list) else str(value)}
    names = list(row)
    batch = pa.RecordBatch.from_arrays([pa.array([row[n]], pa.string()) for n in names], names=names)
    [(urgency, _, _, error)] = _got(Screener().table(batch, 1, True))
    assert urgency is None
    assert error == expected_outcome({"hours_since_onset": 30, "pain": 4, field: value})[3]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", "hours_since_onset: must be a number, got the string 'abc'"),
        ("9000", "hours_since_onset: 9000 is out of range (allowed: 0 to 8760)"),
    ],
)
def test_a_csv_number_that_is_not_one_is_named(cell: str, message: str) -> None:
    batch = pa.RecordBatch.from_arrays([pa.array([cell]), pa.array(["3"])], names=["hours_since_onset", "pain"])
    assert _got(Screener().table(batch, 1, True))[0][3] == message


def test_a_csv_diary_is_json_and_code_lists_are_semicolon_separated() -> None:
    diary = json.dumps([{"hours_since_onset": 2, "pain": 9}])
    names = ["hours_since_onset", "pain", "findings", "diary"]
    batch = pa.RecordBatch.from_arrays([pa.array([v]) for v in ("80", "8", "leg_tingling; injury", diary)], names=names)
    [(urgency, reasons, _, error)] = _got(Screener().table(batch, 1, True))
    want = expected_outcome({"hours_since_onset": 80, "pain": 8, "findings": ["leg_tingling", "injury"],
                      "diary": [{"hours_since_onset": 2, "pain": 9}]})
    assert (urgency, reasons, error) == (want[0], want[1], None)
    assert "not_improving" in reasons


def test_text_is_read_and_its_words_are_the_evidence() -> None:
    names = ["hours_since_onset", "pain", "text"]
    batch = pa.RecordBatch.from_arrays(
        [pa.array([10.0]), pa.array([3], pa.int32()), pa.array(["I can't control my bladder"])], names=names)
    out = Screener().table(batch, 1, False).to_pylist()[0]
    assert out["urgency"] == "emergency"
    assert out["evidence"][0]["code"] == "bladder_bowel_control_loss"
    assert out["evidence"][0]["text"] in "I can't control my bladder"


def test_a_json_line_that_repeats_a_key_or_is_not_json_is_a_bad_row_with_its_line() -> None:
    lines = ['{"hours_since_onset": 1, "pain": 2, "pain": 9}', "{not json", '{"hours_since_onset": 1, "pain": 2}']
    out = Screener().lines(lines, [3, 4, 5]).to_pylist()
    assert out[0]["id"] == "3" and "'pain' appears more than once" in out[0]["error"]
    assert out[1]["error"].startswith("line 4: not valid JSON")
    assert out[2]["error"] is None and out[2]["urgency"] == "self_care"
