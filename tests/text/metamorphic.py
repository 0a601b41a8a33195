"""Changes to a text that must never remove a finding: the metamorphic relations the reader keeps.

Each relation maps a text (and a seed) to a variant; the reader must find in the variant every
finding and condition it finds in the original (and, for a join, in either part).
"""

from __future__ import annotations

import random
from collections.abc import Callable

NEUTRAL_BEFORE = (
    "Hi,", "Hi.", "Hello.", "Lower back spasm.", "Back pain again.", "Quick question.", "Update:", "So,",
    "Long story short.", "Morning all.", "Here goes.", "Thanks for reading.", "Sorry for the long post.",
)  # fmt: skip
NEUTRAL_AFTER = (
    "and my back has been spasming for 3 days", "Thanks.", "Any advice?", "It's been a rough week.",
    "My back has been spasming for 3 days.", "Thanks in advance!", "What should I do?", "Cheers",
    "I have a desk job.", "I'm 44.",
)  # fmt: skip
SPACES = (" ", "  ", "\t", "\u00a0", "\u2003", "\u2009", "\u202f", " \u200b", "\u3000")
INVISIBLE = ("\u200b", "\u00ad", "\u200c", "\u200d", "\u2060", "\ufeff")
BREAKS = ("\n", "\r\n", "\u2028", " \n ")


def before(text: str, rng: random.Random) -> str:
    return rng.choice(NEUTRAL_BEFORE) + rng.choice((" ", "\n", "\n\n")) + text


def after(text: str, rng: random.Random) -> str:
    sep = rng.choice((". ", ".\n", "\n\n", ". "))
    return text.rstrip() + sep + rng.choice(NEUTRAL_AFTER)


def spaces(text: str, rng: random.Random) -> str:
    """Every space becomes some other kind of space."""
    return "".join(rng.choice(SPACES) if c == " " else c for c in text)


def invisible(text: str, rng: random.Random) -> str:
    """Zero-width characters and soft hyphens inside words."""
    out = []
    for c in text:
        out.append(c)
        if c.isalpha() and rng.random() < 0.2:
            out.append(rng.choice(INVISIBLE))
    return "".join(out)


def line_breaks(text: str, rng: random.Random) -> str:
    """Some spaces become line breaks, as a phone or a narrow text box wraps lines."""
    return "".join(rng.choice(BREAKS) if c == " " and rng.random() < 0.25 else c for c in text)


def case(text: str, rng: random.Random) -> str:
    return rng.choice((str.upper, str.lower, str.title, str.swapcase))(text)


def accents(text: str, rng: random.Random) -> str:
    """Combining accents and full-width letters, as some keyboards and pastes give them."""
    out = []
    for c in text:
        if c.isascii() and c.isalpha() and rng.random() < 0.1:
            out.append(chr(ord(c) + 0xFEE0) if rng.random() < 0.5 else c + "\u0301")
        else:
            out.append(c)
    return "".join(out)


RELATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "neutral sentence before": before,
    "neutral sentence after": after,
    "other spaces": spaces,
    "invisible characters": invisible,
    "line breaks": line_breaks,
    "case": case,
    "accents and full-width letters": accents,
}


def join(first: str, second: str) -> str:
    """Two texts as one, with a full stop between."""
    return first.rstrip().rstrip(".") + ". " + second
