"""backspasm: back-spasm triage and care planning from a person's answers and words.

    >>> from backspasm import assess, parse_assessment
    >>> assess(parse_assessment({"hours_since_onset": 2, "pain": 3})).urgency
    'self_care'

The public names load on first use, so `backspasm --help` does not pay for Pydantic.
No submodule shares a name with them (the pipeline lives in `engine`), so importing a
submodule can never shadow one.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .contract import Assessment, BadInput, parse_assessment, parse_json, parse_many
    from .engine import assess, assess_many
    from .result import Result

_WHERE = {
    "assess": ".engine",
    "assess_many": ".engine",
    "Assessment": ".contract",
    "BadInput": ".contract",
    "parse_assessment": ".contract",
    "parse_json": ".contract",
    "parse_many": ".contract",
    "Result": ".result",
}

__all__ = ["Assessment", "BadInput", "Result", "assess", "assess_many", "parse_assessment", "parse_json", "parse_many"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'backspasm' has no attribute {name!r}")
    value = getattr(import_module(where, __name__), name)
    globals()[name] = value
    return value
