"""A Result as FHIR R4 resources: pain Observation, reason Observations, RiskAssessment, CarePlan.

The urgency is the RiskAssessment prediction's `outcome` (the level of care needed,
coded in our urgency code system: no standard value set fits, and it is an outcome, not
a likelihood, so `qualitativeRisk` stays empty). Each reason is an Observation the
RiskAssessment cites as its basis; each plan item a CarePlan activity (an avoided
medicine with `doNotPerform`); the CarePlan is a `proposal`, machine advice for a
clinician to adopt or not. Everything travels in one collection Bundle with urn:uuid
references that resolve inside it, each resource with a narrative a clinician can read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..contract import Assessment
from ..knowledge import load
from ..result import Cited, Result
from .codemap import load_codemap
from .fhir import instant, new_id, now
from .narrative import action, div, finding_sentence, short_source
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
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Findings a person does not report but the ratings or the clock show.
SHOWN_BY = {"not_improving": "Pain ratings show", "worsening": "Pain ratings show", "long_duration": "Onset date shows"}


def source_text(item: Cited) -> str:
    """'Source: <title> [ref]: note', the citation a clinician can check."""
    src = load().sources[item.ref]
    return f"Source: {src.name} [{item.ref}]" + (f": {item.note}" if item.note else "")


def urgency_concept(urgency: str) -> dict[str, Any]:
    level = load().levels[urgency]
    return {"coding": [{"system": URGENCY_SYSTEM, "code": urgency, "display": level.label}], "text": level.label}


def reason_sentence(reason: Cited, subject: str = "Patient reports") -> str:
    return finding_sentence(reason.code, str(reason.get("level")), reason.ref, SHOWN_BY.get(reason.code, subject))


def resolvable_subject(subject: dict[str, Any] | None) -> dict[str, Any]:
    """The subject as a Reference that resolves: absolute URLs kept; a relative one (not in this Bundle) as display."""
    if not subject:
        return dict(ANONYMOUS)
    target = subject.get("reference")
    if isinstance(target, str) and not target.startswith(("http://", "https://", "urn:")):
        out = {k: v for k, v in subject.items() if k in ("display", "identifier", "type")}
        out.setdefault("display", f"{target} in the record system that sent the answers")
        return out
    return dict(subject)


def pain_observation(pain: int, subject: dict[str, Any], when: datetime, *, status: str = "final",
                     note: str | None = None) -> dict[str, Any]:
    """Pain on the 0-10 numeric rating scale, LOINC 72514-3."""
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": new_id(),
        "text": div(f"Pain {pain}/10 on the 0-10 numeric rating scale, reported {instant(when)}.", note or ""),
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


def finding_coding(code: str, display: str) -> list[dict[str, Any]]:
    """Our finding code, then its standard code where one exists (the same codes the CDS service reads)."""
    coding = [{"system": FINDING_SYSTEM, "code": code, "display": display}]
    standard = load_codemap().first_code.get(code)
    if standard is not None:
        coding.append({"system": standard.uri, "code": standard.code, "display": standard.display})
    return coding


def _reason_observation(reason: Cited, subject: dict[str, Any], when: datetime) -> dict[str, Any]:
    how = "read from the person's own words" if reason.get("from_text") else "reported or derived from the answers"
    sentence = reason_sentence(reason)
    return {
        "resourceType": "Observation",
        "id": new_id(),
        "text": div(f"{sentence}.", f"({how})"),
        "status": "final",
        "category": SURVEY,
        "code": {"coding": finding_coding(reason.code, reason.title), "text": reason.title},
        "subject": subject,
        "effectiveDateTime": instant(when),
        "valueBoolean": True,
        "interpretation": [{"text": f"Sets urgency: {load().levels[str(reason.get('level'))].label}"}],
        "note": [{"text": f"{reason.text} ({how})"}, {"text": source_text(reason)}],
    }


def _activity(item: Cited) -> dict[str, Any]:
    status = str(item.get("status", "recommended"))
    cautions: Sequence[str] = item.get("cautions") or ()
    text = item.text if not cautions else f"{item.text} Why: {' '.join(cautions)}"
    return {
        "detail": {
            "extension": [{"url": STATUS_EXTENSION, "valueCode": status}],
            "code": {"coding": [{"system": PLAN_SYSTEM, "code": item.code, "display": item.title}], "text": item.title},
            "status": "not-started",
            "doNotPerform": status == "avoid",
            "description": text,
        },
        "progress": [{"text": source_text(item)}],
    }


def plan_line(item: Cited) -> str:
    """One plan item as a clinician reads it: the title, what its status asks, the short source."""
    status = item.get("status")
    cautions = " ".join(item.get("cautions") or ())
    if status == "avoid":
        head = f"{item.title}: avoid unless prescribed. {cautions}"
    elif status == "ask_first":
        head = f"{item.title}: only after a pharmacist or doctor agrees. {cautions}"
    else:
        head = item.title
    return f"{head.strip()} ({short_source(item.ref)})"


def _option_note(kind: str, item: Cited) -> dict[str, Any]:
    return {"text": f"{kind}: {item.title}. {item.text} {source_text(item)}"}


def result_resources(result: Result, *, subject: dict[str, Any] | None = None, when: datetime | None = None,
                     pain: int | None = None, basis: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The Result as resources: [pain Observation?, reason Observations..., RiskAssessment, CarePlan].

    References between them use urn:uuid:<id>; `basis` adds references (urn:uuid fullUrls of
    resources in the same Bundle, such as the QuestionnaireResponse) to the RiskAssessment's basis.
    """
    kb = load()
    subject = resolvable_subject(subject)
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
    sentences = [f"{reason_sentence(r)}." for r in result.reasons]
    risk: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": new_id(),
        "text": div(f"Back-spasm triage: {level.label} ({action(result.urgency)}).",
                    "" if sentences else "No red flag or reason for review in the answers.", items=tuple(sentences)),
        "status": "final",
        "code": TRIAGE_CODE,
        "subject": subject,
        "occurrenceDateTime": instant(moment),
        "prediction": [{
            "outcome": urgency_concept(result.urgency),
            "rationale": "; ".join(s.rstrip(".") for s in sentences) or f"{level.label}: no red flag reported",
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
        "text": div(f"Proposed back-spasm care plan ({level.label}).", items=tuple(plan_line(p) for p in result.plan)),
        "status": "active",
        "intent": "proposal",
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


def filed_response(response: dict[str, Any], subject: dict[str, Any]) -> dict[str, Any]:
    """The QuestionnaireResponse as it travels in the Bundle: a UUID id (its own id kept as identifier), a narrative."""
    out = dict(response)
    own = out.get("id")
    if not (isinstance(own, str) and _UUID.match(own)):
        if isinstance(own, str) and "identifier" not in out:
            out["identifier"] = {"system": "urn:ietf:rfc:3986", "value": f"urn:backspasm:submitted-id:{own}"}
        out["id"] = new_id()
    out["subject"] = subject
    out.setdefault("text", div("The answers to the backspasm intake this triage was made from."))
    return out


def assessment_bundle(a: Assessment, result: Result, *, subject: dict[str, Any] | None = None,
                      when: datetime | None = None, response: dict[str, Any] | None = None) -> dict[str, Any]:
    """The $assess answer: the QuestionnaireResponse, the pain Observation, the reasons, the RiskAssessment, the CarePlan."""
    moment = when or now()
    who = resolvable_subject(subject)
    filed = filed_response(response, who) if response is not None else None
    resources = result_resources(result, subject=who, when=moment, pain=a.pain,
                                 basis=[f"urn:uuid:{filed['id']}"] if filed else ())
    return bundle([*([filed] if filed else []), *resources], when=moment)


__all__ = ["assessment_bundle", "bundle", "finding_coding", "pain_observation", "plan_line", "reason_sentence",
           "result_resources", "source_text", "urgency_concept"]
