"""The CDS Hooks 2.0 service: discovery, cards from prefetch, 412/400 errors, CORS; never a 500."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhirhelpers import EXAMPLE_NOW, EXAMPLES, PUBLIC_URL, example, valid_r4
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backspasm import assess, parse_assessment
from backspasm.interop.cds import INDICATOR, PREFETCH, SERVICE_ID
from backspasm.interop.service import handle
from backspasm.interop.systems import URGENCY_SYSTEM

URL = f"/cds-services/{SERVICE_ID}"
SNOMED = "http://snomed.info/sct"
TOKEN = re.compile(r"\{\{([^}]*)\}\}")


@pytest.fixture(autouse=True)
def _fixed_clock(fixed_clock: None) -> Iterator[None]:
    yield


def check_response(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The spec's required fields and allowed values for a CDS Hooks response."""
    assert set(body) <= {"cards", "systemActions"}
    cards = body["cards"]
    assert isinstance(cards, list)
    for card in cards:
        assert isinstance(card["summary"], str) and 0 < len(card["summary"]) < 140
        assert card["indicator"] in {"info", "warning", "critical"}
        assert isinstance(card["source"]["label"], str) and card["source"]["label"]
        if "url" in card["source"]:
            assert card["source"]["url"].startswith(("http://", "https://"))
        assert isinstance(card.get("detail", ""), str)
        assert "suggestions" not in card or "selectionBehavior" in card
        for link in card.get("links", []):
            assert link["label"] and link["type"] in {"absolute", "smart"}
            assert link["url"].startswith(("http://", "https://"))
    return cards


def post(client: TestClient, body: Any) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(URL, content=raw, headers={"Content-Type": "application/json"})


# ---- discovery ----


def test_discovery_lists_the_patient_view_triage_service(client: TestClient) -> None:
    r = client.get("/cds-services")
    assert r.status_code == 200
    (service,) = r.json()["services"]
    assert service["hook"] == "patient-view"
    assert service["id"] == SERVICE_ID
    assert service["description"] and service["title"]
    assert service["prefetch"] == PREFETCH


def test_prefetch_templates_ask_for_pain_by_loinc_and_conditions_with_valid_tokens() -> None:
    assert "code=http://loinc.org|72514-3,http://loinc.org|38208-5" in PREFETCH["painObservations"]
    assert PREFETCH["conditions"].startswith("Condition?patient=")
    assert "MedicationRequest:medication" in PREFETCH["medicationRequests"]
    assert "http://loinc.org|8310-5" in PREFETCH["temperatures"]
    assert PREFETCH["allergies"].startswith("AllergyIntolerance?patient=")
    assert "https://backspasm.example/fhir/CodeSystem/finding|saddle_numbness" in PREFETCH["redFlagObservations"]
    for template in PREFETCH.values():
        assert TOKEN.findall(template) == ["context.patientId"]


# ---- the public example requests ----

EXPECTED = {
    "patient-view-emergency-retention.json": (200, ["critical"], "emergency"),
    "patient-view-urgent-leg-warfarin.json": (200, ["warning"], "urgent"),
    "patient-view-soon-not-improving.json": (200, ["warning"], "soon"),
    "patient-view-self-care.json": (200, ["info"], "self_care"),
    "patient-view-partial-no-pain.json": (200, ["warning", "info"], "urgent"),
    "patient-view-partial-no-onset.json": (200, ["info"], None),
    "patient-view-no-prefetch.json": (412, [], None),
}


def test_every_example_file_has_an_expectation() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_requests_get_the_expected_cards(client: TestClient, name: str) -> None:
    status, indicators, urgency = EXPECTED[name]
    r = post(client, example(name))
    assert r.status_code == status, r.text
    if status != 200:
        assert valid_r4(r.json())["resourceType"] == "OperationOutcome"
        return
    cards = check_response(r.json())
    assert [c["indicator"] for c in cards] == indicators
    if urgency is not None:
        assert cards[0]["source"]["topic"] == {**cards[0]["source"]["topic"], "system": URGENCY_SYSTEM, "code": urgency}


def test_indicator_follows_the_urgency() -> None:
    assert INDICATOR == {"emergency": "critical", "urgent": "warning", "soon": "warning", "self_care": "info"}


def test_card_detail_speaks_to_the_clinician_with_reasons_sources_and_the_record_it_read(client: TestClient) -> None:
    card = post(client, example("patient-view-urgent-leg-warfarin.json")).json()["cards"][0]
    assert "Record shows paraesthesia in one leg: same-day assessment for possible nerve root compression" in card["detail"]
    assert "Condition/pn-1" in card["detail"] and "MedicationStatement/ms-1" in card["detail"]
    assert "only after a pharmacist or doctor agrees" in card["detail"]  # warfarin makes NSAIDs ask_first
    assert card["source"]["label"] == "How to Treat a Back Spasm at Home and With a Doctor: When to see a doctor"
    assert not re.search(r"\byou told us\b|\bSomething you\b", card["detail"] + card["summary"])


