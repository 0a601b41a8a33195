"""A Result as FHIR R4 resources: pain Observation, reason Observations, RiskAssessment, CarePlan.

The urgency becomes the RiskAssessment prediction's qualitativeRisk (coded in our
urgency code system: there is no standard value set for it), each reason an
Observation the RiskAssessment cites as its basis, each plan item a CarePlan
activity with its source as a note. Everything travels in one collection Bundle
with urn:uuid references, so a receiving system can file it as a unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..contract import Assessment
from ..knowledge import load
from ..result import Cited, Result
from .codemap import load_codemap
from .fhir import instant, new_id, now
from .systems import (
    FINDING_SYSTEM,
    LOINC,
    OBSERVATION_CATEGORY,
    PAIN_DISPLAY,
    PAIN_LOINC,
    PLAN_SYSTEM,
    PREVENTION_SYSTEM,
    PROFESSIONAL_SYSTEM,
    SNOMED,
    STATUS_EXTENSION,
    URGENCY_SYSTEM,
)

ANONYMOUS = {"display": "The person who answered the backspasm intake"}
TRIAGE_CODE = {"coding": [{"system": SNOMED, "code": "225390008", "display": "Triage"}],
               "text": "Back-spasm triage (backspasm)"}
SURVEY = [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}]


def source_text(item: Cited) -> str:
    """'Source: <title> [ref]: note', the citation a clinician can check."""
    src = load().sources[item.ref]
    return f"Source: {src.name} [{item.ref}]" + (f": {item.note}" if item.note else "")


def urgency_concept(urgency: str) -> dict[str, Any]:
    level = load().levels[urgency]
    return {"coding": [{"system": URGENCY_SYSTEM, "code": urgency, "display": level.label}], "text": level.label}


def pain_observation(pain: int, subject: dict[str, Any], when: datetime, *, status: str = "final",
                     note: str | None = None) -> dict[str, Any]:
    """Pain on the 0-10 numeric rating scale, LOINC 72514-3."""
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": new_id(),
        "status": status,
        "category": SURVEY,
        "code": {"coding": [{"system": LOINC, "code": PAIN_LOINC, "display": PAIN_DISPLAY}], "text": "Pain score (0-10)"},
        "subject": subject,
        "effectiveDateTime": instant(when),
        "valueInteger": pain,
    }
    if note:
        obs["note"] = [{"text": note}]
    return obs


def _reason_observation(reason: Cited, subject: dict[str, Any], when: datetime) -> dict[str, Any]:
    coding = [{"system": FINDING_SYSTEM, "code": reason.code, "display": reason.title}]
    standard = load_codemap().first_code.get(reason.code)
    if standard is not None:
        coding.append({"system": standard.uri, "code": standard.code, "display": standard.display})
    how = "read from the person's own words" if reason.get("from_text") else "reported or derived from the answers"
    return {
        "resourceType": "Observation",
        "id": new_id(),
        "status": "final",
        "category": SURVEY,
        "code": {"coding": coding, "text": reason.title},
        "subject": subject,
        "effectiveDateTime": instant(when),
        "valueBoolean": True,
        "interpretation": [{"text": f"Sets urgency: {load().levels[str(reason.get('level'))].label}"}],
        "note": [{"text": f"{reason.text} ({how})"}, {"text": source_text(reason)}],
    }


def _activity(item: Cited) -> dict[str, Any]:
    status = str(item.get("status", "recommended"))
    text = item.text
    cautions: Sequence[str] = item.get("cautions") or ()
    if status == "ask_first":
        text = f"Ask a pharmacist or doctor first. {' '.join(cautions)} {text}".replace("  ", " ")
    return {
        "detail": {
            "extension": [{"url": STATUS_EXTENSION, "valueCode": status}],
            "code": {"coding": [{"system": PLAN_SYSTEM, "code": item.code, "display": item.title}], "text": item.title},
            "status": "not-started",
            "doNotPerform": False,
            "description": text,
        },
        "progress": [{"text": source_text(item)}],
    }


def _option_note(kind: str, item: Cited) -> dict[str, Any]:
    return {"text": f"{kind}: {item.title}. {item.text} {source_text(item)}"}


def result_resources(result: Result, *, subject: dict[str, Any] | None = None, when: datetime | None = None,
                     pain: int | None = None, basis: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The Result as resources: [pain Observation?, reason Observations..., RiskAssessment, CarePlan].

    References between them use urn:uuid:<id>; `basis` adds references (for example the
    QuestionnaireResponse) to the RiskAssessment's basis.
    """
    kb = load()
    subject = subject or ANONYMOUS
    moment = when or now()
    resources: list[dict[str, Any]] = []
    refs: list[dict[str, Any]] = [{"reference": b} for b in basis]
    if pain is not None:
        obs = pain_observation(pain, subject, moment)
        resources.append(obs)
        refs.append({"reference": f"urn:uuid:{obs['id']}", "display": f"Pain {pain}/10"})
    for reason in result.reasons:
        obs = _reason_observation(reason, subject, moment)
        resources.append(obs)
        refs.append({"reference": f"urn:uuid:{obs['id']}", "display": reason.title})
    level = kb.levels[result.urgency]
    risk: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": new_id(),
        "status": "final",
        "code": TRIAGE_CODE,
        "subject": subject,
        "occurrenceDateTime": instant(moment),
        "prediction": [{
            "outcome": {"text": "Level of care the back pain needs now"},
            "qualitativeRisk": urgency_concept(result.urgency),
            "rationale": f"{result.headline} {level.summary}",
        }],
        "note": [{"text": f"{r.title}: {r.text} {source_text(r)}"} for r in result.reasons]
        + [{"text": result.disclaimer}],
    }
    if refs:
        risk["basis"] = refs
    if result.plan:
        risk["mitigation"] = result.plan[0].text
    plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": new_id(),
        "status": "active",
        "intent": "plan",
        "title": "Back-spasm care plan",
        "description": f"{level.label}: {result.headline}",
        "subject": subject,
        "created": instant(moment),
        "supportingInfo": [{"reference": f"urn:uuid:{risk['id']}", "display": "backspasm triage"}],
        "activity": [_activity(item) for item in result.plan],
        "note": [{"text": f"By the clock: at {step.at_hour:g} h since onset, {step.text}"} for step in result.schedule]
        + [_option_note("A doctor may offer", p) for p in result.professional]
        + [_option_note("To prevent another spasm", p) for p in result.prevention]
        + [{"text": result.disclaimer}],
    }
    return [*resources, risk, plan]


