"""Clock times for people: time zones by name, and dates and times written in the locale's way (Babel).

Every time is stored in UTC with the zone it was entered in (an IANA name such as
"Europe/Berlin", or "UTC+01:00" when only an offset is known); it is shown in the
reader's zone. The CLI's zone is the machine's; the web's is the browser's, or the
one kept with the account.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .codes import DEFAULT_LOCALE

# The zone a language suggests before the person has chosen one (the most populous zone of its country).
DEFAULT_ZONE = {"en-US": "America/New_York", "en-GB": "Europe/London"}
_OFFSET = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$")


class UnknownZone(ValueError):
    """A zone name that is neither an IANA time zone nor a UTC offset."""

    def __init__(self, name: object):
        self.name = name
        super().__init__(f"unknown time zone {name!r} (an IANA name such as 'Europe/Berlin', or 'UTC+01:00')")


@cache
def tz(name: str) -> tzinfo:
    """The tzinfo for a zone name; UnknownZone when there is none."""
    if not isinstance(name, str) or len(name) > 64:
        raise UnknownZone(name)
    m = _OFFSET.match(name)
    if m:
        sign = 1 if m.group(1) == "+" else -1
        offset = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
        if offset > timedelta(hours=14):
            raise UnknownZone(name)
        return timezone(sign * offset) if offset else UTC
    if not _NAME.match(name):
        raise UnknownZone(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(name) from None


def zone_name(value: object) -> str:
    """`value` checked as a zone name (UnknownZone otherwise)."""
    if not isinstance(value, str):
        raise UnknownZone(value)
    tz(value)
    return value


def name_of(dt: datetime) -> str:
    """The zone an aware datetime carries: its IANA name when it has one, else its UTC offset."""
    key = getattr(dt.tzinfo, "key", None)
    if isinstance(key, str):
        return key
    offset = dt.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset >= timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_zone() -> str:
    """This machine's zone as an IANA name (TZ, /etc/localtime ...), read by Babel; UTC when unknown."""
    from babel.localtime import get_localzone

    try:
        found = get_localzone()
    except Exception:  # an unreadable local setting: say UTC rather than guess
        return "UTC"
    key = getattr(found, "key", None) or getattr(found, "zone", None) or str(found)
    try:
        return zone_name(key)
    except UnknownZone:
        return "UTC"


def default_zone(locale: str) -> str:
    return DEFAULT_ZONE.get(locale, DEFAULT_ZONE[DEFAULT_LOCALE])


@cache
def all_zones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (for a zone picker)."""
    return (*sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))), "UTC")


def local(dt: datetime, zone: str) -> datetime:
    return dt.astimezone(tz(zone))


@cache
def _pattern(skeleton: str, locale: str) -> Any:
    """The locale's pattern for a CLDR skeleton ('MMMEd') or a time length ('short'), looked up once."""
    from .i18n import babel_locale

    loc = babel_locale(locale)
    if skeleton == "short-time":
        return loc.time_formats["short"]
    from babel.dates import match_skeleton

    found = skeleton if skeleton in loc.datetime_skeletons else match_skeleton(skeleton, loc.datetime_skeletons)
    return loc.datetime_skeletons[found]


@cache
def _babel(locale: str) -> Any:
    from .i18n import babel_locale

    return babel_locale(locale)


def _format(dt: datetime, skeleton: str, locale: str) -> str:
    return str(_pattern(skeleton, locale).apply(dt, _babel(locale)))


def day(dt: datetime, zone: str, locale: str = DEFAULT_LOCALE) -> str:
    """'Mon 23 Nov' (en-GB) or 'Mon, Nov 23' (en-US)."""
    return _format(local(dt, zone), "MMMEd", locale)


def day_year(dt: datetime, zone: str, locale: str = DEFAULT_LOCALE) -> str:
    """'Mon 23 Nov 2026' (en-GB) or 'Mon, Nov 23, 2026' (en-US)."""
    return _format(local(dt, zone), "yMMMEd", locale)


def date_only(d: date, locale: str = DEFAULT_LOCALE) -> str:
    """A calendar date with no weekday: '2 Mar 1974' (en-GB) or 'Mar 2, 1974' (en-US)."""
    return _format(datetime(d.year, d.month, d.day, 12, tzinfo=UTC), "yMMMd", locale)


def time_of(dt: datetime, zone: str, locale: str = DEFAULT_LOCALE) -> str:
    """'14:05' (en-GB) or '2:05 PM' (en-US)."""
    return _format(local(dt, zone), "short-time", locale)


def moment(dt: datetime, locale: str = DEFAULT_LOCALE, year: bool = False) -> str:
    """A moment as it stands (no change of zone), joined the locale's way: 'Thu, Nov 26, 2:00 PM' (en-US),
    'Thu 26 Nov, 14:00' (en-GB); with the year when asked."""
    date = _format(dt, "yMMMEd" if year else "MMMEd", locale)
    return str(_babel(locale).datetime_formats["short"]).replace("{1}", date).replace("{0}", _format(dt, "short-time", locale))


def when(dt: datetime, zone: str, locale: str = DEFAULT_LOCALE) -> str:
    """The day and the time in `zone`: 'Mon 23 Nov, 14:05'."""
    return moment(local(dt, zone), locale)


def input_value(dt: datetime, zone: str) -> str:
    """The value of an <input type=datetime-local> showing `dt` in `zone` ('2026-11-23T14:05')."""
    return local(dt, zone).strftime("%Y-%m-%dT%H:%M")


def parse_local(text: str, zone: str) -> datetime:
    """An ISO 8601 time; without an offset it is a wall-clock time in `zone` (ValueError when unreadable)."""
    parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz(zone))
    return parsed.astimezone(UTC)
