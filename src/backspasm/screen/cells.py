"""Column values as a JSON object would hold them: CSV cells parsed, typed columns read as Python values.

A CSV cell is text: a number is parsed, a code list split on ';', a diary read as JSON, and an
empty cell is an absent field, so a bad cell gets the same message as the same value in JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from ..contract import loads_strict
from .columns import CODE_LISTS, INTEGER, NUMBER


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _scalar(cell: str) -> Any:
    s = cell.strip()
    try:
        return int(s)
    except ValueError:
        pass
    try:
        v = float(s)
    except ValueError:
        return cell
    return v if math.isfinite(v) or s.lower() in ("nan", "inf", "-inf", "infinity", "-infinity") else cell


def _codes_cell(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _diary_cell(cell: str) -> Any:
    try:
        return loads_strict(cell)
    except (ValueError, RecursionError):
        return cell  # the contract's message follows: "must be a list, got the string ..."


_CELL: dict[str, Callable[[str], Any]] = {
    **{name: _scalar for name in (*NUMBER, *INTEGER)},
    **{name: _codes_cell for name in CODE_LISTS},
    "diary": _diary_cell,
}


def cells(name: str, values: list[Any]) -> list[Any]:
    """A CSV column's cells as JSON values: numbers parsed, codes split on ';', the diary as JSON; empty is absent."""
    conv = _CELL.get(name)
    if conv is None:
        return values
    return [None if v is None or not v.strip() else conv(v) for v in values]


def typed_values(batch: pa.RecordBatch, name: str) -> list[Any]:
    """A typed column's values (decimals as numbers; code lists or a diary given as text, as in CSV)."""
    column = batch.column(batch.schema.names.index(name))
    if pa.types.is_decimal(column.type):
        column = column.cast(pa.float64())
    values: list[Any] = column.to_pylist()
    return cells(name, values) if _is_text(column.type) and name in _CELL else values


__all__ = ["cells", "typed_values"]
