"""The assessment as FHIR R4 resources: valid, coded from the right value sets, every reference resolvable."""

from __future__ import annotations

from typing import Any

import pytest
from fhirhelpers import references, valid_r4

from backspasm import assess, parse_assessment
from backspasm.codes import URGENCY_LEVELS
from backspasm.interop.bundle import assessment_bundle
from backspasm.interop.codesystems import code_system
from backspasm.interop.systems import (
    CODE_SYSTEMS,
    LOINC,
    OBSERVATION_STATUS,
    PAIN_LOINC,
    PLAN_SYSTEM,
    STATUS_EXTENSION,
    URGENCY_SYSTEM,
)
from backspasm.knowledge import load

# R4 required bindings the models do not enforce.
BUNDLE_TYPES = {"document", "message", "transaction", "transaction-response", "batch", "batch-response", "history",
                "searchset", "collection"}
RISK_STATUS = {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"}
CAREPLAN_STATUS = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
CAREPLAN_INTENT = {"proposal", "plan", "order", "option"}
ACTIVITY_STATUS = {"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped", "unknown",
                   "entered-in-error"}

CASES = [
    {"hours_since_onset": 2, "pain": 3},
    {"hours_since_onset": 30, "pain": 8, "age": 64, "findings": ["leg_tingling", "injury"], "conditions": ["kidney_disease"]},
    {"hours_since_onset": 3, "pain": 9, "findings": ["bladder_bowel_control_loss"]},
    {"hours_since_onset": 1200, "pain": 5, "conditions": ["liver_disease"]},
    {"hours_since_onset": 20, "pain": 6, "findings": ["saddle_numbness"], "conditions": ["pregnancy"]},
    {"hours_since_onset": 10, "pain": 6, "conditions": ["pregnancy", "nsaid_allergy"], "findings": ["radiating_leg_pain"]},
]
RESPONSE = {"resourceType": "QuestionnaireResponse", "id": "qr-1", "status": "completed",
            "subject": {"reference": "Patient/123"}}


def make(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    a = parse_assessment(data)
    result = assess(a)
    return assessment_bundle(a, result, subject=RESPONSE["subject"], response=dict(RESPONSE)), result.as_dict()


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.mark.parametrize("data", CASES)
def test_every_resource_in_the_bundle_validates_as_r4(data: dict[str, Any]) -> None:
    bundle, _ = make(data)
    valid_r4(bundle)
    for entry in bundle["entry"]:
        valid_r4(entry["resource"])


@pytest.mark.parametrize("data", CASES)
def test_codes_come_from_their_value_sets(data: dict[str, Any]) -> None:
    bundle, _ = make(data)
    assert bundle["type"] in BUNDLE_TYPES
    for obs in resources(bundle, "Observation"):
        assert obs["status"] in OBSERVATION_STATUS
    (risk,) = resources(bundle, "RiskAssessment")
    assert risk["status"] in RISK_STATUS
    (plan,) = resources(bundle, "CarePlan")
    assert plan["status"] in CAREPLAN_STATUS and plan["intent"] in CAREPLAN_INTENT
    for activity in plan["activity"]:
        assert activity["detail"]["status"] in ACTIVITY_STATUS


@pytest.mark.parametrize("data", CASES)
def test_urgency_is_the_predictions_coded_outcome_not_a_qualitative_risk(data: dict[str, Any]) -> None:
    bundle, expected = make(data)
    (risk,) = resources(bundle, "RiskAssessment")
    prediction = risk["prediction"][0]
    assert "qualitativeRisk" not in prediction  # a care level is not a likelihood
    coding = prediction["outcome"]["coding"][0]
    assert coding["system"] == URGENCY_SYSTEM
    assert coding["code"] == expected["urgency"]
    assert coding["display"] == load().levels[expected["urgency"]].label


@pytest.mark.parametrize("data", CASES)
def test_the_response_is_in_the_bundle_and_every_reference_resolves_inside_it(data: dict[str, Any]) -> None:
    bundle, expected = make(data)
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    (qr,) = resources(bundle, "QuestionnaireResponse")
    assert qr["identifier"]["value"].endswith(":qr-1")
    (risk,) = resources(bundle, "RiskAssessment")
    refs = [b["reference"] for b in risk["basis"]]
    assert refs[0] == f"urn:uuid:{qr['id']}"
    assert len(refs) == 2 + len(expected["reasons"])
    assert set(references(bundle)) <= full_urls
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in bundle["entry"])
    assert risk["subject"]["display"].startswith("Patient/123")  # not in the Bundle: named, not referenced


@pytest.mark.parametrize("data", CASES)
def test_every_resource_carries_a_narrative(data: dict[str, Any]) -> None:
    bundle, _ = make(data)
    for entry in bundle["entry"]:
        text = entry["resource"]["text"]
        assert text["status"] == "generated"
        assert text["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">') and text["div"].endswith("</div>")


def test_reason_narrative_speaks_to_the_clinician() -> None:
    bundle, _ = make(CASES[4])
    (risk,) = resources(bundle, "RiskAssessment")
    assert ("Patient reports saddle numbness: emergency assessment for possible cauda equina syndrome "
            "(NHS back pain; GIRFT 2023)") in risk["text"]["div"]


def test_the_care_plan_is_a_proposal() -> None:
    bundle, _ = make(CASES[0])
    (plan,) = resources(bundle, "CarePlan")
    assert plan["intent"] == "proposal"


def test_avoided_medicines_are_do_not_perform_activities() -> None:
    bundle, _ = make(CASES[5])
    (plan,) = resources(bundle, "CarePlan")
    nsaid = next(a for a in plan["activity"] if a["detail"]["code"]["coding"][0]["code"] == "nsaid")
    assert nsaid["detail"]["extension"][0]["valueCode"] == "avoid"
    assert nsaid["detail"]["doNotPerform"] is True
    assert all(a["detail"]["doNotPerform"] is False for a in plan["activity"] if a is not nsaid)
    assert "avoid unless prescribed" in plan["text"]["div"]


def test_pain_is_an_observation_coded_loinc_72514_3() -> None:
    bundle, _ = make(CASES[1])
    pains = [o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == PAIN_LOINC]
    assert len(pains) == 1
    assert pains[0]["code"]["coding"][0]["system"] == LOINC
    assert pains[0]["valueInteger"] == 8


@pytest.mark.parametrize("data", CASES)
def test_each_plan_item_is_an_activity_with_its_status_and_source(data: dict[str, Any]) -> None:
    bundle, expected = make(data)
    (plan,) = resources(bundle, "CarePlan")
    assert len(plan["activity"]) == len(expected["plan"])
    for activity, item in zip(plan["activity"], expected["plan"], strict=True):
        detail = activity["detail"]
        assert detail["code"]["coding"][0] == {"system": PLAN_SYSTEM, "code": item["code"], "display": item["title"]}
        assert detail["extension"] == [{"url": STATUS_EXTENSION, "valueCode": item["status"]}]
        assert f"[{item['source']['ref']}]" in activity["progress"][0]["text"]


def test_ask_first_items_say_so_in_their_description() -> None:
    bundle, _ = make(CASES[1])
    (plan,) = resources(bundle, "CarePlan")
    nsaid = next(a for a in plan["activity"] if a["detail"]["code"]["coding"][0]["code"] == "nsaid")
    assert nsaid["detail"]["extension"][0]["valueCode"] == "ask_first"
    assert "NSAIDs can harm the kidneys further" in nsaid["detail"]["description"]
    assert nsaid["detail"]["doNotPerform"] is False


def test_each_reason_observation_cites_its_source() -> None:
    bundle, expected = make(CASES[1])
    reasons = [o for o in resources(bundle, "Observation") if "valueBoolean" in o]
    assert [o["code"]["coding"][0]["code"] for o in reasons] == [r["code"] for r in expected["reasons"]]
    for obs, reason in zip(reasons, expected["reasons"], strict=True):
        assert any(f"[{reason['source']['ref']}]" in n["text"] for n in obs["note"])


@pytest.mark.parametrize("kind", list(CODE_SYSTEMS))
def test_our_code_systems_are_served_valid_and_complete(kind: str, client: Any) -> None:
    r = client.get(f"/fhir/CodeSystem/{kind}")
    assert r.status_code == 200
    system = valid_r4(r.json())
    assert system["url"] == CODE_SYSTEMS[kind][0]
    assert system["count"] == len(system["concept"])
    assert system == valid_r4(code_system(kind) or {})


def test_urgency_code_system_lists_the_levels_lowest_first() -> None:
    system = code_system("urgency") or {}
    assert tuple(c["code"] for c in system["concept"]) == URGENCY_LEVELS


def test_unknown_code_system_is_404_operation_outcome(client: Any) -> None:
    r = client.get("/fhir/CodeSystem/colours")
    assert r.status_code == 404
    assert r.json()["resourceType"] == "OperationOutcome"
