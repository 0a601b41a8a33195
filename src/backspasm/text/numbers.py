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


# clinicians' "T 38.9" / "T: 39": only a value of fever itself (never T1-T12, the vertebrae)
_TEMP_T = re.compile(
    r"(?<![\w.])t\s*[:=]?\s*((?:3[89]|4[0-2])(?:[.,]\d{1,2})?)(?![\d.]*\s*(?:%|kg|lbs?|/|-|years?|y))", re.IGNORECASE
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
    for m in (*_TEMP_CUE.finditer(text), *_TEMP_T.finditer(text)):
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
    r"(day|night|evening|week)s?\b",
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
_SCORE = rf"(?:\d{{1,2}}(?:\.5)?|{_SCORE_WORDS})"
# a range or an either-or ("7-8", "7 or 8", "six to seven"): the higher one counts (the safe reading)
_SCORE_RANGE = rf"({_SCORE})(?:\s*(?:-|to|or|/)\s*({_SCORE}))?"
_PAIN_SLASH = re.compile(
    rf"(?<![\d/.])(\d{{1,2}}(?:\.\d)?|{_SCORE_WORDS})\s*(?:/|out of|outta|oo|of)\s*(10|ten)\b"
    r"(?!\s*(?:days?|hours?|weeks?|mins?|minutes?|pm|am|/))",
    re.IGNORECASE,
)
# "on a scale of 1 to 10 it's about a 6", "scale of one to ten, eight", "0-10: 7"
_PAIN_SCALE = re.compile(
    r"\b(?:(?:pain\s+)?scale(?:\s+of)?\s+)?(?:0|1|zero|one)\s*(?:-|to)\s*(?:10|ten)\b"
    rf"[^.!?\n\d]{{0,40}}?\b{_SCORE_RANGE}\b",
    re.IGNORECASE,
)
# "8 on a scale of 1 to 10", "a 7 on the pain scale"
_PAIN_SCALE_AFTER = re.compile(
    rf"(?<![\d/.])\b{_SCORE_RANGE}\s+on\s+(?:a|the|my)\s+(?:pain\s+)?scale\b",
    re.IGNORECASE,
)
# Words that tie a number to the pain: the number after them is a score unless a unit follows.
_STRONG_CUE = re.compile(
    r"\b(?:pain|pains|spasm|spasms|score|scored|scores|rating|rated|rate it|rate|rate the pain|level|hurts|hurting"
    r"|pain scale|scale"
    r"|spikes? to|spiking to|goes up to|went up to|gets up to|peaks? at|peaking at|at (?:its|it's) worst|at worst|worst is"
    r"|flares? (?:up )?to|jumps to|shoots up to"
    r"|ache|aching|sore|soreness|discomfort|nrs|vas|severity|intensity)\s*"
    r"(?:(?:is|was|'s|at|of|about|around|roughly|maybe|probably|like|a solid|at least|=|:|-|~|now|currently|today"
    r"|has been|had been|been|has stayed|is still|was still|has gone up to|went up to|goes up to|gets to|got to"
    r"|still|score|level|rating|right now|stays|stayed|sits|sitting|hovering|hovers|around|bout|abt|prob|i'd say"
    r"|i would say|it|it's|its|as|an?)\s*){0,4}"
    rf"(?<![\w.]){_SCORE_RANGE}\b",
    re.IGNORECASE,
)
# Words that often introduce a score but as often a count ("about 5 beers"): such a number is a
# score only when nothing but a word of time or circumstance follows it ("about 7 when I stand").
_WEAK_CUE = re.compile(
    r"\b(?:it's|its|it is|it was|it has been|it's been|i'd say|i would say|i'd rate it|maybe|about|around|roughly"
    r"|probably|prob|solid|at least|now|currently|i'm at|im at|i am at|sitting at|hovering around|like)\s*"
    r"(?:(?:about|around|roughly|maybe|probably|like|a solid|at least|at|a|an|solid|now|currently|still)\s*){0,3}"
    rf"(?<![\w.]){_SCORE_RANGE}\b",
    re.IGNORECASE,
)
_NOT_A_SCORE = re.compile(
    r"\s*(?:(?:-|to\b|or\b)\s*)?(?:\d+\s*)?(?:days?|hours?|hrs?|weeks?|wks?|months?|years?|yrs?|mins?|minutes?|times?"
    r"|pm|am|kg|kgs|lbs?|pounds?|stone|st|pints?|drinks?|units?|people|of|%|o'clock|oclock|yo|y/o|years? old|year"
    r"|sec|seconds|°|degrees?|c\b|f\b|x\b|mg|ml|\.\d|:\d|/\d|beers?|cans?|glass|glasses|bottles?|shots?|miles?|km"
    r"|steps|kids|children|nights?|mornings?|evenings?|tablets?|pills?|paracetamol|ibuprofen|cups?|coffees?|teas?"
    r"|cigarettes|fags|a day|a night|a week|per|each|every|in the morning)(?![a-z])",
    re.IGNORECASE,
)
_FOLLOW_OK = frozenset(
    [
        "today",
        "now",
        "tonight",
        "atm",
        "rn",
        "at",
        "when",
        "whenever",
        "if",
        "and",
        "but",
        "or",
        "most",
        "on",
        "in",
        "right",
        "this",
        "these",
        "then",
        "ish",
        "maybe",
        "probably",
        "i",
        "i'm",
        "im",
        "it",
        "it's",
        "its",
        "though",
        "tho",
        "too",
        "max",
        "sometimes",
        "mostly",
        "usually",
        "constantly",
        "all",
        "with",
        "even",
        "after",
        "before",
        "during",
        "while",
        "whilst",
        "so",
        "because",
        "cos",
        "coz",
        "as",
        "lol",
        "the",
        "first",
        "yesterday",
        "out",
        "going",
        "moving",
        "walking",
        "sitting",
        "standing",
        "lying",
        "bending",
        "which",
        "until",
        "unless",
        "for",
        "by",
        "plus",
        "tops",
        "overall",
        "generally",
        "currently",
        "except",
        "or-so",
        "pain",
        "painwise",
        "really",
        "still",
        "mainly",
        "mostly",
        "worst",
        "best",
    ]
)
_WORD = re.compile(r"\s*([a-z'’]+)", re.IGNORECASE)


def _score(m: re.Match[str]) -> float:
    """The score a match states: the higher end of a range."""
    values = [_value(g) for g in m.groups() if g]
    return max(values)


def _nothing_but_circumstance_follows(text: str, end: int) -> bool:
    """After the number: the end, punctuation, or a word of time or circumstance ('7 when I stand')."""
    rest = text[end:]
    if _NOT_A_SCORE.match(rest) and re.match(r"\s*[\w°%/.:]", rest):
        return False
    w = _WORD.match(rest)
    return w is None or w.group(1).lower() in _FOLLOW_OK


def pain_scores(text: str) -> list[NumberSpan]:
    """Pain scores on the 0-10 scale, only where the words tie the number to the pain: '8/10',
    'ten out of ten', 'pain is an 8', 'on a scale of one to ten, eight', 'maybe a 3' (nothing after)."""
    out: list[NumberSpan] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, v: float, span: tuple[int, int] | None = None) -> None:
        if 0 <= v <= 10:
            out.append(NumberSpan("pain", start, end, v))
            taken.append(span or (start, end))

    for m in _PAIN_SLASH.finditer(text):
        add(m.start(), m.end(), min(_value(m.group(1)), 10.0))  # "11/10" is the top of the scale
    low = text.lower()
    scales = (_PAIN_SCALE_AFTER, _PAIN_SCALE) if "scale" in low or "10" in low or "ten" in low else ()
    for pattern in scales:
        for m in pattern.finditer(text):
            first = m.start(1)
            if any(s <= first < e for s, e in taken):
                continue
            if pattern is _PAIN_SCALE and not _nothing_but_circumstance_follows(text, m.end()):
                continue
            add(m.start(1), m.end(m.lastindex or 1), _score(m), (m.start(), m.end()))
    for pattern, strict in ((_STRONG_CUE, False), (_WEAK_CUE, True)):
        for m in pattern.finditer(text):
            if any(s <= m.start(1) < e for s, e in taken):
                continue
            if _NOT_A_SCORE.match(text[m.end() :]) and re.match(r"\s*[\w°%/.:]", text[m.end() :]):
                continue
            if strict and not _nothing_but_circumstance_follows(text, m.end()):
                continue
            add(m.start(1), m.end(m.lastindex or 1), _score(m))
    return out


