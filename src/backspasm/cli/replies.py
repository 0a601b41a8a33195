"""Reading the answers people type at the terminal: yes / no / not sure, a pain score, when it began, an age.

Every reader is a pure function of the words (and, for "since yesterday morning", of the
clock passed in): None means "could not read that", and the questionnaire asks again with
a hint. Where an answer could mean two things, the reading that is safer for the person
wins: a hedged answer is "not sure" (which opens the follow-up question), a range of pain
scores counts its top, and a half point rounds up.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ..text.numbers import UNIT_HOURS

Reply = Literal["yes", "no", "unsure"]

# ---- yes / no / not sure ----

_YES = frozenset({
    "y", "yes", "yeah", "yea", "yeh", "yep", "yup", "ya", "aye", "correct", "right", "that's right", "true",
    "definitely", "absolutely", "of course", "i do", "i have", "i am", "i did", "it is", "it does", "i think so",
    "probably", "probably yes", "likely", "yes please", "that's it", "exactly", "a bit", "a little", "a little bit",
    "slightly", "yes a bit", "yes a little", "somewhat", "mildly",
})  # fmt: skip
_NO = frozenset({
    "n", "no", "nope", "nah", "no way", "not at all", "never", "none", "false", "incorrect", "wrong", "that's wrong",
    "i don't", "i do not", "i haven't", "i have not", "i'm not", "i am not", "i didn't", "i did not", "it isn't",
    "it's not", "it is not", "it doesn't", "it does not", "not me", "no it isn't", "no it's not", "that's not it",
})  # fmt: skip
# Hedges anywhere in the answer make it "not sure": the follow-up question then settles it.
_UNSURE = re.compile(
    r"\?|\b(?:not sure|unsure|don't know|dont know|do not know|dunno|idk|no idea|not certain|uncertain|maybe|perhaps"
    r"|possibly|can't tell|cant tell|cannot tell|can't say|cant say|cannot say|hard to (?:say|tell)"
    r"|(?:don't|dont|can't|cant|cannot|do not) remember|not really|i (?:don't|dont|do not) think|probably not"
    r"|kind of|kinda|sort of|sorta|ns|n/s|unknown|not known|unclear|50/50)\b"
)
_FIRST_YES = frozenset({"y", "yes", "yeah", "yea", "yeh", "yep", "yup", "ya", "aye", "correct"})
_FIRST_NO = frozenset({"n", "no", "nope", "nah", "never", "wrong"})


def _norm(answer: str) -> str:
    """Lower case, straight apostrophes, single spaces, no full stops or exclamation marks at the ends."""
    text = answer.replace("’", "'").replace("‘", "'").lower()
    text = " ".join(text.split())
    return text.strip(" .!,;:")


def parse_reply(answer: str) -> Reply | None:
    """'yes', 'no' or 'unsure' for the many ways people say them; None for anything else (ask again)."""
    text = _norm(answer)
    if not text:
        return None
    if text in _YES:
        return "yes"
    if text in _NO:
        return "no"
    if _UNSURE.search(text):
        return "unsure"
    first = re.split(r"[\s,.;:!-]+", text, maxsplit=1)[0]
    if first in _FIRST_YES:
        return "yes"
    if first in _FIRST_NO:
        return "no"
    return None


# ---- numbers in words ----

_SMALL = {
    "zero": 0, "nought": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_NUMBER = re.compile(
    r"(?:(?P<tens>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(?P<unit>one|two|three|four|five|six"
    r"|seven|eight|nine))?|(?P<small>zero|nought|nil|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen))(?![a-z])"
)
_WORDS = re.sub(r"\(\?P<\w+>", "(?:", _WORD_NUMBER.pattern)  # the same, without group names, to use twice
_NUMBER = rf"(?:\d+(?:[.,]\d+)?|{_WORDS})"


def word_number(text: str) -> float | None:
    """'8', '7.5', 'eight', 'sixty-seven' -> the number; None when `text` is not one number."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return float(text.replace(",", "."))
    m = _WORD_NUMBER.fullmatch(text)
    if m is None:
        return None
    if m.group("small"):
        return float(_SMALL[m.group("small")])
    return float(_TENS[m.group("tens")] + (_SMALL[m.group("unit")] if m.group("unit") else 0))


