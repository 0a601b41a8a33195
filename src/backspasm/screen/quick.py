"""The quick way over whole columns: which rows of a typed batch are plainly valid, and their findings as bits.

Each check is one pass over a column (Arrow compute and NumPy), not a Python loop over rows: a
range test on a number column, a code lookup on the flattened values of a code list, a diary's
entries checked and reduced per row. A row any check doubts (and every row with words to read or
answers the person was unsure of) is left to the exact way, which validates it as `backspasm
assess` does; so these checks may decline more than needed, never less.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES, LOCALES
from ..contract import MAX_HOURS, MAX_TEXT
from ..findings import LONG_DURATION_HOURS, MEANINGFUL_CHANGE, NOT_IMPROVING_AFTER_HOURS, SEVERE_PAIN
from .cells import cells

# Bit i is FINDING_CODES[i]; the codes a person may list, and the conditions, in lookup order.
BIT: dict[str, int] = {code: 1 << i for i, code in enumerate(FINDING_CODES)}
_LISTABLE = [c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS]
_LISTABLE_BITS = np.array([BIT[c] for c in _LISTABLE], np.int64)
_LISTABLE_SET = pa.array(_LISTABLE, pa.string())
_CONDITION_SET = pa.array(CONDITION_CODES, pa.string())
_LOCALE_SET = pa.array(LOCALES, pa.string())

Bools = np.ndarray[Any, np.dtype[np.bool_]]
Ints = np.ndarray[Any, np.dtype[np.int64]]
Floats = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class QuickColumns:
    """Per row: whether it takes the quick way, and (where it does) its hours and findings as bit masks."""

    ok: Bools
    hours: Floats
    found: Ints  # listed or derived from the numbers and the diary
    denied: Ints


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _flag(values: pa.Array | pa.ChunkedArray) -> Bools:
    """A boolean column as NumPy, null read as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _column(batch: pa.RecordBatch, name: str) -> pa.Array | None:
    """The column, or None when it is absent or of the null type (every value missing)."""
    names = batch.schema.names
    if name not in names:
        return None
    column = batch.column(names.index(name))
    return None if pa.types.is_null(column.type) else column


def _numbers(column: pa.Array, low: float, high: float) -> tuple[Bools, Floats]:
    """(within [low, high] and present, the values as float64 with 0 elsewhere). NaN is never within."""
    if pa.types.is_decimal(column.type):
        column = column.cast(pa.float64())
    within = pc.and_(pc.greater_equal(column, low), pc.less_equal(column, high))
    ok = _flag(within)
    values = pc.if_else(within, column, 0).cast(pa.float64())
    return ok, np.asarray(pc.fill_null(values, 0).to_numpy(zero_copy_only=False), dtype=np.float64)


def _code_list(column: pa.Array, name: str) -> pa.Array:
    """A code list column as list<string> (a text column, as in CSV, split on ';' the way the exact way splits it)."""
    if _is_text(column.type):
        return pa.array(cells(name, column.to_pylist()), pa.list_(pa.string()))
    if not pa.types.is_string(column.type.value_type):
        column = column.cast(pa.list_(pa.string()))
    return column


