"""Reading a person's own words into findings and conditions.

`read(text)` is the entry point; the NLP pipeline behind it loads on first use, so
assessments without text never pay for it.
"""

from __future__ import annotations

from .reading import EMPTY, Reading


def read(text: str) -> Reading:
    """The findings, conditions and numbers that `text` states as present."""
    from .reader import read as _read

    return _read(text)


__all__ = ["EMPTY", "Reading", "read"]
