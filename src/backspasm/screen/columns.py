"""The input table's columns: which may appear, which must, and what type each must have.

A table is checked once, by its schema, before any row is read: a missing required
column, an unknown column (a misspelt `finding` would hide every red flag in it) or a
column of the wrong type stops the run with the column named. Values are checked row by
row later (rows.py), where one bad row only marks that row.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pyarrow as pa

from ..contract import Assessment, BadInput, DiaryEntry

FIELDS: tuple[str, ...] = tuple(Assessment.model_fields)
ID = "id"
COLUMNS: tuple[str, ...] = (ID, *FIELDS)
REQUIRED: tuple[str, ...] = tuple(name for name, f in Assessment.model_fields.items() if f.is_required())
DIARY_FIELDS: tuple[str, ...] = tuple(DiaryEntry.model_fields)

NUMBER = ("hours_since_onset",)
INTEGER = ("pain", "age")
CODE_LISTS = ("findings", "denied", "unsure", "conditions")
TEXT = ("text", "locale")


class TableError(BadInput):
    """A table that cannot be screened at all: each error names the column."""


def _is_text(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def _is_list(t: pa.DataType) -> bool:
    return bool(pa.types.is_list(t) or pa.types.is_large_list(t))


def _is_number(t: pa.DataType) -> bool:
    return bool(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t))


def _guess(name: str, known: Iterable[str]) -> str:
    """The near miss to suggest: a close spelling, else a known name this one begins or ends (`hours`)."""
    options = list(known)
    match = difflib.get_close_matches(name, options, n=1)
    low = name.lower()
    if not match and len(low) >= 3:
        match = [k for k in options if k.startswith(low) or k.endswith(low) or low.startswith(k)][:1]
    return f" (did you mean '{match[0]}'?)" if match else ""


def _diary_errors(t: pa.DataType) -> list[tuple[str, str]]:
    """A typed diary column: a list of structs with hours_since_onset (a number) and pain (an integer)."""
    if _is_text(t) or pa.types.is_null(t):
        return []  # JSON text, checked row by row
    if not _is_list(t) or not pa.types.is_struct(t.value_type):
        return [("diary", f"column must be a list of {{hours_since_onset, pain}} records (or JSON text), got {t}")]
    entry = t.value_type
    out: list[tuple[str, str]] = []
    names = [entry.field(i).name for i in range(entry.num_fields)]
    for name in names:
        if name not in DIARY_FIELDS:
            out.append((f"diary.{name}", f"unknown field{_guess(name, DIARY_FIELDS)}; allowed fields: {', '.join(DIARY_FIELDS)}"))
    for name, ok, want in (("hours_since_onset", _is_number, "a number"), ("pain", pa.types.is_integer, "an integer")):
        if name not in names:
            out.append((f"diary.{name}", "required field is missing from the diary records"))
            continue
        ft = entry.field(name).type
        if not ok(ft) and not pa.types.is_null(ft):
            out.append((f"diary.{name}", f"must be {want}, got {ft}"))
    return out


def check_schema(schema: pa.Schema, *, text_cells: bool = False, need_id: bool = False) -> None:
    """Refuse a table whose columns cannot be screened, naming every problem column.

    `text_cells`: every column arrives as text (CSV), so types are checked per cell instead.
    `need_id`: the engine cannot number rows itself (Spark), so an `id` column is required.
    """
    errors: list[tuple[str, str]] = []
    names = list(schema.names)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append((name, "column appears more than once"))
        seen.add(name)
        if name not in COLUMNS:
            errors.append((name, f"unknown column{_guess(name, COLUMNS)}; allowed columns: {', '.join(COLUMNS)}"))
    for name in REQUIRED:
        if name not in seen:
            errors.append((name, "required column is missing"))
    if need_id and ID not in seen:
        errors.append((ID, "required column is missing (rows of a distributed table have no stable number of their own)"))
    if not text_cells:
        for name in names:
            if name in COLUMNS:
                errors += _type_errors(name, schema.field(name).type)
    if errors:
        raise TableError(errors)


def _type_errors(name: str, t: pa.DataType) -> list[tuple[str, str]]:
    if pa.types.is_null(t) or name == ID:
        return []
    if name in NUMBER and not _is_number(t):
        return [(name, f"column must hold numbers, got {t}")]
    if name in INTEGER and not pa.types.is_integer(t):
        return [(name, f"column must hold integers, got {t}" + (" (cast it to an integer type)" if _is_number(t) else ""))]
    if name in CODE_LISTS and not (_is_text(t) or (_is_list(t) and (_is_text(t.value_type) or pa.types.is_null(t.value_type)))):
        return [(name, f"column must hold lists of codes (or ';'-separated text), got {t}")]
    if name in TEXT and not _is_text(t):
        return [(name, f"column must hold text, got {t}")]
    if name == "diary":
        return _diary_errors(t)
    return []


__all__ = ["CODE_LISTS", "COLUMNS", "FIELDS", "ID", "REQUIRED", "TableError", "check_schema"]
