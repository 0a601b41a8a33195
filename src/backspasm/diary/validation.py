"""The diary's input checks, shared by live writes and by import: each raises BadInput naming the field."""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ..codes import DERIVED_ONLY_FINDINGS, FINDING_CODES
from ..contract import BadInput

TREATMENTS: tuple[str, ...] = ("cold", "heat", "rest", "stretches", "nsaid", "acetaminophen")
REPORTABLE = tuple(c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS)
MAX_NOTE = 2000
MAX_EMAIL = 320
FUTURE_SLACK = timedelta(minutes=5)
# C0 and C1 control characters other than tab, newline and carriage return (NUL cannot be stored on PostgreSQL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,100}")


def bad(loc: str, msg: str) -> BadInput:
    return BadInput([(loc, msg)])


def positive_id(value: object, loc: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad(loc, f"must be a positive integer id, got {value!r}")
    return value


def aware(value: object, loc: str, default: datetime | None = None) -> datetime:
    """A time-zone-aware datetime in UTC (naive times are refused: they are ambiguous)."""
    if value is None:
        if default is None:
            raise bad(loc, "is required")
        return default
    if not isinstance(value, datetime):
        raise bad(loc, f"must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise bad(loc, "must carry a time zone (naive times are ambiguous)")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset: no such moment in UTC
        raise bad(loc, f"{value.isoformat()} is out of range") from None


def now() -> datetime:
    return datetime.now(UTC)


def pain(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad("pain", f"must be an integer 0 to 10, got {value!r}")
    if not 0 <= value <= 10:
        raise bad("pain", f"{value} is out of range (allowed: 0 to 10)")
    return value


def findings(values: Sequence[str] | None, loc: str = "findings") -> list[str]:
    """Finding codes a person can report (present, or gone), each once, in the order given."""
    out: list[str] = []
    if isinstance(values, str):
        raise bad(loc, "must be a list of finding codes, not a string")
    for i, code in enumerate(values or ()):
        if code == "long_duration":
            raise bad(f"{loc}[{i}]", "'long_duration' is derived from the clock and cannot be listed")
        if code not in REPORTABLE:
            guess = difflib.get_close_matches(str(code), REPORTABLE, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            raise bad(f"{loc}[{i}]", f"unknown finding code {code!r}{hint}")
        if code not in out:
            out.append(code)
    return out


def zone(value: object, loc: str = "zone") -> str | None:
    """A time zone name (IANA, or 'UTC+01:00'), or None."""
    if value is None:
        return None
    from ..clock import UnknownZone, zone_name

    try:
        return zone_name(value)
    except UnknownZone as e:
        raise bad(loc, str(e)) from None


def zone_for(value: object, at: datetime | None, loc: str = "zone") -> str:
    """The zone a time was entered in: the one given, else the one the time carries, else UTC."""
    named = zone(value, loc)
    if named is not None:
        return named
    if isinstance(at, datetime) and at.tzinfo is not None:
        from ..clock import name_of

        return name_of(at)
    return "UTC"


def parse_tried(value: Mapping[str, bool | None] | Sequence[str] | None) -> dict[str, bool | None]:
    """What was tried and whether it helped: a mapping code -> True/False/None, or a list of codes."""
    if value is None:
        return {}
    items: list[tuple[str, Any]]
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, str):
        raise bad("tried", "must be a list or mapping of treatment codes, not a string")
    else:
        items = [(code, None) for code in value]
    out: dict[str, bool | None] = {}
    for code, helped in items:
        if code not in TREATMENTS:
            guess = difflib.get_close_matches(str(code), TREATMENTS, n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            raise bad(f"tried.{code}", f"unknown treatment{hint}; allowed: {', '.join(TREATMENTS)}")
        if helped is not None and not isinstance(helped, bool):
            raise bad(f"tried.{code}", f"whether it helped must be true, false or null, got {helped!r}")
        out[code] = helped
    return {k: out[k] for k in TREATMENTS if k in out}


def plain_text(value: str, loc: str) -> str:
    """The text, unless it holds control characters (tab and line breaks are fine)."""
    found = _CONTROL.search(value)
    if found:
        raise bad(loc, f"contains a control character (U+{ord(found.group()):04X})")
    return value


def note(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad("note", f"must be a string, got {type(value).__name__}")
    if len(value) > MAX_NOTE:
        raise bad("note", f"is longer than {MAX_NOTE} characters")
    return plain_text(value, "note").strip() or None


def email(value: object) -> str:
    """The address in one canonical form (NFKC, lower case), checked by email-validator; BadInput otherwise.

    Special-use domains (.invalid, .test, .local, ...) are refused, so no one can
    register the CLI's reserved address in any letter case or look-alike form.
    """
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(value, str):
        raise bad("email", "must be a string")
    control = next((ch for ch in value if unicodedata.category(ch) == "Cc"), None)
    if control is not None:
        raise bad("email", f"contains a control character (U+{ord(control):04X})")
    raw = value.strip()
    shown = repr(raw) if len(raw) <= 60 else repr(raw[:57] + "...")
    if not raw or len(raw) > MAX_EMAIL:
        raise bad("email", f"{shown} is not an email address")
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as e:
        raise bad("email", f"{shown} is not an email address: {e}") from None
    address = unicodedata.normalize("NFKC", checked.normalized).lower()
    if len(address) > MAX_EMAIL:
        raise bad("email", f"is longer than {MAX_EMAIL} characters")
    return address


def idempotency_key(value: object) -> str | None:
    """A client's key for one check-in: 1 to 100 visible ASCII characters, or None."""
    if value is None:
        return None
    if not isinstance(value, str) or not _IDEMPOTENCY_KEY.fullmatch(value):
        raise bad("idempotency_key", "must be 1 to 100 visible ASCII characters (a UUID, say)")
    return value


def json_value(value: Any, loc: str) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise bad(loc, f"must be JSON-serialisable: {e}") from None