def option_codings(result: Result) -> list[dict[str, Any]]:
    """The professional and prevention options as Codings (for cards and summaries)."""
    return [{"system": PROFESSIONAL_SYSTEM, "code": p.code, "display": p.title} for p in result.professional] + [
        {"system": PREVENTION_SYSTEM, "code": p.code, "display": p.title} for p in result.prevention
    ]


def bundle(resources: Sequence[dict[str, Any]], *, when: datetime | None = None) -> dict[str, Any]:
    """A collection Bundle; each entry's fullUrl is urn:uuid:<id>."""
    return {
        "resourceType": "Bundle",
        "id": new_id(),
        "type": "collection",
        "timestamp": instant(when or now()),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def assessment_bundle(a: Assessment, result: Result, *, subject: dict[str, Any] | None = None,
                      when: datetime | None = None, response_ref: str | None = None) -> dict[str, Any]:
    """The $assess answer: the pain Observation, the reasons, the RiskAssessment and the CarePlan."""
    moment = when or now()
    resources = result_resources(result, subject=subject, when=moment, pain=a.pain,
                                 basis=[response_ref] if response_ref else ())
    return bundle(resources, when=moment)


__all__ = ["assessment_bundle", "bundle", "pain_observation", "result_resources", "source_text", "urgency_concept"]
