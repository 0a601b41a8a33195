"""The CDS Hooks 2.0 service `backspasm-triage` (hook: patient-view).

The service never calls back into the record system: it reads only the prefetched
data. What it needs, and where it comes from:

- pain now: the latest pain Observation (LOINC 72514-3); earlier ones in the
  episode become the diary, so "not improving" and "worse" can be derived;
- hours since onset: the onset of an active back-pain Condition (codemap.yaml `onset`);
- red flags and conditions: Condition and Observation codes mapped in codemap.yaml,
  blood thinners from MedicationStatements; age from the Patient's birthDate.

When neither the pain Observations nor the Conditions were prefetched (absent,
or an OperationOutcome in their place) it answers 412 with an OperationOutcome,
as the spec asks. When only part is there it still raises any red flag it can see
(urgency only grows with more findings, so a partial reading is a safe lower bound)
and adds an info card naming what is missing.
"""

from __future__ import annotations

import base64
import json
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..codes import URGENCY_RANK
from ..contract import MAX_HOURS, Assessment, BadInput, parse_assessment
from ..knowledge import load
from ..result import Result
from .codemap import load_codemap
from .fhir import FhirError, Issue, codings, new_id, now, parse_datetime
from .systems import (
    CONDITION_INACTIVE,
    CONDITION_VOID_VERIFICATION,
    LOINC,
    MEDICATION_STATEMENT_CURRENT,
    OBSERVATION_VOID,
    PAIN_LOINC,
    URGENCY_SYSTEM,
)

log = logging.getLogger(__name__)

SERVICE_ID = "backspasm-triage"
HOOK = "patient-view"
PAIN_KEY = "painObservations"
CONDITIONS_KEY = "conditions"
PATIENT_KEY = "patient"
MEDICATIONS_KEY = "medications"
PREFETCH = {
    PATIENT_KEY: "Patient/{{context.patientId}}",
    PAIN_KEY: f"Observation?patient={{{{context.patientId}}}}&code={LOINC}|{PAIN_LOINC}&_sort=-date&_count=20",
    CONDITIONS_KEY: "Condition?patient={{context.patientId}}",
    MEDICATIONS_KEY: "MedicationStatement?patient={{context.patientId}}&status=active",
}
INDICATOR = {"emergency": "critical", "urgent": "warning", "soon": "warning", "self_care": "info"}
SUMMARY_LIMIT = 139  # the spec: a summary under 140 characters
PLAN_PATH = f"/cds-services/{SERVICE_ID}/plan"
FUTURE_SLACK = timedelta(minutes=5)


