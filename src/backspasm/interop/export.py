"""A diary episode as a FHIR Bundle, for `backspasm fhir export --episode ID`.

Everything the diary knows, coded as the CDS service reads it (so a record system that
files the Bundle and answers the service's prefetch templates gets the same triage):
the back-pain Condition dated from its onset (resolved when the episode is closed),
every pain rating (LOINC 72514-3), each sign the person reported (an Observation, true)
or denied (false), their age, their conditions (Conditions), a blood thinner (a
MedicationStatement) and an NSAID allergy (an AllergyIntolerance), then the assessment
as of now: RiskAssessment and CarePlan. All reference one Patient inside the Bundle.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..knowledge import load
from .bundle import bundle, finding_coding, pain_observation, result_resources
from .fhir import instant, new_id
from .narrative import div
from .systems import (
    AGE_LOINC,
    ALLERGY_CLINICAL,
    CONDITION_CLINICAL,
    CONDITION_SYSTEM,
    CONDITION_VERIFICATION,
    LOINC,
    OBSERVATION_CATEGORY,
    SNOMED,
    UCUM,
)

if TYPE_CHECKING:
    from ..diary.store import Store

BACKACHE = {"coding": [{"system": SNOMED, "code": "161891005", "display": "Backache"}], "text": "Back spasm episode"}
SURVEY = [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}]
SELF_REPORTED = {"coding": [{"system": CONDITION_VERIFICATION, "code": "unconfirmed"}]}
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"


def episode_condition(onset: datetime, closed: datetime | None, subject: dict[str, Any]) -> dict[str, Any]:
    status = "resolved" if closed else "active"
    cond: dict[str, Any] = {
        "resourceType": "Condition",
        "id": new_id(),
        "text": div(f"Back spasm episode since {instant(onset)}" + (f", resolved {instant(closed)}." if closed else ".")),
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": status}]},
        "code": BACKACHE,
        "subject": subject,
        "onsetDateTime": instant(onset),
    }
    if closed:
        cond["abatementDateTime"] = instant(closed)
    return cond


def _sign(code: str, present: bool, subject: dict[str, Any], when: datetime) -> dict[str, Any]:
    label = load().findings[code].label
    said = "Reported" if present else "Denied"
    return {
        "resourceType": "Observation", "id": new_id(), "text": div(f"{said} by the person: {label}."),
        "status": "final", "category": SURVEY, "code": {"coding": finding_coding(code, label), "text": label},
        "subject": subject, "effectiveDateTime": instant(when), "valueBoolean": present,
    }


def _age(age: int, subject: dict[str, Any], when: datetime) -> dict[str, Any]:
    return {
        "resourceType": "Observation", "id": new_id(), "text": div(f"Age {age} years."), "status": "final",
        "category": SURVEY, "code": {"coding": [{"system": LOINC, "code": AGE_LOINC, "display": "Age"}], "text": "Age"},
        "subject": subject, "effectiveDateTime": instant(when),
        "valueQuantity": {"value": age, "unit": "years", "system": UCUM, "code": "a"},
    }


def _condition_resource(code: str, subject: dict[str, Any], when: datetime) -> dict[str, Any]:
    kb = load()
    label = kb.conditions[code].label
    coding = finding_coding(code, label)
    coding[0]["system"] = CONDITION_SYSTEM
    concept: dict[str, Any] = {"coding": coding, "text": label}
    text = div(f"Reported by the person: {label}.")
    if code == "blood_thinner":
        return {"resourceType": "MedicationStatement", "id": new_id(), "text": text, "status": "active",
                "medicationCodeableConcept": {**concept, "text": "A blood thinner (which one was not recorded)"},
                "subject": subject, "effectiveDateTime": instant(when), "dateAsserted": instant(when)}
    if code == "nsaid_allergy":
        return {"resourceType": "AllergyIntolerance", "id": new_id(), "text": text,
                "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
                "verificationStatus": {"coding": [{"system": ALLERGY_VERIFICATION, "code": "unconfirmed"}]},
                "type": "allergy", "category": ["medication"], "code": concept, "patient": subject,
                "recordedDate": instant(when)}
    return {"resourceType": "Condition", "id": new_id(), "text": text,
            "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
            "verificationStatus": SELF_REPORTED, "code": concept, "subject": subject, "recordedDate": instant(when)}


def episode_bundle(store: Store, user_id: int, episode_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The episode and everything recorded in it, with its assessment as of now, as one collection Bundle.

    Raises BadInput (from the store) for an episode the user does not have.
    """
    status = store.status(user_id, episode_id, now)
    episode = status.episode
    answers = episode.assessment
    patient = {"resourceType": "Patient", "id": new_id(), "text": div("The person who keeps this backspasm diary.")}
    subject = {"reference": f"urn:uuid:{patient['id']}", "display": "backspasm diary keeper"}
    resources: list[dict[str, Any]] = [patient, episode_condition(episode.onset_at, episode.closed_at, subject)]
    if answers.get("age") is not None:
        resources.append(_age(int(answers["age"]), subject, episode.started_at))
    resources.append(pain_observation(int(answers["pain"]), subject, episode.started_at,
                                      note="Pain when the episode was started"))
    # Findings answered "not sure" counted as present, so they go out as present signs.
    first_seen: dict[str, datetime] = dict.fromkeys(
        [*(answers.get("findings") or ()), *(answers.get("unsure") or ())], episode.started_at
    )
    first_seen.update((e.code, episode.started_at) for e in status.result.evidence
                      if e.code in load().findings and e.code not in first_seen)
    for c in status.checkins:
        parts = [f"Diary check-in {c.id}"]
        if c.findings:
            parts.append("reported: " + ", ".join(c.findings))
        if c.note:
            parts.append(f"note: {c.note}")
        resources.append(pain_observation(c.pain, subject, c.at, note="; ".join(parts)))
        for code in c.findings:
            first_seen.setdefault(code, c.at)
    for code, when in first_seen.items():
        resources.append(_sign(code, True, subject, when))
    for code in dict.fromkeys(answers.get("denied") or ()):
        if code not in first_seen:
            resources.append(_sign(code, False, subject, episode.started_at))
    for code in dict.fromkeys([*(answers.get("conditions") or ()), *status.result.conditions]):
        resources.append(_condition_resource(code, subject, episode.started_at))
    basis = [f"urn:uuid:{r['id']}" for r in resources if r["resourceType"] == "Observation"]
    resources += result_resources(status.result, subject=subject, when=status.now, basis=basis)
    return bundle(resources, when=status.now)


__all__ = ["episode_bundle", "episode_condition"]