# ---- pain ----

_PAIN_LEAD = re.compile(
    r"^(?:(?:about|around|roughly|maybe|probably|like|approx(?:imately)?|i'd say|i would say|it's|its|it is|pain is"
    r"|the pain is|solid|a|an|at|now|currently|right now)\s+)+"
)
_PAIN = re.compile(
    rf"^(?P<a>{_NUMBER})(?:\s*(?:-|to|or)\s*(?P<b>{_NUMBER}))?"
    r"(?:\s*(?:/|out of|outta|of|on a scale of(?: 0| 1| zero| one)?(?: to|-)?)\s*(?P<top>10|ten))?(?:\s+now|\s+right now)?$"
)


def parse_pain(answer: str) -> int | None:
    """A 0-10 score from '8', '8/10', '8 out of 10', 'eight', 'about 7-8' (the higher counts), '6.5' (rounds up).

    A score over ten on a scale of ten ('11/10') is the top of the scale; None when unreadable
    or out of range."""
    text = _norm(answer)
    if text in ("none", "no pain", "nothing", "no pain at all"):
        return 0
    text = _PAIN_LEAD.sub("", text)
    m = _PAIN.match(text)
    if m is None:
        return None
    values = [word_number(g) for g in (m.group("a"), m.group("b")) if g]
    if any(v is None for v in values):
        return None
    score = max(v for v in values if v is not None)
    if m.group("top") and score > 10:
        score = 10.0
    score = float(math.ceil(score))
    return int(score) if 0 <= score <= 10 else None


# ---- when it began ----

_UNITS = "|".join(sorted(UNIT_HOURS, key=len, reverse=True))
_AMOUNT_WORDS = {"a": 1.0, "an": 1.0, "one": 1.0, "a couple of": 2.0, "couple of": 2.0, "a couple": 2.0,
                 "a few": 3.0, "few": 3.0, "several": 3.0, "half a": 0.5, "half an": 0.5}
_AMOUNT = rf"(?:\d+(?:[.,]\d+)?|a couple of|couple of|a couple|a few|few|several|half an?|an?|{_WORDS})"
_PART = re.compile(
    rf"(?P<n>{_AMOUNT})(?P<half1>\s+and\s+a\s+half)?\s*-?\s*(?P<unit>{_UNITS})(?![a-z])(?P<half2>\s+and\s+a\s+half)?"
)
_APPROX = re.compile(
    r"^(?:(?:about|around|roughly|nearly|almost|maybe|approx(?:imately)?|~|over|just over|just under|under|less than"
    r"|more than|at least|a good|for|for about|it's been|its been|it has been|been|it started|started|it began|began"
    r"|since|some|only|just)\s+|~)+"
)
_AGO = re.compile(r"(?:\s+(?:ago|now|or so|so far|back|or more|or less|ish)|-ish|ish)+$")

# Parts of a day: (when it begins, when people usually mean). "This morning" at 06:00 means earlier still.
_DAY_PARTS = {
    "morning": (5, 8), "lunchtime": (12, 12), "lunch": (12, 12), "midday": (12, 12), "noon": (12, 12),
    "afternoon": (12, 14), "evening": (17, 19), "night": (21, 22),
}  # fmt: skip
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PARTS = "|".join(_DAY_PARTS)
_RELATIVE = re.compile(
    r"^(?:since|from|on|at|in the|during the|started|it started|began|it began|starting)?\s*"
    r"(?:(?P<early>early|late)\s+)?"
    r"(?P<day>this|today|earlier today|tonight|last night|overnight|during the night|in the night|yesterday|yday"
    rf"|the day before yesterday|day before yesterday|last week|last month|(?:last\s+)?(?:{'|'.join(_WEEKDAYS)}))"
    rf"(?:\s+(?:in the\s+|at\s+)?(?P<part>{_PARTS}))?$"
)
_NOW = frozenset({"now", "just now", "right now", "a moment ago", "moments ago", "a minute ago", "just", "just started"})