def discovery() -> dict[str, Any]:
    """The discovery document: one patient-view service with its prefetch templates."""
    return {
        "services": [
            {
                "hook": HOOK,
                "id": SERVICE_ID,
                "title": "Back-spasm triage",
                "description": "Triage for back pain and back spasm: the urgency (emergency, see a doctor today, "
                "see a doctor soon, self-care), the red flags behind it with their sources, and the "
                "self-care plan, from the latest pain score (LOINC 72514-3), the back-pain Condition's "
                "onset, and red-flag Conditions and medicines in the record.",
                "prefetch": dict(PREFETCH),
                "usageRequirements": "Needs the painObservations and conditions prefetch; patient and medications "
                "refine age and pain-relief cautions. The service does not call the FHIR server.",
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
    try:
        body = json.loads(raw)
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
    for key in ("fhirServer",):
        if key in body and not isinstance(body[key], str):
            problems.append(Issue(f"{key} must be a string (a URL)", key, code="structure"))
    if problems:
        raise FhirError(problems, status=400)
    return body


# ---- reading the prefetch ----


@dataclass
class Record:
    """What the prefetch says, with notes on what was missing or skipped."""

    available: set[str] = field(default_factory=set)  # prefetch keys that were satisfied (null counts)
    pains: list[tuple[datetime, int, str]] = field(default_factory=list)  # (when, score, reference)
    onset: tuple[datetime, str, bool] | None = None  # (when, reference, estimated from recordedDate)
    back_pain: list[str] = field(default_factory=list)
    findings: dict[str, str] = field(default_factory=dict)  # code -> reference
    conditions: dict[str, str] = field(default_factory=dict)
    birth: datetime | None = None
    skipped: list[str] = field(default_factory=list)


def _resources(value: Any) -> list[dict[str, Any]] | None:
    """The resources in one prefetch value (a resource or a searchset Bundle); None when unusable."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return None
    if value.get("resourceType") == "OperationOutcome":
        return None
    if value.get("resourceType") == "Bundle":
        entries = value.get("entry") or []
        if not isinstance(entries, list):
            return None
        out = []
        for entry in entries:
            res = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(res, dict) and isinstance(res.get("resourceType"), str):
                out.append(res)
        return out
    if isinstance(value.get("resourceType"), str):
        return [value]
    return None


def _ref(res: dict[str, Any]) -> str:
    rid = res.get("id")
    return f"{res['resourceType']}/{rid}" if isinstance(rid, str) else str(res["resourceType"])


def _obs_time(res: dict[str, Any]) -> datetime | None:
    period = res.get("effectivePeriod")
    for value in (res.get("effectiveDateTime"), res.get("effectiveInstant"),
                  period.get("end") if isinstance(period, dict) else None,
                  period.get("start") if isinstance(period, dict) else None, res.get("issued")):
        moment = parse_datetime(value)
        if moment is not None:
            return moment
    return None


def _pain_value(res: dict[str, Any]) -> int | None:
    value = res.get("valueInteger")
    if value is None and isinstance(res.get("valueQuantity"), dict):
        value = res["valueQuantity"].get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value != int(value):
        return None
    return int(value) if 0 <= value <= 10 else None


def _status_code(concept: Any) -> str | None:
    for _system, code in codings(concept):
        return code
    return None


def read_prefetch(prefetch: dict[str, Any]) -> Record:
    """Gather the pain scores, the onset, the red flags and the conditions from the prefetch."""
    rec = Record()
    resources: list[dict[str, Any]] = []
    for key in (PATIENT_KEY, PAIN_KEY, CONDITIONS_KEY, MEDICATIONS_KEY):
        if key not in prefetch:
            continue
        found = _resources(prefetch[key])
        if found is None:
            rec.skipped.append(f"prefetch '{key}' could not be read (not a resource, a Bundle or null)")
            continue
        rec.available.add(key)
        resources += found
    cmap = load_codemap()
    episode: list[tuple[dict[str, Any], str]] = []  # (resource, finding) whose timing depends on the onset
    for res in resources:
        rtype = res["resourceType"]
        if rtype == "Patient":
            rec.birth = parse_datetime(res.get("birthDate")) or rec.birth
        elif rtype == "Observation":
            _read_observation(res, rec, cmap, episode)
        elif rtype == "Condition":
            _read_condition(res, rec, cmap, episode)
        elif rtype == "MedicationStatement" and _text(res.get("status")) in (*MEDICATION_STATEMENT_CURRENT, None):
            for meaning in cmap.medication(codings(res.get("medicationCodeableConcept"))):
                rec.conditions.setdefault(meaning.code, _ref(res))
    onset = rec.onset[0] if rec.onset else None
    for res, code in episode:
        start = _obs_time(res) if res["resourceType"] == "Observation" else (
            parse_datetime(res.get("onsetDateTime")) or parse_datetime(res.get("abatementDateTime"))
            or parse_datetime(res.get("recordedDate")))
        ended = parse_datetime(res.get("abatementDateTime")) if res["resourceType"] == "Condition" else None
        if onset is not None and ((start is not None and start >= onset) or (ended is not None and ended >= onset)):
            rec.findings.setdefault(code, _ref(res))
    return rec


def _text(value: Any) -> str | None:
    """A string element, or None for anything else (a malformed record must not crash the service)."""
    return value if isinstance(value, str) else None


def _read_observation(res: dict[str, Any], rec: Record, cmap: Any, episode: list[tuple[dict[str, Any], str]]) -> None:
    if _text(res.get("status")) in OBSERVATION_VOID:
        return
    codes = codings(res.get("code"))
    if (LOINC, PAIN_LOINC) in codes:
        score, when = _pain_value(res), _obs_time(res)
        if score is None or when is None:
            rec.skipped.append(f"{_ref(res)}: a pain score needs a 0-10 value and a time")
        else:
            rec.pains.append((when, score, _ref(res)))
        return
    if res.get("valueBoolean") is False:
        return  # asked and absent
    for meaning in cmap.meaning(codes):
        if meaning.kind == "finding":
            if meaning.scope == "history":
                rec.findings.setdefault(meaning.code, _ref(res))
            else:
                episode.append((res, meaning.code))
        elif meaning.kind == "condition":
            rec.conditions.setdefault(meaning.code, _ref(res))


def _read_condition(res: dict[str, Any], rec: Record, cmap: Any, episode: list[tuple[dict[str, Any], str]]) -> None:
    if _status_code(res.get("verificationStatus")) in CONDITION_VOID_VERIFICATION:
        return
    clinical = _status_code(res.get("clinicalStatus"))
    active = clinical not in CONDITION_INACTIVE  # active, relapse, recurrence, missing or unknown: counts
    for meaning in cmap.meaning(codings(res.get("code"))):
        if meaning.kind == "onset":
            if not active:
                continue
            rec.back_pain.append(_ref(res))
            started = parse_datetime(res.get("onsetDateTime"))
            if started is None and isinstance(res.get("onsetPeriod"), dict):
                started = parse_datetime(res["onsetPeriod"].get("start"))
            estimated = started is None
            started = started or parse_datetime(res.get("recordedDate"))
            # The most recent back-pain record dates the current episode.
            if started is not None and (rec.onset is None or started > rec.onset[0]):
                rec.onset = (started, _ref(res), estimated)
        elif meaning.kind == "finding":
            if meaning.scope == "history" or active:
                rec.findings.setdefault(meaning.code, _ref(res))
            else:
                episode.append((res, meaning.code))
        elif active:
            rec.conditions.setdefault(meaning.code, _ref(res))


# ---- assessment and cards ----


@dataclass
class Reading:
    """The Assessment built from the record, and whether it is complete."""

    assessment: Assessment
    missing: list[str]
    record: Record
    pain_ref: str | None
    hours: float


def _years(born: datetime | None, moment: datetime) -> int | None:
    if born is None:
        return None
    years = moment.year - born.year - ((moment.month, moment.day) < (born.month, born.day))
    return years if 0 <= years <= 120 else None


def to_assessment(rec: Record, moment: datetime) -> Reading:
    """The record as an Assessment; where pain or onset is missing, values that can only under-read."""
    missing: list[str] = []
    onset = rec.onset[0] if rec.onset else None
    # Ratings of this episode, and none stamped in the future (a clock error must not set "pain now").
    pains = sorted(p for p in rec.pains if (onset is None or p[0] >= onset) and p[0] <= moment + FUTURE_SLACK)
    if not pains and PAIN_KEY not in rec.available:
        missing.append("pain scores were not prefetched (painObservations, LOINC 72514-3)")
    elif not pains:
        missing.append("no pain score (Observation, LOINC 72514-3) recorded in this episode")
    if onset is None:
        if CONDITIONS_KEY not in rec.available:
            missing.append("conditions were not prefetched, so the back pain's onset is unknown")
        elif rec.back_pain:
            missing.append("the back-pain Condition has no onset date (onsetDateTime)")
        else:
            missing.append("no active back-pain Condition (for example SNOMED 279039007 low back pain) with its onset")
    # Hours since onset: from the onset; else from the earliest pain score (a lower bound).
    start = onset or (pains[0][0] if pains else (min(p[0] for p in rec.pains) if rec.pains else None))
    hours = 0.0 if start is None else max(0.0, (moment - start).total_seconds() / 3600)
    hours = min(round(hours, 1), float(MAX_HOURS))
    data: dict[str, Any] = {"hours_since_onset": hours, "pain": pains[-1][1] if pains else 0}
    if onset is not None and pains:
        diary = [{"hours_since_onset": min(hours, max(0.0, round((t - onset).total_seconds() / 3600, 1))), "pain": s}
                 for t, s, _ in pains[:-1] if t <= moment]
        if diary:
            data["diary"] = diary
    age = _years(rec.birth, moment)
    if age is not None:
        data["age"] = age
    if rec.findings:
        data["findings"] = sorted(rec.findings)
    if rec.conditions:
        data["conditions"] = sorted(rec.conditions)
    return Reading(parse_assessment(data), missing, rec, pains[-1][2] if pains else None, hours)


def _summary(text: str) -> str:
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1].rstrip(" ,;:-") + "…"


def encode_assessment(a: Assessment) -> str:
    """The Assessment in a URL: compact JSON, base64url without padding (codes and numbers only)."""
    raw = a.model_dump_json(exclude_none=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_assessment(token: str) -> Assessment:
    """The other half of `encode_assessment` (BadInput when the token is not an assessment)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadInput([("a", "not an encoded assessment")]) from None
    return parse_assessment(data)


def _triage_card(reading: Reading, result: Result, base_url: str) -> dict[str, Any]:
    kb = load()
    level = kb.levels[result.urgency]
    partial = bool(reading.missing)
    names = [r.title.lower() for r in result.reasons]
    # A partial record can only under-read the urgency: say "at least".
    head = f"Back pain, at least: {level.label.lower()}" if partial else f"Back pain: {level.label}"
    summary = head
    for i in range(len(names), 0, -1):
        more = f" +{len(names) - i} more" if i < len(names) else ""
        candidate = f"{head} ({', '.join(names[:i])}{more})"
        if len(candidate) <= SUMMARY_LIMIT:
            summary = candidate
            break
    lines = [f"**{result.headline}** {level.summary}", ""]
    if partial:
        lines += ["_Incomplete record: this is the least urgent reading the data allows; see the other card._", ""]
    if result.reasons:
        lines.append("**Why**")
        lines += [f"- **{r.title}**: {r.text} _({kb.sources[r.ref].name})_" for r in result.reasons]
        lines.append("")
    lines.append("**Plan**")
    for p in result.plan:
        ask = " (ask a pharmacist or doctor first)" if p.get("status") == "ask_first" else ""
        lines.append(f"- {p.title}{ask} _({kb.sources[p.ref].name})_")
    lines += ["", "**From the record**"]
    a = reading.assessment
    rec = reading.record
    if reading.pain_ref:
        lines.append(f"- Pain {a.pain}/10 ({reading.pain_ref})")
    if rec.onset:
        how = " (date recorded; onset not given)" if rec.onset[2] else ""
        lines.append(f"- Back pain since {rec.onset[0].date().isoformat()}, {reading.hours:g} h ago{how} ({rec.onset[1]})")
    for code, ref in sorted(rec.findings.items()):
        lines.append(f"- {kb.findings[code].label} ({ref})")
    for code, ref in sorted(rec.conditions.items()):
        lines.append(f"- {kb.conditions[code].label} ({ref})")
    unchecked = [k for k in (PATIENT_KEY, MEDICATIONS_KEY) if k not in rec.available]
    if unchecked:
        lines.append(f"- Not prefetched, so not checked: {', '.join(unchecked)}")
    sources = sorted({item.ref for item in (*result.reasons, *result.plan)})
    lines += ["", "**Sources**: " + "; ".join(kb.sources[s].name for s in sources), "", f"_{result.disclaimer}_"]
    primary = result.reasons[0].ref if result.reasons else result.plan[0].ref
    return {
        "uuid": new_id(),
        "summary": _summary(summary),
        "indicator": INDICATOR[result.urgency],
        "detail": "\n".join(lines),
        "source": {
            "label": kb.sources[primary].name,
            "url": f"{base_url}/fhir/CodeSystem/source",
            "topic": {"system": URGENCY_SYSTEM, "code": result.urgency, "display": level.label},
        },
        "links": [{
            "label": "Full back-spasm plan (backspasm)",
            "url": f"{base_url}{PLAN_PATH}?a={encode_assessment(a)}",
            "type": "absolute",
        }],
    }


def _missing_card(reading: Reading, base_url: str) -> dict[str, Any]:
    what = "; ".join(reading.missing)
    lines = ["The back-spasm triage needs more of the record to give a full answer:", ""]
    lines += [f"- {m}" for m in reading.missing]
    lines += ["", "To complete it, record the pain on the 0-10 scale as an Observation coded LOINC 72514-3 and the "
              "back pain as a Condition with its onsetDateTime, then reopen the chart."]
    if reading.record.skipped:
        lines += ["", "Skipped:"] + [f"- {s}" for s in reading.record.skipped]
    return {
        "uuid": new_id(),
        "summary": _summary(f"Back-spasm triage incomplete: {what}"),
        "indicator": "info",
        "detail": "\n".join(lines),
        "source": {"label": "backspasm back-spasm triage", "url": f"{base_url}/fhir/Questionnaire/backspasm-intake"},
    }


def respond(body: dict[str, Any], base_url: str, moment: datetime | None = None) -> dict[str, Any]:
    """Cards for a checked request; FhirError 412 when the prefetch holds nothing usable."""
    from ..engine import assess

    moment = moment or now()
    prefetch = body.get("prefetch") or {}
    rec = read_prefetch(prefetch)
    if PAIN_KEY not in rec.available and CONDITIONS_KEY not in rec.available:
        raise FhirError(
            [Issue(f"the prefetch holds neither '{PAIN_KEY}' nor '{CONDITIONS_KEY}', and this service does not "
                   "query the FHIR server: send the prefetch templates from the discovery document",
                   f"prefetch.{key}", code="required") for key in (PAIN_KEY, CONDITIONS_KEY)],
            status=412,
        )
    if not rec.pains and not rec.back_pain:
        return {"cards": []}  # nothing about back pain in this record: no decision support to give
    reading = to_assessment(rec, moment)
    # The record's words are codes: no free text is read, so the NLP reader is never needed.
    result = assess(reading.assessment, read_text=None)
    cards = []
    if not reading.missing or URGENCY_RANK[result.urgency] > URGENCY_RANK["self_care"]:
        cards.append(_triage_card(reading, result, base_url))
    if reading.missing:
        cards.append(_missing_card(reading, base_url))
    return {"cards": cards}


def handle(raw: bytes, base_url: str, moment: datetime | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for a raw request: 200 cards, 400/412 OperationOutcome. Never raises."""
    try:
        return 200, respond(parse_request(raw), base_url.rstrip("/"), moment)
    except FhirError as e:
        return e.status, e.outcome()
    except BadInput as e:  # a record value the contract refuses (should not happen: values are clamped)
        return 422, FhirError([Issue(msg, loc) for loc, msg in e.errors]).outcome()
    except Exception:  # a record shape nobody foresaw: answer the client, keep the trace in the log
        log.exception("CDS Hooks request could not be read")
        return 422, FhirError([Issue("the request's prefetch could not be read; see the service log", "prefetch",
                                     code="processing")]).outcome()


__all__ = ["PREFETCH", "SERVICE_ID", "decode_assessment", "discovery", "encode_assessment", "handle", "respond"]
