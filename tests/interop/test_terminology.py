"""Terminology as real records code it: RxNorm products, medicationReference, ICD-10 by prefix, other pain codes,
temperatures, allergies, what cannot be understood, and what the record covers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdshelpers import card_of, condition, triage
from fhirhelpers import EXAMPLE_NOW, example

from backspasm.interop.service import handle


@pytest.fixture(autouse=True)
def _clock(fixed_clock: None) -> None:
    return None


RX = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"


def nsaid_line(card: dict[str, Any]) -> str:
    return next(line for line in card["detail"].splitlines() if line.startswith("- Anti-inflammatory"))


def med_request(rid: str, **medicine: Any) -> dict[str, Any]:
    return {"resourceType": "MedicationRequest", "id": rid, "status": "active", "intent": "order",
            "subject": {"reference": "Patient/x"}, **medicine}


WARFARIN_5 = {"coding": [{"system": RX, "code": "855332", "display": "warfarin sodium 5 MG Oral Tablet"}]}


@pytest.mark.parametrize(
    ("resources", "key"),
    [
        ([med_request("mr1", medicationCodeableConcept=WARFARIN_5)], "medicationRequests"),
        ([med_request("mr1", medicationReference={"reference": "#m"},
                      contained=[{"resourceType": "Medication", "id": "m", "code": WARFARIN_5}])], "medicationRequests"),
        ([med_request("mr1", medicationReference={"reference": "Medication/m1"}),
          {"resourceType": "Medication", "id": "m1", "code": WARFARIN_5}], "medicationRequests"),
        ([{"resourceType": "MedicationStatement", "id": "ms", "status": "active", "subject": {"reference": "Patient/x"},
           "medicationCodeableConcept": {"text": "Eliquis 5mg twice daily"}}], "medicationStatements"),
        ([med_request("mr1", medicationCodeableConcept={"coding": [
            {"system": "http://www.whocc.no/atc", "code": "B01AF01"}]})], "medicationRequests"),
    ],
    ids=["rxnorm-product", "contained-medication", "medication-in-prefetch", "brand-name-as-text", "atc"],
)
def test_blood_thinners_are_read_however_the_medicine_is_recorded(resources: list[dict[str, Any]], key: str) -> None:
    card = card_of(*resources, key=key)
    assert "Takes a blood thinner" in card["detail"]
    assert "only after a pharmacist or doctor agrees" in nsaid_line(card)


def test_a_medicine_that_cannot_be_resolved_is_named_as_not_understood() -> None:
    card = card_of(med_request("mr9", medicationReference={"reference": "Medication/gone"}), key="medicationRequests")
    assert "**Not understood**" in card["detail"]
    assert "MedicationRequest/mr9: its medicine \\(Medication/gone\\) is neither contained nor in the prefetch" in card["detail"]


def test_a_medicine_coded_only_in_a_local_system_is_named_as_not_understood() -> None:
    card = card_of(med_request("mr8", medicationCodeableConcept={"coding": [
        {"system": "urn:oid:2.16.840.1.113883.6.69", "code": "0056-0172-70", "display": "Coumadin 5 mg"}]}),
        key="medicationRequests")
    assert "Takes a blood thinner" in card["detail"]  # the name still tells
    card = card_of(med_request("mr7", medicationCodeableConcept={"coding": [
        {"system": "urn:local:formulary", "code": "A77"}]}), key="medicationRequests")
    assert "MedicationRequest/mr7: the medicine is coded only in urn:local:formulary" in card["detail"].replace("\\", "")


@pytest.mark.parametrize(
    ("code", "flag"),
    [("N18.30", "Kidney disease"), ("N18.4", "Kidney disease"), ("K25.7", "Stomach ulcer or bleeding"),
     ("I21.4", "Heart disease or high blood pressure"), ("K70.30", "Liver disease"), ("Z88.6", "Allergy or asthma")],
)
def test_icd10_codes_are_read_by_prefix(code: str, flag: str) -> None:
    card = card_of(condition(code, ICD, clinicalStatus={"coding": [{"code": "active"}]}))
    assert flag in card["detail"]


def test_chronic_kidney_disease_stage_3_by_icd10_makes_nsaids_ask_first() -> None:
    card = card_of(condition("N18.30", ICD, clinicalStatus={"coding": [{"code": "active"}]}))
    assert "NSAIDs can harm the kidneys further" in nsaid_line(card)


def test_an_nsaid_allergy_makes_nsaids_avoided() -> None:
    allergy = {"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/x"},
               "code": {"coding": [{"system": RX, "code": "5640", "display": "ibuprofen"}]}}
    card = card_of(allergy, key="allergies")
    assert "avoid unless prescribed" in nsaid_line(card)


def test_pain_under_another_loinc_code_and_as_an_answer_code_is_read() -> None:
    obs = {"resourceType": "Observation", "id": "p2", "status": "final", "effectiveDateTime": "2026-11-25T11:30:00Z",
           "code": {"coding": [{"system": "http://loinc.org", "code": "38208-5"}]},
           "valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "LA10140-4", "display": "8"}]}}
    card = card_of(obs, key="painObservations")
    assert "Pain 8/10 (Observation/p2)" in card["detail"] and card["source"]["topic"]["code"] == "soon"


@pytest.mark.parametrize(("value", "unit", "urgency"), [(38.4, "Cel", "urgent"), (101.2, "[degF]", "urgent"),
                                                         (37.2, "Cel", "self_care")])
def test_a_body_temperature_at_or_over_38_c_is_a_fever(value: float, unit: str, urgency: str) -> None:
    temp = {"resourceType": "Observation", "id": "t", "status": "final", "effectiveDateTime": "2026-11-25T10:00:00Z",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5"}]},
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}}
    assert card_of(temp, key="temperatures")["source"]["topic"]["code"] == urgency


def test_a_condition_recorded_only_as_text_is_named_as_not_understood() -> None:
    card = card_of({"resourceType": "Condition", "id": "free", "subject": {"reference": "Patient/x"},
                    "code": {"text": "numb saddle area since yesterday"}})
    assert "Condition/free: the condition \\('numb saddle area since yesterday'\\) is recorded only as text" in card["detail"]


def test_a_long_standing_erectile_dysfunction_is_not_a_new_cauda_equina_sign() -> None:
    old = condition("N52.9", ICD, clinicalStatus={"coding": [{"code": "active"}]}, onsetDateTime="2019-01-01")
    new = condition("R37", ICD, onsetDateTime="2026-11-25T06:00:00Z")
    assert triage(old) == "self_care"
    assert triage(new) == "emergency"


def test_the_record_covers_red_flags_it_shows_or_denies_and_names_the_rest() -> None:
    denied = {"resourceType": "Observation", "id": "no-saddle", "status": "final", "valueBoolean": False,
              "effectiveDateTime": "2026-11-25T10:00:00Z",
              "code": {"coding": [{"system": "https://backspasm.example/fhir/CodeSystem/finding", "code": "saddle_numbness"}]}}
    card = card_of(denied, key="redFlagObservations")
    line = next(x for x in card["detail"].splitlines() if x.startswith("**Red flags the record does not cover**"))
    assert "saddle numbness" not in line and "new loss of bladder or bowel control" in line
    assert "Recorded absent: Numbness in the saddle area" in card["detail"]


def test_a_self_care_card_carries_the_safety_net_grouped_by_action() -> None:
    card = card_of()
    assert "**Safety-netting for the patient**" in card["detail"]
    assert "- Emergency assessment if: you lose control of your bladder" in card["detail"]
    assert "- Same-day assessment if:" in card["detail"]


def test_record_strings_are_escaped_in_the_card_markdown() -> None:
    evil = condition("279039007", onsetDateTime="2026-11-25T02:00:00Z")
    evil["id"] = "x](https://evil.example)**"
    body = example("patient-view-self-care.json")
    body["prefetch"]["conditions"]["entry"] = [{"resource": evil}]
    _, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    detail = out["cards"][0]["detail"]
    assert "](https://evil.example)" not in detail and "x\\]\\(https://evil.example\\)\\*\\*" in detail


def test_a_red_flag_observation_counts_when_the_record_has_pain_scores_but_no_back_pain_condition() -> None:
    body = example("patient-view-self-care.json")
    body["prefetch"]["conditions"] = None
    body["prefetch"]["redFlagObservations"] = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {
        "resourceType": "Observation", "id": "sn", "status": "final", "valueBoolean": True,
        "effectiveDateTime": "2026-11-25T11:00:00Z",
        "code": {"coding": [{"system": "https://backspasm.example/fhir/CodeSystem/finding", "code": "saddle_numbness"}]}}}]}
    status, out = handle(json.dumps(body).encode(), None, EXAMPLE_NOW)
    assert status == 200
    assert [c["indicator"] for c in out["cards"]] == ["critical", "info"]
    assert out["cards"][0]["summary"].startswith("Back pain: at least emergency assessment")