def test_saddle_numbness_card_names_cauda_equina_and_both_sources(client: TestClient) -> None:
    body = example("patient-view-self-care.json")
    body["prefetch"]["conditions"]["entry"].append({"resource": condition(
        "saddle_numbness", "https://backspasm.example/fhir/CodeSystem/finding", onsetDateTime="2026-11-25T09:00:00Z")})
    card = post(client, body).json()["cards"][0]
    assert ("Record shows saddle numbness: emergency assessment for possible cauda equina syndrome "
            "(NHS back pain; GIRFT 2023)") in card["detail"]
    assert card["indicator"] == "critical"


def test_card_links_to_the_full_plan_by_an_opaque_handle_from_the_public_url(client: TestClient) -> None:
    card = post(client, example("patient-view-urgent-leg-warfarin.json")).json()["cards"][0]
    (link,) = card["links"]
    assert link["type"] == "absolute" and link["url"].startswith(f"{PUBLIC_URL}/cds-services/{SERVICE_ID}/plan/")
    handle_ = link["url"].rsplit("/", 1)[1]
    assert "?" not in link["url"] and len(handle_) >= 32
    page = client.get(link["url"].removeprefix(PUBLIC_URL))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "<h2>Watch for</h2><h3>Call 911 now if</h3>" in page.text
    assert assess(parse_assessment({"hours_since_onset": 30, "pain": 6, "age": 68, "findings": ["leg_tingling"],
                                    "conditions": ["blood_thinner"]})).headline in page.text


def test_the_host_header_never_makes_a_link(client: TestClient) -> None:
    r = client.post(URL, json=example("patient-view-urgent-leg-warfarin.json"), headers={"Host": "evil.example"})
    assert "evil.example" not in r.text


def test_without_a_public_url_cards_carry_no_link() -> None:
    status, out = handle(json.dumps(example("patient-view-urgent-leg-warfarin.json")).encode(), None, EXAMPLE_NOW)
    assert status == 200 and "links" not in out["cards"][0] and "url" not in out["cards"][0]["source"]


def test_plan_page_refuses_an_unknown_handle(client: TestClient) -> None:
    assert client.get(f"{URL}/plan/bm9wZQ").status_code == 404
    assert client.get(f"{URL}/plan?a=bm9wZQ").status_code == 404


def test_not_improving_is_derived_from_earlier_pain_observations(client: TestClient) -> None:
    card = post(client, example("patient-view-soon-not-improving.json")).json()["cards"][0]
    assert "Pain ratings show no meaningful improvement (under 2 points) after three days" in card["detail"]
    assert "Fever" not in card["detail"]  # resolved a year before this episode


def test_partial_data_names_what_is_missing_in_an_info_card(client: TestClient) -> None:
    cards = post(client, example("patient-view-partial-no-pain.json")).json()["cards"]
    assert "least urgent reading" in cards[0]["detail"]
    assert cards[1]["indicator"] == "info"
    assert "no pain score" in cards[1]["summary"] and "72514-3" in cards[1]["summary"]


def test_partial_self_care_reading_is_not_shown_as_reassurance(client: TestClient) -> None:
    cards = post(client, example("patient-view-partial-no-onset.json")).json()["cards"]
    assert [c["indicator"] for c in cards] == ["info"]
    assert "back-pain Condition" in cards[0]["summary"]


def test_record_without_back_pain_gets_no_cards(client: TestClient) -> None:
    body = example("patient-view-self-care.json")
    body["prefetch"] = {"painObservations": None, "conditions": None}
    r = post(client, body)
    assert (r.status_code, r.json()) == (200, {"cards": []})


# ---- 412: the prefetch holds nothing usable ----


@pytest.mark.parametrize(
    "prefetch",
    [
        None,
        {},
        {"patient": {"resourceType": "Patient", "id": "p"}},
        {"painObservations": {"resourceType": "OperationOutcome", "issue": []},
         "conditions": {"resourceType": "OperationOutcome", "issue": []}},
        {"painObservations": "Observation?patient=1", "conditions": 7},
    ],
    ids=["no-prefetch", "empty", "patient-only", "operation-outcomes", "wrong-types"],
)
def test_nothing_usable_is_412_with_an_operation_outcome(client: TestClient, prefetch: Any) -> None:
    body = example("patient-view-self-care.json")
    body["prefetch"] = prefetch
    r = post(client, body)
    assert r.status_code == 412
    outcome = valid_r4(r.json())
    assert {e for i in outcome["issue"] for e in i["expression"]} == {"prefetch.painObservations", "prefetch.conditions"}
    assert r.headers["access-control-allow-origin"] == "*"


