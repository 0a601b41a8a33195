"""Building input tables for the screen tests: Arrow tables in the input's column types."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from backspasm import BadInput, assess, parse_assessment

DIARY = pa.list_(pa.struct([("hours_since_onset", pa.float64()), ("pain", pa.int32())]))
SCHEMA = pa.schema([
    ("id", pa.int64()),
    ("hours_since_onset", pa.float64()),
    ("pain", pa.int32()),
    ("age", pa.int32()),
    ("findings", pa.list_(pa.string())),
    ("denied", pa.list_(pa.string())),
    ("conditions", pa.list_(pa.string())),
    ("diary", DIARY),
    ("text", pa.string()),
    ("locale", pa.string()),
])


def arrow_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows (contract dicts) as a typed table with ids 0..n-1."""
    return pa.Table.from_pylist([{"id": i, **row} for i, row in enumerate(rows)], schema=SCHEMA)


def engine_triage(rows: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(urgency, reason codes) for each row, from the engine itself."""
    out = []
    for row in rows:
        r = assess(parse_assessment(row))
        out.append((r.urgency, [c.code for c in r.reasons]))
    return out


def expected_outcome(row: dict[str, Any]) -> tuple[Any, ...]:
    """(urgency, reasons, to_ask, error) as `backspasm assess` would give them."""
    try:
        r = assess(parse_assessment(row))
    except BadInput as e:
        return None, None, None, str(e)
    return r.urgency, [c.code for c in r.reasons], list(r.to_ask), None
