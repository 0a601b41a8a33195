"""JSON text to Python values, refusing what `json.loads` would silently accept.

An object that repeats a key (the second `findings` would replace the first) and
an integer too long to be any field's value (Python refuses to convert over 4,300
digits, with an error no caller expects) are bad input naming where they are.
"""

from __future__ import annotations

import json
from typing import Any

from .contract import BadInput

MAX_DIGITS = 40  # no field takes an integer anywhere near this long


class _Repeats(dict[str, Any]):
    """An object in which `key` was given more than once."""

    repeated: str = ""


class _LongInteger:
    """Stands in for an integer literal of `digits` digits until its place is found."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _path(parent: str, key: int | str) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _locate(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first problem left in the parsed value, with its location (depth-first, in document order)."""
    if isinstance(value, _LongInteger):
        return path, f"is a number with {value.digits} digits: out of range"
    if isinstance(value, dict):
        if isinstance(value, _Repeats) and value.repeated:
            return _path(path, value.repeated), "is given more than once in the same object; give each field once"
        for k, item in value.items():
            found = _locate(item, _path(path, k))
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _locate(item, _path(path, i))
            if found:
                return found
    return None


def loads(raw: str | bytes) -> Any:
    """Decode JSON text; BadInput (naming the place) for invalid JSON, a repeated key or an over-long integer."""
    flagged = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal flagged
        out = dict(items)
        if len(out) == len(items):  # the common case, decided in C
            return out
        flagged = True
        marked = _Repeats(out)
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                marked.repeated = key
                break
            seen.add(key)
        return marked

    def integer(text: str) -> Any:
        nonlocal flagged
        digits = len(text.lstrip("-"))
        if digits > MAX_DIGITS:
            flagged = True
            return _LongInteger(digits)
        return int(text)

    try:
        data = json.loads(raw, object_pairs_hook=pairs, parse_int=integer)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        where = f" at line {e.lineno} column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        raise BadInput([("", f"input is not valid JSON{where}: {e.msg if hasattr(e, 'msg') else e}")]) from None
    except RecursionError:
        raise BadInput([("", "input is nested too deeply")]) from None
    if flagged:
        try:
            found = _locate(data)
        except RecursionError:
            found = ("", "input is nested too deeply")
        if found:
            raise BadInput([found])
    return data