# ---- 400: not a CDS Hooks request ----


def without(path: list[str]) -> dict[str, Any]:
    body = copy.deepcopy(example("patient-view-self-care.json"))
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


def replaced(key: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(example("patient-view-self-care.json"))
    body[key] = value
    return body


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"", ""),
        (b"{not json", ""),
        (b"[]", ""),
        (b"null", ""),
        (without(["hook"]), "hook"),
        (replaced("hook", "order-sign"), "hook"),
        (without(["hookInstance"]), "hookInstance"),
        (replaced("hookInstance", 42), "hookInstance"),
        (without(["context"]), "context"),
        (replaced("context", "patient-1"), "context"),
        (without(["context", "patientId"]), "context.patientId"),
        (without(["context", "userId"]), "context.userId"),
        (replaced("prefetch", ["a"]), "prefetch"),
        (replaced("fhirServer", 1), "fhirServer"),
        (b'{"hook": "patient-view", "hook": "order-sign"}', ""),
    ],
)
def test_malformed_requests_are_400_naming_the_field(client: TestClient, body: Any, where: str) -> None:
    r = post(client, body)
    assert r.status_code == 400, r.text
    outcome = valid_r4(r.json())
    if where:
        assert any(where in i.get("expression", []) for i in outcome["issue"])


def test_an_unknown_service_id_is_404(client: TestClient) -> None:
    assert client.post("/cds-services/nope", json={}).status_code == 404


# ---- summaries stay short whatever the record holds ----


def test_summary_stays_under_140_characters_with_every_red_flag(client: TestClient) -> None:
    from backspasm.interop.codemap import load_codemap

    body = example("patient-view-urgent-leg-warfarin.json")
    conditions = body["prefetch"]["conditions"]["entry"]
    for i, ((system, code), _m) in enumerate(load_codemap().clinical_table.exact.items()):
        conditions.append({"resource": {"resourceType": "Condition", "id": f"c{i}", "code": {"coding": [
            {"system": system, "code": code}]}, "onsetDateTime": "2026-11-25T01:00:00Z", "subject": {"reference": "Patient/x"}}})
    r = post(client, body)
    cards = check_response(r.json())
    assert cards[0]["indicator"] == "critical"
    assert "more)" in cards[0]["summary"]


# ---- what the record means ----


def condition(code: str, system: str = SNOMED, **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Condition", "id": code, "code": {"coding": [{"system": system, "code": code}]},
            "subject": {"reference": "Patient/x"}, **extra}


def pain(score: Any, when: str = "2026-11-25T11:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": f"p{when[-9:-7]}", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
            "effectiveDateTime": when, "valueInteger": score, **extra}


def triage(*resources: dict[str, Any], onset: str = "2026-11-25T02:00:00Z") -> str:
    entries = [{"resource": r} for r in (condition("279039007", onsetDateTime=onset), *resources)]
    entries.append({"resource": pain(3)})
    body = {**example("patient-view-self-care.json")}
    body["prefetch"] = {"conditions": {"resourceType": "Bundle", "type": "searchset", "entry": entries},
                        "painObservations": None}
    status, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    assert status == 200
    return str(out["cards"][0]["source"]["topic"]["code"])


def card_of(*resources: dict[str, Any], key: str = "conditions") -> dict[str, Any]:
    body = example("patient-view-self-care.json")
    body["prefetch"].setdefault(key, {"resourceType": "Bundle", "type": "searchset", "entry": []})
    body["prefetch"][key]["entry"] += [{"resource": r} for r in resources]
    status, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    assert status == 200, out
    return dict(out["cards"][0])


