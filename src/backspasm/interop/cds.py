"""The CDS Hooks 2.0 service `backspasm-triage` (hook: patient-view).

Prefetch templates ask for everything the service reads (record.py); what the client did
not prefetch is fetched from its FHIR server (fetch.py). From the record:

- pain now: the latest pain score; earlier ones in the episode become the diary, so
  "not improving" and "worse" can be derived;
- hours since onset: the onset of an active back-pain Condition (codemap.yaml `onset`);
- red flags, conditions, medicines and allergies through codemap.yaml's value sets;
  age from the Patient's birthDate (or an age Observation).

When neither the pain scores nor the Conditions are available it answers 412 with an
OperationOutcome. When only part is there it still raises any red flag it can see
(urgency only grows with more findings, so a partial reading is a safe lower bound)
and adds an info card naming what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..codes import URGENCY_RANK
from ..contract import MAX_HOURS, Assessment, parse_assessment
from .cards import INDICATOR, missing_card, triage_card
from .codemap import load_codemap, search_codes
from .fhir import FhirError, Issue, now
from .record import Record, read_record

SERVICE_ID = "backspasm-triage"
HOOK = "patient-view"
PAIN_KEY = "painObservations"
CONDITIONS_KEY = "conditions"
PATIENT_KEY = "patient"
PLAN_PATH = f"/cds-services/{SERVICE_ID}/plan"
FEEDBACK_PATH = f"/cds-services/{SERVICE_ID}/feedback"
FUTURE_SLACK = timedelta(minutes=5)
_PATIENT = "{{context.patientId}}"


def _codes(pairs: list[tuple[str, str]]) -> str:
    return ",".join(f"{system}|{code}" for system, code in pairs)


def _templates() -> dict[str, str]:
    cmap = load_codemap()
    pain = sorted(cmap.pain_codes, key=lambda c: c[1] != "72514-3")
    return {
        PATIENT_KEY: f"Patient/{_PATIENT}",
        PAIN_KEY: f"Observation?patient={_PATIENT}&code={_codes(pain)}&_sort=-date&_count=50",
        "redFlagObservations": f"Observation?patient={_PATIENT}&code={_codes(search_codes('observations'))}&_count=100",
        "temperatures": f"Observation?patient={_PATIENT}&code={_codes(sorted(cmap.temperature_codes))}"
                        "&_sort=-date&_count=20",
        CONDITIONS_KEY: f"Condition?patient={_PATIENT}&_count=200",
        "medicationStatements": f"MedicationStatement?patient={_PATIENT}&status=active,intended,on-hold,unknown"
                                "&_include=MedicationStatement:medication&_count=100",
        "medicationRequests": f"MedicationRequest?patient={_PATIENT}&status=active,on-hold,draft,unknown"
                              "&_include=MedicationRequest:medication&_count=100",
        "allergies": f"AllergyIntolerance?patient={_PATIENT}&_count=100",
    }


PREFETCH: dict[str, str] = _templates()


def discovery() -> dict[str, Any]:
    """The discovery document: one patient-view service with its prefetch templates."""
    return {
        "services": [
            {
                "hook": HOOK,
                "id": SERVICE_ID,
                "title": "Back-spasm triage",
                "description": "Triage for back pain and back spasm for the clinician: the urgency (emergency, same-day, "
                "within days, self-care), the red flags behind it with their sources, the red flags the record "
                "does not cover, pain-relief cautions, and the safety-netting to give the patient; from pain "
                "scores, the back-pain Condition's onset, red-flag Conditions and Observations, temperature, "
                "medicines and allergies.",
                "prefetch": dict(PREFETCH),
                "usageRequirements": "Needs the pain scores or the conditions, prefetched or readable at fhirServer with "
                "fhirAuthorization; the other keys refine the answer. Calls need a CDS client JWT from a trusted "
                "issuer.",
            }
        ]
    }


# ---- request checks ----


def _bad_request(message: str, expression: str = "") -> FhirError:
    return FhirError([Issue(message, expression, code="structure" if not expression else "required")], status=400)


def parse_request(raw: bytes) -> dict[str, Any]:
    """Decode and check a CDS Hooks request's required fields (FhirError 400 when they are wrong)."""
    if not raw.strip():
        raise _bad_request("the request body is empty; expected a CDS Hooks request (JSON object)")
    from ..contract import BadInput, loads_strict

    try:
        body = loads_strict(raw)
    except BadInput as e:  # a repeated key: which value was meant cannot be known
        raise _bad_request(e.errors[0][1]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise _bad_request(f"the request body is not valid JSON: {e}") from None
    except RecursionError:
        raise _bad_request("the request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise _bad_request("a CDS Hooks request must be a JSON object")
    problems: list[Issue] = []
    if body.get("hook") != HOOK:
        problems.append(Issue(f"this service answers the '{HOOK}' hook, got {body.get('hook')!r}", "hook",
                              code="not-supported"))
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
        problems.append(Issue("hookInstance is required (a string, usually a UUID)", "hookInstance", code="required"))
    context = body.get("context")
    if not isinstance(context, dict):
        problems.append(Issue("context is required (an object with patientId and userId)", "context", code="required"))
    else:
        for key in ("userId", "patientId"):
            if not isinstance(context.get(key), str) or not context[key]:
                problems.append(Issue(f"context.{key} is required for patient-view (a string)", f"context.{key}",
                                      code="required"))
    if "prefetch" in body and body["prefetch"] is not None and not isinstance(body["prefetch"], dict):
        problems.append(Issue("prefetch must be an object of prefetch keys", "prefetch", code="structure"))
    if "fhirServer" in body and not isinstance(body["fhirServer"], str):
        problems.append(Issue("fhirServer must be a string (a URL)", "fhirServer", code="structure"))
    auth = body.get("fhirAuthorization")
    if auth is not None and not (isinstance(auth, dict) and isinstance(auth.get("access_token"), str)):
        problems.append(Issue("fhirAuthorization must be an object with an access_token", "fhirAuthorization",
                              code="structure"))
    if problems:
        raise FhirError(problems, status=400)
    return body


# ---- the record as an assessment ----


@dataclass
class Reading:
    """The Assessment built from the record, and whether it is complete."""

    assessment: Assessment
    missing: list[str]
    record: Record
    pain_ref: str | None
    hours: float
    unchecked: list[str]


def _years(born: datetime | None, moment: datetime) -> int | None:
    if born is None:
        return None
    years = moment.year - born.year - ((moment.month, moment.day) < (born.month, born.day))
    return years if 0 <= years <= 120 else None


def to_assessment(rec: Record, moment: datetime, failures: Sequence[str] = ()) -> Reading:
    """The record as an Assessment; where pain or onset is missing, values that can only under-read."""
    missing: list[str] = [f"could not fetch {f}" for f in failures]
    onset = rec.onset[0] if rec.onset else None
    # Ratings of this episode, and none stamped in the future (a clock error must not set "pain now").
    pains = sorted(p for p in rec.pains if (onset is None or p[0] >= onset) and p[0] <= moment + FUTURE_SLACK)
    if not pains and PAIN_KEY not in rec.available:
        missing.append("pain scores were not available (painObservations, LOINC 72514-3)")
    elif not pains:
        missing.append("no pain score (Observation, LOINC 72514-3) recorded in this episode")
    if onset is None:
        if CONDITIONS_KEY not in rec.available:
            missing.append("conditions were not available, so the back pain's onset is unknown")
        elif rec.back_pain:
            missing.append("the back-pain Condition has no onset date (onsetDateTime)")
        else:
            missing.append("no active back-pain Condition (for example SNOMED 279039007 low back pain) with its onset")
    missing += [f"only the first page of '{key}' was read" for key in rec.partial]
    start = onset or (pains[0][0] if pains else (min(p[0] for p in rec.pains) if rec.pains else None))
    hours = 0.0 if start is None else max(0.0, (moment - start).total_seconds() / 3600)
    hours = min(round(hours, 1), float(MAX_HOURS))
    data: dict[str, Any] = {"hours_since_onset": hours, "pain": pains[-1][1] if pains else 0}
    if onset is not None and pains:
        diary = [{"hours_since_onset": min(hours, max(0.0, round((t - onset).total_seconds() / 3600, 1))), "pain": s}
                 for t, s, _ in pains[:-1] if t <= moment]
        if diary:
            data["diary"] = diary
    age = _years(rec.birth, moment) if rec.birth else rec.age
    if age is not None:
        data["age"] = age
    if rec.findings:
        data["findings"] = sorted(rec.findings)
    if rec.denied:
        data["denied"] = sorted(rec.denied)
    if rec.conditions:
        data["conditions"] = sorted(rec.conditions)
    unchecked = [k for k in PREFETCH if k not in rec.available and k not in (PAIN_KEY, CONDITIONS_KEY)]
    return Reading(parse_assessment(data), missing, rec, pains[-1][2] if pains else None, hours, unchecked)


LinkMaker = Callable[[Assessment], str | None]


def respond(body: dict[str, Any], *, public_url: str | None = None, make_link: LinkMaker | None = None,
            moment: datetime | None = None, failures: Sequence[str] = ()) -> dict[str, Any]:
    """Cards for a checked request whose prefetch is complete; FhirError 412 when it holds nothing usable."""
    from ..engine import assess

    moment = moment or now()
    rec = read_record(body.get("prefetch") or {}, PREFETCH)
    if PAIN_KEY not in rec.available and CONDITIONS_KEY not in rec.available:
        why = f" ({'; '.join(failures)})" if failures else ""
        raise FhirError(
            [Issue(f"neither '{PAIN_KEY}' nor '{CONDITIONS_KEY}' was prefetched or could be fetched from fhirServer{why}:"
                   " send the prefetch templates from the discovery document, or fhirServer and fhirAuthorization",
                   f"prefetch.{key}", code="required") for key in (PAIN_KEY, CONDITIONS_KEY)],
            status=412,
        )
    if not rec.pains and not rec.back_pain:
        return {"cards": []}  # nothing about back pain in this record: no decision support to give
    reading = to_assessment(rec, moment, failures)
    # The record's words are codes: no free text is read, so the NLP reader is never needed.
    result = assess(reading.assessment, read_text=None)
    source_url = f"{public_url}/fhir/CodeSystem/source" if public_url else None
    cards = []
    if not reading.missing or URGENCY_RANK[result.urgency] > URGENCY_RANK["self_care"]:
        link = make_link(reading.assessment) if make_link else None
        cards.append(triage_card(reading, result, link, source_url))
    if reading.missing:
        cards.append(missing_card(reading, source_url))
    return {"cards": cards}


__all__ = ["FEEDBACK_PATH", "INDICATOR", "PLAN_PATH", "PREFETCH", "SERVICE_ID", "Reading", "discovery",
           "parse_request", "respond", "to_assessment"]