# Hours in each unit people write a duration in (the text reader's patterns match some of them; the
# terminal questionnaire's answers, all).
UNIT_HOURS = {
    "m": 1 / 60, "min": 1 / 60, "mins": 1 / 60, "minute": 1 / 60, "minutes": 1 / 60,
    "h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0,
    "d": 24.0, "day": 24.0, "days": 24.0, "night": 24.0, "nights": 24.0,
    "w": 168.0, "wk": 168.0, "wks": 168.0, "week": 168.0, "weeks": 168.0,
    "fortnight": 336.0, "fortnights": 336.0,
    "mo": 730.0, "month": 730.0, "months": 730.0,
    "y": 8760.0, "yr": 8760.0, "yrs": 8760.0, "year": 8760.0, "years": 8760.0,
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
    re.compile(
        rf"\b({_NUM})\s*-?\s*{_UNIT}\s+(?:of (?:this|pain|it|spasms?|(?:lower |low )?back ?(?:pain|ache|spasms?)|my back)"
        r"|with (?:this|it))\b",
        re.IGNORECASE,
    ),
    # "it's been 8 days", "going on 10 days", "3 days in and no better", "2 weeks since it started"
    re.compile(
        r"\b(?:been|going on|lasted|lasting|had it|had this|had them|suffering|dealing with it)\s+(?:for\s+)?(?:the\s+)?"
        r"(?:last|past)?\s*(?:about|around|nearly|almost|over|roughly|a good|like|at least|maybe)?"
        rf"\s*({_NUM})\s*-?\s*{_UNIT}\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b({_NUM})\s*-?\s*{_UNIT}\s+(?:in\b(?! (?:a|the|my|bed|hospital)\b)|since (?:it|this|the|i|my)|back\b|old\b"
        r"|on\b(?= ?(?:and|now|,|$))|later\b(?= ?(?:and|still|it)))",
        re.IGNORECASE,
    ),
]
# Clinicians' shorthand: 3/7 = three days, 2/52 = two weeks, 3/12 = three months; only after
# "x", "for" or "since", or before "ago", "hx" or "history", so that a date never reads as one.
_CLINICAL = re.compile(
    r"(?:(?<![\w/])(?:x|for|since|over|past|last|hx|h/o|history|duration|sx|symptoms|onset|c/o|lbp|pain|spasm|spasms|backache)\s*(\d{1,2})\s*/\s*(7|52|12)\b(?!\s*/)"
    r"|(?<![\w/.])(\d{1,2})\s*/\s*(7|52|12)\s+(?:ago|hx|history|of|duration|onset)\b)",
    re.IGNORECASE,
)
_CLINICAL_HOURS = {"7": 24.0, "52": 168.0, "12": 730.0}
_SINCE = [
    (re.compile(r"\bsince\s+(?:yesterday|yday)\s*(?:morning)?\b", re.IGNORECASE), 24.0),
    (
        re.compile(
            r"\b(?:started|began|begun|came on|kicked off|went|happened)\s+(?:\w+\s+)?(?:yesterday|yday)\b", re.IGNORECASE
        ),
        24.0,
    ),
    (re.compile(r"\b(?:started|began|begun|came on|kicked off|went|happened)\s+(?:\w+\s+)?this morning\b", re.IGNORECASE), 6.0),
    (re.compile(r"\bsince\s+last\s+night\b", re.IGNORECASE), 12.0),
    (re.compile(r"\bsince\s+this\s+morning\b", re.IGNORECASE), 6.0),
    (re.compile(r"\bsince\s+last\s+week\b", re.IGNORECASE), 168.0),
    (re.compile(r"\bsince\s+last\s+month\b", re.IGNORECASE), 730.0),
]


