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


def read_many(texts: list[str]) -> list[Reading]:
    """Readings of many texts, in order (a batch through spaCy's nlp.pipe)."""
    from .reader import read_many as _read_many

    return _read_many(texts)


__all__ = ["EMPTY", "Reading", "read", "read_many"]