@dataclass(frozen=True, slots=True)
class Onset:
    """When a spasm began, read from words: `hours` ago (negative when the time named is still to come),
    and whether the words named a time of day or a day (so the questionnaire says what it counted)."""

    hours: float
    relative: bool = False


def _amount(raw: str) -> float | None:
    raw = raw.strip()
    if raw in _AMOUNT_WORDS:
        return _AMOUNT_WORDS[raw]
    return word_number(raw)


def parse_duration(answer: str) -> float | None:
    """Hours from '30', '30h', '2 days', '1.5 weeks', 'about a day', 'half a day', 'a couple of days',
    'a day and a half', '2 days 6 hours', '3 days ago'; None when it is not a duration."""
    text = _AGO.sub("", _APPROX.sub("", _norm(answer)))
    if not text:
        return None
    bare = word_number(text)
    if bare is not None:
        return bare  # a bare number counts hours
    total = 0.0
    pos = 0
    found = False
    while pos < len(text):
        m = _PART.match(text, pos)
        if m is None:
            return None
        n = _amount(m.group("n"))
        if n is None:
            return None
        if m.group("half1") or m.group("half2"):
            n += 0.5
        total += n * UNIT_HOURS[m.group("unit")]
        found = True
        pos = m.end()
        sep = re.match(r"\s*(?:,|and|&|\+)?\s*", text[pos:])
        pos += sep.end() if sep else 0
    return total if found else None


def _at(day: datetime, hour: int) -> datetime:
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def _relative_hours(m: re.Match[str], now: datetime) -> float | None:
    day, part, early = m.group("day"), m.group("part"), m.group("early")
    if day in ("last week", "last month"):
        return 168.0 if day == "last week" else 730.0
    if day in ("last night", "overnight", "during the night", "in the night"):
        if part is not None:
            return None
        start = _at(now - timedelta(days=1), 22 if early is None else 21)  # at 02:00 too: the evening before
        return (now - start).total_seconds() / 3600
    if day == "tonight":
        day, part = ("yesterday", "night") if now.hour < 5 else ("today", "evening" if part is None else part)
    if day in ("this", "today", "earlier today"):
        if day == "this" and part is None:
            return None
        begin, usual = _DAY_PARTS[part] if part else (0, 8)
        if early == "early":
            usual = begin
        start = _at(now, usual)
        if start > now:
            start = _at(now, begin)
        return (now - start).total_seconds() / 3600
    if day in ("yesterday", "yday"):
        back = 1
    elif day.endswith("day before yesterday"):
        back = 2
    else:
        name = day.removeprefix("last").strip()
        back = (now.weekday() - _WEEKDAYS.index(name)) % 7 or 7
    if part is None:
        return back * 24.0  # a day with no time of day: the same time that day
    begin, usual = _DAY_PARTS[part]
    return (now - _at(now - timedelta(days=back), begin if early == "early" else usual)).total_seconds() / 3600


def parse_onset(answer: str, now: datetime) -> Onset | None:
    """How long ago a spasm began: a duration ('6', '2 days', 'about a day', 'an hour ago') or a time counted back
    from `now`, the person's local time ('since yesterday morning', 'this morning', 'last night', 'on Monday').
    None when unreadable."""
    text = _norm(answer)
    if text in _NOW:
        return Onset(0.0)
    m = _RELATIVE.match(text)
    if m is not None:
        hours = _relative_hours(m, now)
        return None if hours is None else Onset(hours, relative=True)
    hours = parse_duration(text)
    return None if hours is None else Onset(hours)


# ---- age ----

_AGE_ANSWER = re.compile(
    rf"^(?:(?:i'm|im|i am|age|aged|about|nearly|almost|just turned|turned)\s+)*(?P<n>{_NUMBER})"
    r"(?:\s*(?:years?|yrs?|y)(?:\s*old)?|\s*yo|\s*y/o)?$"
)