_ANY_UNIT = re.compile(rf"{_UNIT}\b", re.IGNORECASE)


def durations(text: str) -> list[NumberSpan]:
    """How long ago this began: 'started 3 days ago', 'x2 days', 'about 8 weeks now', 'since yesterday'."""
    out: list[NumberSpan] = []
    for pattern in _DURATIONS if _ANY_UNIT.search(text) else ():
        for m in pattern.finditer(text):
            unit = m.group(2).lower().rstrip("s")
            hours = _value(m.group(1)) * UNIT_HOURS.get(unit, UNIT_HOURS.get(unit[:3], 24.0))
            if 0 < hours <= 8760:
                out.append(NumberSpan("onset", m.start(), m.end(), hours))
    for m in _CLINICAL.finditer(text) if "/" in text else ():
        n, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        hours = float(n) * _CLINICAL_HOURS[unit]
        if 0 < hours <= 8760:
            out.append(NumberSpan("onset", m.start(), m.end(), hours))
    low = text.lower()
    for pattern, hours in _SINCE if "since" in low or "yesterday" in low or "yday" in low or "morning" in low else ():
        out.extend(NumberSpan("onset", m.start(), m.end(), hours) for m in pattern.finditer(text))
    return out


def all_numbers(text: str) -> list[NumberSpan]:
    """Every number of every kind that the context rules should see."""
    return [*temperatures(text), *weight_loss(text), *drinks(text), *pain_scores(text)]
