"""First stage: the person's text as the rules read it, with a map back to their own characters.

Text pasted from a phone or typed in a form carries characters that look like nothing or
like something else: non-breaking and em spaces, tabs, line and paragraph separators,
zero-width spaces and joiners, soft hyphens, combining accents, full-width letters,
curly quotes. Every one of them would break a phrase ("bladder" with a soft hyphen is a
new word). normalise() returns the text in Unicode NFKC, lower case, with accents and
invisible characters dropped, quotes and hyphens made plain, every run of spaces one
space, and every line break recorded: a blank line, a break after a full stop, question mark or
semicolon, or before a bullet reads as one newline (a sentence ends there); any other break
may be a line the screen or keyboard wrapped and reads as a space; `start[i]`/`end[i]` give
the original characters behind normalised character i, so evidence points at the
person's exact words.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
DROPPED = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u034f")
_PLAIN = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u0060\u02bc\u02b9\uff07", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\uff02", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2043\u2212\ufe63\uff0d", "-"),
    "\u2014": "\u2013",  # em dash reads as the en dash the rules know
    "\u2026": "...",
}


_ASCII_SPECIAL = frozenset("\n\r\t\v\f\x1c\x1d\x1e`")


@dataclass(frozen=True, slots=True)
class Normalised:
    """The normalised text; for each of its characters the original [start, end); where lines broke."""

    text: str
    start: tuple[int, ...]
    end: tuple[int, ...]
    line_starts: frozenset[int]  # normalised offsets where a new line of the original begins

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) of normalised characters [start, end)."""
        return self.start[start], self.end[end - 1]


@lru_cache(maxsize=4096)
def _char(c: str) -> str:
    """What one character reads as ("" when it is dropped, " " for any space, "\\n" for a line break)."""
    if c in LINE_BREAKS:
        return "\n"
    if c in DROPPED:
        return ""
    plain = _PLAIN.get(c)
    if plain is not None:
        return plain
    if c.isspace() or unicodedata.category(c) == "Zs":
        return " "
    cat = unicodedata.category(c)
    if cat in ("Mn", "Me", "Cf"):
        return ""
    decomposed = unicodedata.normalize("NFKD", c)
    kept = "".join(d for d in decomposed if not unicodedata.combining(d))
    out = unicodedata.normalize("NFKC", kept).lower()
    return "".join(_PLAIN.get(o, o) for o in out)


def normalise(text: str) -> Normalised:
    """Normalise `text` (see the module docstring); offsets map back to it."""
    out: list[str] = []
    start: list[int] = []
    end: list[int] = []
    line_starts: set[int] = set()
    pending_space = -1  # original offset where a run of spaces began
    pending_breaks = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        r = c.lower() if c.isascii() and c not in _ASCII_SPECIAL else _char(c)
        if r == "\n":
            if c == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1  # CR LF is one line break
            pending_breaks += 1
            if pending_space < 0:
                pending_space = i
            i += 1
            continue
        if r == " ":
            if pending_space < 0:
                pending_space = i
            i += 1
            continue
        if not r:
            if start and unicodedata.combining(c) and pending_space < 0:
                end[-1] = i + 1  # an accent belongs to the letter before it
            i += 1
            continue
        if pending_space >= 0:
            if out:
                hard = pending_breaks and (pending_breaks > 1 or out[-1] in _ENDS_LINE or _STARTS_LINE(text, i))
                out.append("\n" if hard else " ")
                start.append(pending_space)
                end.append(i)
                if pending_breaks:
                    line_starts.add(len(out))
            pending_space, pending_breaks = -1, 0
        for ch in r:
            out.append(ch)
            start.append(i)
            end.append(i + 1)
        i += 1
    return Normalised("".join(out), tuple(start), tuple(end), frozenset(line_starts))


def _starts_line(text: str, i: int) -> bool:
    """A line opening with a bullet ("- ", "* ", "1. ") starts a new item; any other line may be one the
    screen or the keyboard wrapped, so it reads on (context still stops at every line break)."""
    c = text[i]
    nxt = text[i + 1 : i + 2]
    if c in _BULLETS:
        return nxt in (" ", "\t", "")
    if c.isdigit():
        j = i
        while j < len(text) and text[j].isdigit():
            j += 1
        return text[j : j + 1] in (".", ")") and text[j + 1 : j + 2] in (" ", "\t")
    return False


_ENDS_LINE = frozenset(".!?;")
_BULLETS = frozenset("-*\u2022\u00b7\u25cf\u25aa\u2013\u2014>#+")
_STARTS_LINE = _starts_line
