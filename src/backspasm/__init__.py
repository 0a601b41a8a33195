"""backspasm: back-spasm triage and care planning from a person's answers and words.

    >>> from backspasm import assess, parse_assessment
    >>> assess(parse_assessment({"hours_since_onset": 2, "pain": 3})).urgency
    'self_care'

The public names load on first use, so `backspasm --help` does not pay for Pydantic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .assess import assess, assess_many
    from .contract import Assessment, BadInput, parse_assessment, parse_json, parse_many
    from .result import Result

_WHERE = {
    "assess": ".assess",
    "assess_many": ".assess",
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
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'backspasm' has no attribute {name!r}")
