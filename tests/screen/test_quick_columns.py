"""The column-at-a-time quick way gives, row for row, what validation + assess give, whatever the column types.

Tables here mix the awkward cases on purpose: null codes inside lists, repeated codes, a derived code
listed, diary entries that are null or out of range, blank texts Python and Arrow might see differently,
`unsure` lists, hours as integers, decimals or float32, and batches that are slices of a larger one.
"""

from __future__ import annotations

import decimal
import math
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from screen_strategies import REPORTABLE, assessments
from screen_tables import expected_outcome

from backspasm.codes import CONDITION_CODES
from backspasm.screen.quick import quick_columns
from backspasm.screen.rows import Screener

CODE = st.one_of(st.sampled_from(REPORTABLE), st.sampled_from(["long_duration", "fevr", "", None]))
CONDITION = st.one_of(st.sampled_from(CONDITION_CODES), st.sampled_from(["asthma", None]))
ENTRY = st.one_of(
    st.none(),
    st.fixed_dictionaries({
        "hours_since_onset": st.one_of(st.none(), st.floats(-1, 9000), st.sampled_from([0.0, 72.0])),
        "pain": st.one_of(st.none(), st.integers(-1, 11)),
    }),
)
TEXT = st.sampled_from([None, "", " ", "\u00a0", "\u2003\n", "\x1c", "sore back", "x" * 5001, " " * 5001])


@st.composite
def odd_rows(draw: st.DrawFn) -> dict[str, Any]:
    """A row as a typed table holds it: usually a valid assessment, often with one awkward value."""
    row: dict[str, Any] = dict(draw(assessments()))
    pick = draw(st.integers(0, 12))
    if pick == 0:
        row["findings"] = draw(st.lists(CODE, max_size=4))
    elif pick == 1:
        row["denied"] = draw(st.lists(CODE, max_size=4))
    elif pick == 2:
        row["conditions"] = draw(st.lists(CONDITION, max_size=3))
    elif pick == 3:
        row["diary"] = draw(st.lists(ENTRY, max_size=4))
    elif pick == 4:
        row["text"] = draw(TEXT)
    elif pick == 5:
        row["unsure"] = draw(st.lists(st.sampled_from(REPORTABLE), max_size=2))
    elif pick == 6:
        row["hours_since_onset"] = draw(st.sampled_from([None, -0.5, 8760.0, 8760.5, math.nan, math.inf]))
    elif pick == 7:
        row["pain"] = draw(st.sampled_from([None, -1, 0, 7, 10, 11, 200]))
    elif pick == 8:
        row["age"] = draw(st.sampled_from([-1, 0, 120, 121]))
    elif pick == 9:
        row["locale"] = draw(st.sampled_from(["en-US", "en-GB", "en_GB", "EN-us", "fr-FR", ""]))
    elif pick == 10 and row.get("findings"):
        row["findings"] = [*row["findings"], row["findings"][0]]
    return row


HOURS_TYPES = [pa.float64(), pa.float32(), pa.int64(), pa.decimal128(12, 3)]
PAIN_TYPES = [pa.int8(), pa.int32(), pa.int64()]


def _table(rows: list[dict[str, Any]], hours_type: pa.DataType, pain_type: pa.DataType) -> pa.Table:
    def hours(v: Any) -> Any:
        if v is None or (not pa.types.is_integer(hours_type) and not pa.types.is_decimal(hours_type)):
            return v
        if not math.isfinite(v):
            return None  # an integer or decimal column cannot hold it: the value is missing instead
        return int(v) if pa.types.is_integer(hours_type) else decimal.Decimal(str(round(v, 3)))

    codes = pa.list_(pa.string())
    diary = pa.list_(pa.struct([("hours_since_onset", pa.float64()), ("pain", pa.int32())]))
    columns = {
        "id": (pa.int64(), list(range(len(rows)))),
        "hours_since_onset": (hours_type, [hours(r.get("hours_since_onset")) for r in rows]),
        "pain": (pain_type, [r.get("pain") if r.get("pain") is None or -128 <= r["pain"] < 128 else None for r in rows]),
        "age": (pa.int16(), [r.get("age") for r in rows]),
        "findings": (codes, [r.get("findings") for r in rows]),
        "denied": (codes, [r.get("denied") for r in rows]),
        "unsure": (codes, [r.get("unsure") for r in rows]),
        "conditions": (codes, [r.get("conditions") for r in rows]),
        "diary": (diary, [r.get("diary") for r in rows]),
        "text": (pa.string(), [r.get("text") for r in rows]),
        "locale": (pa.string(), [r.get("locale") for r in rows]),
    }
    return pa.table({name: pa.array(values, typ) for name, (typ, values) in columns.items()})


def _rows_as_read(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """Each row as the exact way reads it (decimals as floats), missing values left out."""
    hours = batch.column("hours_since_onset")
    if pa.types.is_decimal(hours.type):
        batch = batch.set_column(batch.schema.get_field_index("hours_since_onset"), "hours_since_onset",
                                 hours.cast(pa.float64()))
    return [{k: v for k, v in row.items() if v is not None and k != "id"} for row in batch.to_pylist()]


def _got(batch: pa.RecordBatch) -> list[tuple[Any, ...]]:
    cols = batch.to_pydict()
    return list(zip(cols["urgency"], cols["reasons"], cols["to_ask"], cols["error"], strict=True))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(odd_rows(), min_size=1, max_size=12), st.sampled_from(HOURS_TYPES), st.sampled_from(PAIN_TYPES),
       st.integers(0, 3))
def test_awkward_typed_rows_get_what_validation_and_assess_give(
    rows: list[dict[str, Any]], hours_type: pa.DataType, pain_type: pa.DataType, skip: int
) -> None:
    table = _table(rows, hours_type, pain_type)
    batch = table.combine_chunks().to_batches()[0].slice(min(skip, len(rows) - 1))  # a slice starts mid-buffer
    assert _got(Screener().table(batch, 1, False)) == [expected_outcome(row) for row in _rows_as_read(batch)]


def test_rows_the_quick_way_doubts_are_declined_not_guessed() -> None:
    rows = [
        {"hours_since_onset": 5.0, "pain": 3},  # plainly valid
        {"hours_since_onset": 5.0, "pain": 3, "findings": ["fever", None]},
        {"hours_since_onset": 5.0, "pain": 3, "findings": ["fever", "fever"]},
        {"hours_since_onset": 5.0, "pain": 3, "denied": ["long_duration"]},
        {"hours_since_onset": 5.0, "pain": 3, "diary": [None]},
        {"hours_since_onset": 5.0, "pain": 3, "diary": [{"hours_since_onset": 6.0, "pain": 3}]},
        {"hours_since_onset": 5.0, "pain": 3, "text": "\u00a0"},  # blank to Python: quick
        {"hours_since_onset": 5.0, "pain": 3, "text": "numb"},
        {"hours_since_onset": 5.0, "pain": 3, "unsure": ["fever"]},
        {"hours_since_onset": 5.0, "pain": 3, "unsure": []},
    ]
    q = quick_columns(_table(rows, pa.float64(), pa.int32()).to_batches()[0])
    assert q.ok.tolist() == [True, False, False, False, False, False, True, False, False, True]