def parse_age(answer: str) -> int | None:
    """An age in years from '38', '38 years', 'I'm 38', 'sixty-seven'; None when unreadable or not 0-120."""
    m = _AGE_ANSWER.match(_norm(answer))
    if m is None:
        return None
    value = word_number(m.group("n"))
    if value is None or value != int(value) or not 0 <= value <= 120:
        return None
    return int(value)


@dataclass(frozen=True, slots=True)
class AgeMention:
    """An age stated in the person's own words, with where it is."""

    age: int
    start: int
    end: int


_NOT_AN_AGE_AFTER = (
    r"(?!\s*(?:[.,]\d|%|/|-\s*\d|\+)|\s*-?\s*(?:weeks?|wks?|days?|hours?|hrs?|months?|mins?|minutes?|kgs?|kilos?|lbs?|pounds?"
    r"|stone|st|foot|feet|ft|cm|inches|times|miles|km|degrees|°|mg|out of|of\b|on\b|x\b|years? ago|points?)\b)"
)
_AGE_PATTERNS = (
    # "I'm 38", "I am 38", "im 38 and"
    re.compile(rf"\b(?:i'm|i am|im)\s+(?:(?:now|only|just|almost|nearly|about)\s+)?(\d{{1,3}})\b{_NOT_AN_AGE_AFTER}", re.I),
    # "67 years old", "38-year-old", "38 yr old"
    re.compile(r"\b(\d{1,3})\s*-?\s*(?:years?|yrs?|yr)\s*-?\s*old\b", re.I),
    # "aged 70", "age 70", "age: 70"
    re.compile(r"\bage[d]?\s*[:=]?\s*(\d{1,3})\b(?!\s*(?:[.,]\d|%))", re.I),
    # "38yo", "38 y/o", "38 y.o."
    re.compile(r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.?)(?![a-z])", re.I),
    # "just turned 40"
    re.compile(r"\bturned\s+(\d{1,3})\b(?!\s*(?:[.,]\d|%|/))", re.I),
    # clinical shorthand "67F", "45 M" (capital letter; F readings in the range of body temperatures are left out)
    re.compile(r"(?:^|(?<=[\s,(;:]))(\d{1,3})\s?([MF])\b(?![.\-/]?\d)"),
)
# Words before a number in the same clause that make it someone else's age, or a past one.
_NOT_MINE = re.compile(
    r"\b(?:my|his|her|their|our|he|she|they|he's|she's|was|were|when|since|at|from|until|till|by|before|after|son"
    r"|daughter|wife|husband|mum|mom|dad|father|mother|kid|kids|child|baby|brother|sister|friend|partner|grandma"
    r"|grandpa|grandmother|grandfather|age of)\b",
    re.I,
)


def _clause_before(text: str, start: int) -> str:
    cut = max(text.rfind(c, 0, start) for c in ".;!?\n,")
    return text[cut + 1 : start]


def age_in_text(text: str) -> AgeMention | None:
    """The person's own age when their words state it ("I'm 38", "I am 67 years old", "aged 70", "38yo", "67F");
    None when none is stated, or when the words give different ages."""
    found: list[AgeMention] = []
    for pattern in _AGE_PATTERNS:
        for m in pattern.finditer(text):
            value = int(m.group(1))
            if not 0 < value <= 120:
                continue
            if pattern is _AGE_PATTERNS[0] and value < 13:
                continue  # "I'm 7" is more likely a pain score than a child typing
            if pattern is _AGE_PATTERNS[-1] and (value < 13 or (m.group(2) == "F" and 90 <= value <= 115)):
                continue
            if _NOT_MINE.search(_clause_before(text, m.start())):
                continue
            found.append(AgeMention(value, m.start(), m.end()))
    if not found or len({f.age for f in found}) > 1:
        return None
    first = min(found, key=lambda f: f.start)
    end = first.end
    for f in sorted(found, key=lambda f: f.start):  # "I am 67 years old": one passage, from both patterns
        if f.start <= end:
            end = max(end, f.end)
    return AgeMention(first.age, first.start, end)


__all__ = [
    "AgeMention", "Onset", "Reply", "age_in_text", "parse_age", "parse_duration", "parse_onset", "parse_pain",
    "parse_reply", "word_number",
]