def _parents(column: pa.Array) -> tuple[Ints, Ints]:
    """(each row's list length, which row each flattened value is in): list_flatten leaves out null
    lists whatever their extent, so the lengths count a null list as empty."""
    lengths = np.asarray(pc.fill_null(pc.list_value_length(column), 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    return lengths, np.repeat(np.arange(len(column)), lengths)


def _lookup(column: pa.Array, known: pa.Array) -> tuple[Bools, Ints, Ints]:
    """For a code list: (rows with a code not in `known` or a null code, each code's place in `known`
    for the codes of the other rows, which row each such code is in)."""
    n = len(column)
    _, parents = _parents(column)
    places = pc.index_in(pc.list_flatten(column), value_set=known)
    found = _flag(pc.is_valid(places))
    bad = np.zeros(n, np.bool_)
    bad[parents[~found]] = True
    return bad, np.asarray(pc.fill_null(places, 0).to_numpy(zero_copy_only=False), dtype=np.int64), parents


def _masks(column: pa.Array, name: str) -> tuple[Bools, Bools, Ints]:
    """(rows with an unknown code, rows listing a code twice, each row's codes as bits) of a findings-like column."""
    n = len(column)
    bad, places, parents = _lookup(_code_list(column, name), _LISTABLE_SET)
    bits = _LISTABLE_BITS[places]
    mask = np.zeros(n, np.int64)
    np.bitwise_or.at(mask, parents, bits)
    # A code twice sets its bit once: the bits' sum then differs from their union (float64 sums
    # of these bits are exact).
    total = np.bincount(parents, weights=bits, minlength=n)
    return bad, total != mask, mask


def _diary(column: pa.Array, hours: Floats, pain: Floats) -> tuple[Bools, Ints]:
    """(rows whose diary the exact way must read, not_improving and worsening as bits), as `rows._trend`."""
    n = len(column)
    if _is_text(column.type):  # JSON text: any diary at all goes the exact way, which parses it
        return np.array([v is not None and bool(v.strip()) for v in column.to_pylist()], np.bool_), np.zeros(n, np.int64)
    lengths, parents = _parents(column)
    entries = pc.list_flatten(column)
    eh_col = pc.struct_field(entries, "hours_since_onset")
    ep_col = pc.struct_field(entries, "pain")
    if pa.types.is_null(eh_col.type) or pa.types.is_null(ep_col.type):
        return lengths > 0, np.zeros(n, np.int64)
    h_ok, eh = _numbers(eh_col, 0, MAX_HOURS)
    p_ok, ep = _numbers(ep_col, 0, 10)
    good = _flag(pc.is_valid(entries)) & h_ok & p_ok & (eh <= hours[parents])
    bad = np.zeros(n, np.bool_)
    bad[parents[~good]] = True
    trend = np.zeros(n, np.int64)
    if len(parents):
        lowest = np.full(n, 10.0)
        np.minimum.at(lowest, parents, ep)
        order = np.lexsort((ep, eh, parents))  # per row, the earliest entry first (ties: the lowest pain)
        firsts = order[np.r_[True, parents[order][1:] != parents[order][:-1]]]
        first_pain = np.zeros(n)
        first_pain[parents[firsts]] = ep[firsts]
        has = lengths > 0
        trend |= np.where(has & (hours >= NOT_IMPROVING_AFTER_HOURS) & (pain > first_pain - MEANINGFUL_CHANGE),
                          BIT["not_improving"], 0)
        trend |= np.where(has & (pain >= lowest + MEANINGFUL_CHANGE), BIT["worsening"], 0)
    return bad, trend


def _words(column: pa.Array) -> Bools:
    """Rows with words to read (or a text too long): anything but a missing, empty or blank text."""
    if pa.types.is_string_view(column.type):
        column = column.cast(pa.large_string())
    out = _flag(pc.greater(pc.utf8_length(column), 0))
    for i in np.flatnonzero(out):  # blank as Python's str.strip sees it, the test the exact way applies
        words = column[int(i)].as_py()
        out[i] = len(words) > MAX_TEXT or bool(words.strip())
    return out


def quick_columns(batch: pa.RecordBatch) -> QuickColumns:
    """The quick way's view of a typed batch (column types already checked against columns.py)."""
    n = batch.num_rows
    ok = np.ones(n, np.bool_)
    hours = _column(batch, "hours_since_onset")
    pain = _column(batch, "pain")
    if hours is None or pain is None or not pa.types.is_integer(pain.type):
        return QuickColumns(np.zeros(n, np.bool_), np.zeros(n), np.zeros(n, np.int64), np.zeros(n, np.int64))
    h_ok, h = _numbers(hours, 0, MAX_HOURS)
    p_ok, p = _numbers(pain, 0, 10)
    ok &= h_ok & p_ok
    age = _column(batch, "age")
    if age is not None:
        ok &= _flag(pc.or_kleene(pc.is_null(age), pc.and_(pc.greater_equal(age, 0), pc.less_equal(age, 120))))
    locale = _column(batch, "locale")
    if locale is not None:
        if pa.types.is_string_view(locale.type):
            locale = locale.cast(pa.string())
        ok &= _flag(pc.or_kleene(pc.is_null(locale), pc.is_in(locale, value_set=_LOCALE_SET)))
    text = _column(batch, "text")
    if text is not None:
        ok &= ~_words(text)
    unsure = _column(batch, "unsure")
    if unsure is not None:  # answers the person was unsure of count as present: the exact way takes them
        ok &= ~_flag(pc.greater(pc.list_value_length(_code_list(unsure, "unsure")), 0))
    found = np.zeros(n, np.int64)
    findings = _column(batch, "findings")
    if findings is not None:
        unknown, repeated, found = _masks(findings, "findings")
        ok &= ~unknown & ~repeated
    denied_bits = np.zeros(n, np.int64)
    denied = _column(batch, "denied")
    if denied is not None:
        unknown, _, denied_bits = _masks(denied, "denied")
        ok &= ~unknown
    conditions = _column(batch, "conditions")
    if conditions is not None:
        ok &= ~_lookup(_code_list(conditions, "conditions"), _CONDITION_SET)[0]
    diary = _column(batch, "diary")
    if diary is not None:
        bad, trend = _diary(diary, h, p)
        ok &= ~bad
        found |= trend
    found |= np.where(p >= SEVERE_PAIN, BIT["severe_pain"], 0)
    found |= np.where(h >= LONG_DURATION_HOURS, BIT["long_duration"], 0)
    return QuickColumns(ok, h, found, denied_bits)


__all__ = ["BIT", "QuickColumns", "quick_columns"]
