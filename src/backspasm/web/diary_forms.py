"""The diary's forms read into store arguments, and the time zone a page is shown and entered in.

The browser sends its own zone (an IANA name, from app.js) with every diary form; without
JavaScript the zone kept with the account is used, and until one is chosen, the zone the
page's language suggests.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from .. import clock
from .deps import get_store, request_locale

ZONE_DOC = "settings.time_zone"  # the zone kept with the account, as a per-user document
IDENTITY_DOC = "settings.report_identity"  # name and birth date for the report, kept only when the person asks
TREATMENT_LABELS = {
    "cold": "Cold pack",
    "heat": "Heat (pad or warm bath)",
    "rest": "Rest",
    "stretches": "Gentle stretches",
    "nsaid": "Ibuprofen or naproxen (NSAID)",
    "acetaminophen": "Acetaminophen (paracetamol)",
}
HELPED = {"yes": True, "no": False, "unsure": None}
PAIN_FIELD = re.compile(r"[0-9]{1,2}")  # ASCII digits only: '²' and '٣' are not ratings


def page_locale(request: Request) -> str:
    """The locale pages are worded and dated in: the switch's choice, else the browser's language."""
    return request_locale(request)


def kept_zone(request: Request, user_id: int) -> str | None:
    """The zone the person chose for this account, if any (and still a zone)."""
    value = get_store(request).get_document(user_id, ZONE_DOC)
    try:
        return clock.zone_name(value) if value else None
    except clock.UnknownZone:
        return None


def remembered_identity(request: Request, user_id: int) -> dict[str, str]:
    """The name and birth date the person chose to keep for the report ({} when none)."""
    doc = get_store(request).get_document(user_id, IDENTITY_DOC)
    return {k: str(v) for k, v in doc.items() if k in ("name", "birth_date")} if isinstance(doc, dict) else {}


def display_zone(request: Request, user_id: int) -> str:
    """The zone pages are shown in: the account's, else the language's."""
    return kept_zone(request, user_id) or clock.default_zone(page_locale(request))


def entry_zone(form: FormData, fallback: str) -> str:
    """The zone a form was filled in: the browser's when the page's script sent a real zone, else `fallback`."""
    sent = form.get("tz")
    if isinstance(sent, str) and sent.strip():
        try:
            return clock.zone_name(sent.strip())
        except clock.UnknownZone:
            pass
    return fallback


def when_at(raw: object, zone: str, errors: dict[str, str]) -> datetime | None:
    """A datetime-local value as a wall-clock time in `zone`, or None for now."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        return clock.parse_local(raw, zone)
    except ValueError:
        errors["at"] = "Please give a date and time, or leave it empty for now."
        return None
    except OverflowError:  # year 1 or 9999 moved by the zone's offset: no such moment
        errors["at"] = "Please give a date and time between the episode's start and now."
        return None


def checkin_args(form: FormData, zone: str, present: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The check-in's store arguments from the posted form, and field errors in plain words."""
    errors: dict[str, str] = {}
    raw_pain = form.get("pain")
    pain: int | None = None
    if isinstance(raw_pain, str) and PAIN_FIELD.fullmatch(raw_pain.strip()) and 0 <= int(raw_pain) <= 10:
        pain = int(raw_pain)
    else:
        errors["pain"] = "Please choose a number from 0 to 10."
    findings = [f for f in form.getlist("findings") if isinstance(f, str)]
    gone = []
    for code in present:
        answer = form.get(f"still_{code}", "yes")
        if answer == "no":
            gone.append(code)
        elif answer != "yes":
            errors[f"still_{code}"] = "Please answer yes or no."
    tried: dict[str, bool | None] = {}
    for code in TREATMENT_LABELS:
        answer = form.get(f"tried_{code}", "")
        if answer in HELPED:
            tried[code] = HELPED[str(answer)]
        elif answer not in ("", "no_try"):
            errors[f"tried_{code}"] = "Choose one of the answers."
    note = form.get("note")
    at = when_at(form.get("at"), zone, errors)
    key = form.get("idempotency_key")
    return {"pain": pain, "findings": findings, "gone": gone, "tried": tried,
            "note": note if isinstance(note, str) else None, "at": at, "zone": zone,
            "idempotency_key": key if isinstance(key, str) and key else None}, errors
