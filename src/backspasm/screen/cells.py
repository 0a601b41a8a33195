"""Column values as a JSON object would hold them: CSV cells parsed, typed columns read flat.

A CSV cell is text: a number is parsed, a code list split on ';', a diary read as JSON, and an
empty cell is an absent field, so a bad cell gets the same message as the same value in JSON.
A typed diary column is read as flat arrays, so each row's entries are checked without
building a record per entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
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


class DiaryColumn:
    """A typed diary column as flat arrays, so each row's entries are checked without building records."""

    def __init__(self, column: pa.Array):
        self.text = _is_text(column.type) or pa.types.is_null(column.type)
        if self.text:  # JSON text, or no diary at all: the exact way parses and checks it
            self.cells = column.to_pylist()
            return
        self.valid = column.is_valid().to_pylist()
        self.offsets = column.offsets.to_pylist()
        values = column.values
        self.ok = values.is_valid().to_pylist()
        h = values.field("hours_since_onset")
        self.h = (h.cast(pa.float64()) if pa.types.is_decimal(h.type) else h).to_pylist()
        self.p = values.field("pain").to_pylist()

    def has(self, i: int) -> bool:
        if self.text:
            return self.cells[i] is not None and bool(self.cells[i].strip())
        return bool(self.valid[i]) and bool(self.offsets[i + 1] > self.offsets[i])

    def pairs(self, i: int) -> Iterable[tuple[Any, Any]] | None:
        """Row i's (hours_since_onset, pain) entries, or None when only the exact way can read them."""
        if self.text:
            return None  # JSON text: the exact way parses and checks it
        a, b = self.offsets[i], self.offsets[i + 1]
        if not all(self.ok[a:b]):
            return None
        return zip(self.h[a:b], self.p[a:b], strict=True)


__all__ = ["DiaryColumn", "cells", "typed_values"]