@pytest.mark.parametrize(
    ("resource", "urgency"),
    [
        (condition("386661006", clinicalStatus={"coding": [{"code": "active"}]}), "urgent"),
        (condition("386661006", clinicalStatus={"coding": [{"code": "resolved"}]},
                   onsetDateTime="2026-11-25T04:00:00Z", abatementDateTime="2026-11-25T08:00:00Z"), "urgent"),
        (condition("386661006", clinicalStatus={"coding": [{"code": "resolved"}]},
                   onsetDateTime="2024-01-01", abatementDateTime="2024-01-05"), "self_care"),
        (condition("386661006", verificationStatus={"coding": [{"code": "refuted"}]}), "self_care"),
        (condition("363346000", clinicalStatus={"coding": [{"code": "remission"}]}), "urgent"),
        (condition("saddle_numbness", "https://backspasm.example/fhir/CodeSystem/finding"), "emergency"),
        ({"resourceType": "Observation", "id": "o", "status": "final", "code": {"coding": [
            {"system": SNOMED, "code": "29857009"}]}, "effectiveDateTime": "2026-11-25T05:00:00Z"}, "emergency"),
        ({"resourceType": "Observation", "id": "o", "status": "entered-in-error", "code": {"coding": [
            {"system": SNOMED, "code": "29857009"}]}, "effectiveDateTime": "2026-11-25T05:00:00Z"}, "self_care"),
        ({"resourceType": "Observation", "id": "o", "status": "final", "valueBoolean": False, "code": {"coding": [
            {"system": SNOMED, "code": "29857009"}]}, "effectiveDateTime": "2026-11-25T05:00:00Z"}, "self_care"),
    ],
    ids=["active-fever", "fever-this-episode", "fever-years-ago", "refuted", "cancer-in-remission", "own-code",
         "chest-pain-observation", "voided-observation", "observed-absent"],
)
def test_record_codes_map_to_findings_by_status_and_timing(resource: dict[str, Any], urgency: str) -> None:
    assert triage(resource) == urgency


def test_long_standing_back_pain_is_long_duration() -> None:
    assert triage(onset="2026-09-01T00:00:00Z") == "soon"


def test_pain_quantity_and_out_of_range_values() -> None:
    body = example("patient-view-self-care.json")
    obs = body["prefetch"]["painObservations"]["entry"][0]["resource"]
    del obs["valueInteger"]
    obs["valueQuantity"] = {"value": 8, "unit": "{score}"}
    status, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    assert out["cards"][0]["source"]["topic"]["code"] == "soon"  # severe pain
    obs["valueQuantity"] = {"value": 14}
    status, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    assert status == 200
    assert "needs a 0-10 value" in out["cards"][-1]["detail"]


def test_patient_birth_date_sets_the_age_that_makes_nsaids_ask_first() -> None:
    body = example("patient-view-self-care.json")
    body["prefetch"]["patient"]["birthDate"] = "1950-01-01"
    _, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    assert "- Age 76" in out["cards"][0]["detail"]
    assert "Anti-inflammatory pain relief (ibuprofen or naproxen): only after a pharmacist or doctor agrees" in \
        out["cards"][0]["detail"]


# ---- CORS, for browser-based CDS clients ----


def test_cors_preflight_and_headers(client: TestClient) -> None:
    r = client.options(URL, headers={"Origin": "https://sandbox.cds-hooks.org", "Access-Control-Request-Method": "POST",
                                     "Access-Control-Request-Headers": "authorization, content-type"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "authorization" in r.headers["access-control-allow-headers"].lower()
    assert client.get("/cds-services").headers["access-control-allow-origin"] == "*"
    assert post(client, example("patient-view-self-care.json")).headers["access-control-allow-origin"] == "*"


# ---- never a 500 ----

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
resource_like = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["Observation", "Condition", "Patient", "MedicationStatement", "Bundle"])},
    optional={
        "status": json_values, "code": json_values, "valueInteger": json_values, "valueQuantity": json_values,
        "effectiveDateTime": st.text(max_size=25) | json_values, "onsetDateTime": st.text(max_size=25),
        "clinicalStatus": json_values, "entry": st.lists(st.fixed_dictionaries({"resource": json_values}), max_size=3),
        "birthDate": st.text(max_size=12), "medicationCodeableConcept": json_values,
    },
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(list(PREFETCH)), resource_like | json_values, max_size=4), json_values)
def test_any_prefetch_shape_gets_a_spec_answer_never_a_crash(prefetch: dict[str, Any], context: Any) -> None:
    body = {"hook": "patient-view", "hookInstance": "x", "context": {"userId": "Practitioner/1", "patientId": "1"},
            "prefetch": prefetch}
    status, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    assert status in (200, 412)
    if status == 200:
        check_response(out)
    status, _ = handle(json.dumps({**body, "context": context}).encode(), "http://h", EXAMPLE_NOW)
    assert status in (200, 400, 412)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_get_an_answer_never_a_crash(raw: bytes) -> None:
    status, out = handle(raw, "http://h", EXAMPLE_NOW)
    assert status in (200, 400, 412)
    assert "cards" in out or out["resourceType"] == "OperationOutcome"


def test_a_pain_score_stamped_in_the_future_is_not_pain_now() -> None:
    body = example("patient-view-self-care.json")
    body["prefetch"]["painObservations"]["entry"].append({"resource": pain(9, "2026-11-26T11:00:00Z")})
    _, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    assert out["cards"][0]["source"]["topic"]["code"] == "self_care"


# ---- terminology as real records code it ----

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
