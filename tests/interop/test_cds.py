"""The CDS Hooks 2.0 service: discovery, cards from prefetch, 412/400 errors, CORS; never a 500."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from cdshelpers import condition, pain, triage
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
    {"resourceType": st.sampled_from(["Observation", "Condition", "Patient", "MedicationStatement", "MedicationRequest",
                                      "Medication", "AllergyIntolerance", "Bundle"])},
    optional={
        "status": json_values, "code": json_values, "valueInteger": json_values, "valueQuantity": json_values,
        "effectiveDateTime": st.text(max_size=25) | json_values, "onsetDateTime": st.text(max_size=25),
        "clinicalStatus": json_values, "entry": st.lists(st.fixed_dictionaries({"resource": json_values}), max_size=3),
        "birthDate": st.text(max_size=12), "medicationCodeableConcept": json_values,
        "medicationReference": json_values, "contained": json_values, "valueCodeableConcept": json_values,
        "reaction": json_values, "verificationStatus": json_values, "doNotPerform": json_values,
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
