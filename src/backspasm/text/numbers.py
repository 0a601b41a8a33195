"""The numbers people write: temperatures, weight lost, drinks a day, pain scores, durations.

Each reader returns spans with exact offsets into the text, so the evidence shows the
person's own digits. Whether a number counts (negated, someone else's) is left to the
context rules, like any other mention; only the thresholds live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FEVER_C = 38.0
FEVER_F = 100.4
HEAVY_DRINKS_A_DAY = 3
HEAVY_UNITS_A_WEEK = 35  # UK units: about three US standard drinks a day

_WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1, "a couple of": 2,
    "couple of": 2, "a couple": 2, "a few": 3, "few": 3, "several": 3, "half a": 0.5, "a half": 0.5,
}  # fmt: skip
_NUM = (
    r"(?:\d+(?:[.,]\d+)?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|an?|a couple(?: of)?|couple of|a few|few|several|half an?)"
)


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """A number read from the text: what it is (a finding code or 'pain'/'onset'), where, and its value."""

    kind: str
    start: int
    end: int
    value: float


def _value(raw: str) -> float:
    raw = raw.strip().lower()
    if raw in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[raw])
    if raw.startswith("half"):
        return 0.5
    return float(raw.replace(",", "."))


_TEMP_UNIT = re.compile(
    r"(?<![\w.])(\d{2,3}(?:[.,]\d{1,2})?)\s*(?:°|º|degrees?|deg)?\s*(c|celsius|centigrade|f|fahrenheit)\b",
    re.IGNORECASE,
)
_TEMP_CUE = re.compile(
    r"\b(?:temp|temps|temperature|fever|thermometer|febrile|pyrexia|pyrexial)\b[^.;!?\d]{0,30}?(?<![\w.])(\d{2,3}(?:[.,]\d{1,2})?)(?![\d.]*\s*(?:%|kg|lbs?|pounds|days?|hours?|weeks?|years?|/))",
    re.IGNORECASE,
)


def temperatures(text: str) -> list[NumberSpan]:
    """Temperatures at or above fever: 38 C / 100.4 F, with a unit or after a word like 'temp'."""
    out: list[NumberSpan] = []
    seen: set[int] = set()
    for m in _TEMP_UNIT.finditer(text):
        v = _value(m.group(1))
        unit = m.group(2).lower()[0]
        if (unit == "c" and FEVER_C <= v <= 45) or (unit == "f" and FEVER_F <= v <= 113):
            out.append(NumberSpan("fever", m.start(), m.end(), v))
        seen.add(m.start(1))
    for m in _TEMP_CUE.finditer(text):
        if m.start(1) in seen:
            continue
        v = _value(m.group(1))
        if FEVER_C <= v <= 45 or FEVER_F <= v <= 113:
            out.append(NumberSpan("fever", m.start(), m.end(1), v))
    return out


_WEIGHT = re.compile(
    r"\b(?:lost|losing|lose|dropped|dropping|shed|shedding|down|gone down|come off|came off)\s+"
    r"(?:about|around|roughly|nearly|almost|over|more than|at least|like|maybe|approx\.?|approximately|~"
    rf"|a good|a whole|an? extra)?\s*({_NUM})\s*(?:-|\s)?\s*"
    r"(stone|st|kg|kgs|kilos?|kilograms?|pounds?|lbs?|lb|dress sizes?|sizes?)\b",
    re.IGNORECASE,
)


def weight_loss(text: str) -> list[NumberSpan]:
    """Weight lost, with an amount: 'lost a stone', 'lost 6 kg', 'dropped 10lbs'."""
    return [NumberSpan("unexplained_weight_loss", m.start(), m.end(), _value(m.group(1))) for m in _WEIGHT.finditer(text)]


_DRINKS = re.compile(
    rf"\b({_NUM}|\d+\s*(?:-|to)\s*\d+)\s*(?:or so\s+|or more\s+|\+\s*)?"
    r"(pints?|drinks?|beers?|cans?|glasses(?: of \w+)?|glass(?: of \w+)?|shots?|units?|bottles? of \w+|large \w+"
    r"|vodkas?|whiske?ys?|gins?|ciders?|lagers?|wines?)\s+(?:of \w+\s+)?(?:a|per|each|every|most)\s+"
    r"(day|night|evening|week)\b",
    re.IGNORECASE,
)


def drinks(text: str) -> list[NumberSpan]:
    """Alcohol at or above three drinks a day (or its weekly equivalent)."""
    out: list[NumberSpan] = []
    for m in _DRINKS.finditer(text):
        amount = m.group(1)
        parts = re.split(r"\s*(?:-|to)\s*", amount)
        v = max(_value(p) for p in parts if p)
        kind = m.group(2).lower()
        per = m.group(3).lower()
        if kind.startswith("bottle"):
            v *= 5  # a bottle of wine or spirits is five drinks or more
        if kind.startswith("unit"):
            heavy = v >= (HEAVY_UNITS_A_WEEK if per == "week" else HEAVY_UNITS_A_WEEK / 7)
        else:
            heavy = v >= (HEAVY_DRINKS_A_DAY * 7 if per == "week" else HEAVY_DRINKS_A_DAY)
        if heavy:
            out.append(NumberSpan("heavy_alcohol_use", m.start(), m.end(), v))
    return out


_SCORE_WORDS = "zero|one|two|three|four|five|six|seven|eight|nine|ten"
_PAIN_SLASH = re.compile(
    rf"(?<![\d/.])(\d{{1,2}}(?:\.\d)?|{_SCORE_WORDS})\s*(?:/|out of|outta|oo|of)\s*(10|ten)\b"
    r"(?!\s*(?:days?|hours?|weeks?|mins?|minutes?|pm|am|/))",
    re.IGNORECASE,
)
_PAIN_CUE = re.compile(
    r"\b(?:pain|pains|spasm|spasms|score|scored|rating|rated|rate it|level|hurts|hurting|it's|its|it is|it was"
    r"|i'd say|i would say|maybe|about|around|roughly|probably|solid|at least)\s*"
    r"(?:is|was|'s|at|of|about|around|roughly|maybe|probably|like|a solid|at least|=|:|-|~)?\s*"
    r"(?:is|was|at|about|around|maybe|probably|like|a solid)?\s*(?:an?\s+)?"
    rf"(\d{{1,2}}(?:\.5)?|{_SCORE_WORDS})\b"
    r"(?!\s*(?:-|to|or)?\s*(?:\d+\s*)?(?:days?|hours?|hrs?|weeks?|wks?|months?|years?|yrs?|mins?|minutes?|times?"
    r"|pm|am|kg|kgs|lbs?|pounds?|stone|st|pints?|drinks?|units?|people|of|%|o'clock|oclock|yo|y/o|years? old|year"
    r"|sec|seconds|°|degrees?|c\b|f\b|x\b|mg|ml|\.\d|:\d|/\d))",
    re.IGNORECASE,
)


def pain_scores(text: str) -> list[NumberSpan]:
    """Pain scores on the 0-10 scale: '8/10', 'ten out of ten', 'pain is an 8', 'maybe a 3'."""
    out: list[NumberSpan] = []
    taken: list[tuple[int, int]] = []
    for m in _PAIN_SLASH.finditer(text):
        v = _value(m.group(1))
        if 0 <= v <= 10:
            out.append(NumberSpan("pain", m.start(), m.end(), v))
            taken.append((m.start(), m.end()))
    for m in _PAIN_CUE.finditer(text):
        if any(s <= m.start(1) < e for s, e in taken):
            continue
        v = _value(m.group(1))
        if 0 <= v <= 10:
            out.append(NumberSpan("pain", m.start(1), m.end(1), v))
    return out


_UNIT_HOURS = {
    "hour": 1.0, "hr": 1.0, "day": 24.0, "night": 24.0, "week": 168.0, "wk": 168.0, "month": 730.0, "fortnight": 336.0,
}  # fmt: skip
_UNIT = r"(hours?|hrs?|days?|nights?|weeks?|wks?|months?|fortnights?)"
_DURATIONS = [
    re.compile(rf"\b({_NUM})\s*-?\s*{_UNIT}\s+(?:ago|now|so far|running|in a row|straight|and counting)\b", re.IGNORECASE),
    re.compile(
        r"\b(?:for|over|past|last|since)\s+(?:the\s+)?(?:last|past)?\s*(?:about|around|nearly|almost|over|roughly|a good)?"
        rf"\s*({_NUM})\s*-?\s*{_UNIT}\b",
        re.IGNORECASE,
    ),
    re.compile(rf"(?<![\w])x\s?({_NUM})\s*{_UNIT}\b", re.IGNORECASE),
    re.compile(rf"\b(?:about|around|nearly|almost|roughly|so)\s+({_NUM})\s*{_UNIT}\s+(?:now|ago)\b", re.IGNORECASE),
    re.compile(rf"\b({_NUM})\s*-?\s*{_UNIT}\s+(?:of (?:this|pain|it|spasms?)|with (?:this|it))\b", re.IGNORECASE),
]
_SINCE = [
    (re.compile(r"\bsince\s+(?:yesterday|yday)\s*(?:morning)?\b", re.IGNORECASE), 24.0),
    (re.compile(r"\bsince\s+last\s+night\b", re.IGNORECASE), 12.0),
    (re.compile(r"\bsince\s+this\s+morning\b", re.IGNORECASE), 6.0),
    (re.compile(r"\bsince\s+last\s+week\b", re.IGNORECASE), 168.0),
    (re.compile(r"\bsince\s+last\s+month\b", re.IGNORECASE), 730.0),
]


def durations(text: str) -> list[NumberSpan]:
    """How long ago this began: 'started 3 days ago', 'x2 days', 'about 8 weeks now', 'since yesterday'."""
    out: list[NumberSpan] = []
    for pattern in _DURATIONS:
        for m in pattern.finditer(text):
            unit = m.group(2).lower().rstrip("s")
            hours = _value(m.group(1)) * _UNIT_HOURS.get(unit, _UNIT_HOURS.get(unit[:3], 24.0))
            if 0 < hours <= 8760:
                out.append(NumberSpan("onset", m.start(), m.end(), hours))
    for pattern, hours in _SINCE:
        out.extend(NumberSpan("onset", m.start(), m.end(), hours) for m in pattern.finditer(text))
    return out


def all_numbers(text: str) -> list[NumberSpan]:
    """Every number of every kind that the context rules should see."""
    return [*temperatures(text), *weight_loss(text), *drinks(text), *pain_scores(text)]
