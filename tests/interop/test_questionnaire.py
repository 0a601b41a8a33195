"""The intake Questionnaire mirrors the knowledge base, and a response reads exactly like the JSON API."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhirhelpers import valid_r4
from hypothesis import given, settings
from hypothesis import strategies as st

from backspasm import assess, parse_assessment, parse_json
from backspasm.codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES
from backspasm.interop.fhir import FhirError
from backspasm.interop.questionnaire import (
    LEG_GATE,
    LEG_ITEMS,
    assessment_to_response,
    questionnaire,
    response_to_assessment,
)
from backspasm.interop.systems import PAIN_LOINC, QUESTIONNAIRE_URL
from backspasm.knowledge import load

REPORTABLE = [c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS]
ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text",
              "url", "choice", "open-choice", "attachment", "reference", "quantity"}  # R4 item-type value set
OPERATORS = {"exists", "=", "!=", ">", "<", ">=", "<="}


def items(q: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def walk(entries: list[dict[str, Any]]) -> None:
        for item in entries:
            assert item["linkId"] not in out, f"duplicate linkId {item['linkId']}"
            out[item["linkId"]] = item
            walk(item.get("item", []))

    walk(q["item"])
    return out


def test_questionnaire_is_valid_r4_with_codes_from_the_r4_value_sets() -> None:
    q = questionnaire()
    assert valid_r4(q)["resourceType"] == "Questionnaire"
    assert q["status"] in {"draft", "active", "retired", "unknown"}
    for item in items(q).values():
        assert item["type"] in ITEM_TYPES
        for cond in item.get("enableWhen", []):
            assert cond["operator"] in OPERATORS


def test_one_boolean_item_per_reportable_finding_with_its_question() -> None:
    found = items(questionnaire())
    kb = load()
    for code in REPORTABLE:
        assert found[code]["type"] == "boolean"
        assert found[code]["text"] == kb.findings[code].question
    for code in DERIVED_ONLY_FINDINGS:
        assert code not in found


def test_one_boolean_item_per_condition_with_its_question() -> None:
    found = items(questionnaire())
    for code in CONDITION_CODES:
        assert found[code]["type"] == "boolean"
        assert found[code]["text"] == load().conditions[code].question


def test_leg_questions_are_enabled_only_by_a_yes_to_the_leg_gate() -> None:
    found = items(questionnaire())
    assert found[LEG_GATE]["type"] == "boolean"
    for code in LEG_ITEMS:
        assert found[code]["enableWhen"] == [{"question": LEG_GATE, "operator": "=", "answerBoolean": True}]
    for item in found.values():
        for cond in item.get("enableWhen", []):
            assert cond["question"] in found


def test_numbers_are_required_and_pain_is_coded_with_loinc() -> None:
    found = items(questionnaire())
    assert found["hours_since_onset"]["required"] and found["hours_since_onset"]["type"] == "decimal"
    assert found["pain"]["required"] and found["pain"]["type"] == "integer"
    assert found["pain"]["code"][0]["code"] == PAIN_LOINC


def test_get_serves_the_questionnaire_as_fhir_json(client: TestClient) -> None:
    r = client.get("/fhir/Questionnaire/backspasm-intake")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/fhir+json")
    assert r.json() == questionnaire()


# ---- round trip: a response built from an assessment gives the JSON API's result ----

CASES: list[dict[str, Any]] = [
    {"hours_since_onset": 2, "pain": 3},
    {"hours_since_onset": 30, "pain": 6, "age": 44, "findings": ["leg_tingling"], "denied": ["bladder_bowel_control_loss"],
     "conditions": ["kidney_disease"], "diary": [{"hours_since_onset": 2, "pain": 8}, {"hours_since_onset": 26, "pain": 7}]},
    {"hours_since_onset": 100, "pain": 7, "diary": [{"hours_since_onset": 1, "pain": 8}]},
    {"hours_since_onset": 1500, "pain": 2, "age": 70},
    {"hours_since_onset": 5, "pain": 9, "findings": ["saddle_numbness", "injury"], "conditions": ["pregnancy"]},
    {"hours_since_onset": 50, "pain": 4, "findings": ["leg_numbness", "leg_weakness", "bilateral_leg_symptoms"]},
    {"hours_since_onset": 12.5, "pain": 0, "denied": ["leg_numbness", "leg_tingling", "leg_weakness", "bilateral_leg_symptoms"]},
    {"hours_since_onset": 70, "pain": 5, "findings": ["fever"], "denied": ["fever", "chest_pain"],
     "conditions": ["liver_disease", "heavy_alcohol_use", "blood_thinner"]},
]


def via_json_api(data: dict[str, Any]) -> dict[str, Any]:
    parsed = parse_json(json.dumps(data))
    assert not isinstance(parsed, list)
    return assess(parsed).as_dict()


@pytest.mark.parametrize("data", CASES)
def test_response_round_trip_gives_the_json_apis_result(data: dict[str, Any]) -> None:
    qr = assessment_to_response(parse_assessment(data))
    valid_r4(qr)
    assert_same_result(assess(response_to_assessment(qr)).as_dict(), via_json_api(data))


def assert_same_result(round_trip: dict[str, Any], direct: dict[str, Any]) -> None:
    """The same result; only which leg questions count as asked may differ (they sit behind one gate)."""
    assert set(round_trip.pop("to_ask")) ^ set(direct.pop("to_ask")) <= set(LEG_ITEMS)
    assert round_trip == direct


@pytest.mark.parametrize("data", CASES)
def test_assess_over_http_files_the_same_urgency_findings_and_plan(client: TestClient, data: dict[str, Any]) -> None:
    expected = via_json_api(data)
    r = client.post("/fhir/QuestionnaireResponse/$assess", json=assessment_to_response(parse_assessment(data)))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/fhir+json")
    bundle = valid_r4(r.json())
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    risk = by_type["RiskAssessment"][0]
    assert risk["prediction"][0]["outcome"]["coding"][0]["code"] == expected["urgency"]
    assert by_type["QuestionnaireResponse"][0]["item"] == assessment_to_response(parse_assessment(data))["item"]
    plan = by_type["CarePlan"][0]
    assert [a["detail"]["code"]["coding"][0]["code"] for a in plan["activity"]] == [p["code"] for p in expected["plan"]]
    reason_codes = [o["code"]["coding"][0]["code"] for o in by_type["Observation"] if "valueBoolean" in o]
    assert reason_codes == [r["code"] for r in expected["reasons"]]


reportable = st.sampled_from(REPORTABLE)


@st.composite
def assessments(draw: st.DrawFn) -> dict[str, Any]:
    hours = draw(st.one_of(st.integers(0, 8760), st.floats(0, 8760, allow_nan=False)))
    data: dict[str, Any] = {"hours_since_onset": hours, "pain": draw(st.integers(0, 10))}
    if draw(st.booleans()):
        data["age"] = draw(st.integers(0, 120))
    present = draw(st.lists(reportable, unique=True, max_size=5))
    if present:
        data["findings"] = present
    denied = draw(st.lists(reportable, max_size=5))
    if denied:
        data["denied"] = denied
    conditions = draw(st.lists(st.sampled_from(CONDITION_CODES), max_size=3))
    if conditions:
        data["conditions"] = conditions
    diary = draw(st.lists(st.tuples(st.floats(0, 1, allow_nan=False), st.integers(0, 10)), max_size=3))
    if diary:
        data["diary"] = [{"hours_since_onset": f * hours, "pain": p} for f, p in diary]
    return data


@settings(max_examples=60, deadline=None)
@given(assessments())
def test_any_assessment_survives_the_questionnaire_round_trip_as_a_valid_bundle(data: dict[str, Any]) -> None:
    from backspasm.interop.assess import assess_response

    qr = assessment_to_response(parse_assessment(data))
    assert_same_result(assess(response_to_assessment(qr)).as_dict(), via_json_api(data))
    valid_r4(assess_response(qr))  # every emitted resource, for any answers: R4 schema and R4B models


# ---- invalid responses: OperationOutcome with the location, HTTP 422 ----


def base_response() -> dict[str, Any]:
    return assessment_to_response(parse_assessment({"hours_since_onset": 30, "pain": 6, "findings": ["fever"]}))


def set_answer(qr: dict[str, Any], link: str, answer: dict[str, Any]) -> dict[str, Any]:
    for group in qr["item"]:
        for item in group.get("item", []):
            if item["linkId"] == link:
                item["answer"] = [answer]
    return qr


def add_finding(qr: dict[str, Any], link: str, answer: dict[str, Any]) -> dict[str, Any]:
    qr["item"][1]["item"].append({"linkId": link, "answer": [answer]})
    return qr


BAD: list[tuple[str, Any, str, str]] = [
    ("pain out of range", lambda q: set_answer(q, "pain", {"valueInteger": 12}),
     "QuestionnaireResponse.item[0].item[1].answer[0].valueInteger", "out of range"),
    ("pain as a decimal", lambda q: set_answer(q, "pain", {"valueDecimal": 6.5}),
     "QuestionnaireResponse.item[0].item[1].answer[0]", "valueInteger"),
    ("hours out of range", lambda q: set_answer(q, "hours_since_onset", {"valueDecimal": 9000}),
     "QuestionnaireResponse.item[0].item[0].answer[0].valueDecimal", "out of range"),
    ("a yes that is a string", lambda q: set_answer(q, "fever", {"valueBoolean": "yes"}),
     "QuestionnaireResponse.item[1].item[0].answer[0]", "true or false"),
    ("unknown linkId", lambda q: add_finding(q, "feverish", {"valueBoolean": True}),
     "QuestionnaireResponse.item[1].item[1].linkId", "unknown linkId 'feverish'"),
    ("the same item twice", lambda q: add_finding(q, "fever", {"valueBoolean": True}),
     "QuestionnaireResponse.item[1].item[1].linkId", "more than once"),
    ("missing pain", lambda q: q["item"][0]["item"].pop(1) and q,
     "linkId='pain'", "required field is missing"),
    ("unknown status", lambda q: q.update(status="done") or q, "QuestionnaireResponse.status", "unknown status"),
    ("entered in error", lambda q: q.update(status="entered-in-error") or q, "QuestionnaireResponse.status",
     "entered-in-error"),
    ("another questionnaire", lambda q: q.update(questionnaire="http://x.org/Questionnaire/phq9") or q,
     "QuestionnaireResponse.questionnaire", "different Questionnaire"),
    ("not FHIR: item is not a list", lambda q: q.update(item="fever") or q, "QuestionnaireResponse.item", ""),
    ("another resource type", lambda q: {"resourceType": "Patient"}, "resourceType", "QuestionnaireResponse"),
    ("gate yes, leg questions unanswered", lambda q: add_finding(q, LEG_GATE, {"valueBoolean": True}),
     "linkId='leg_numbness'", "required when"),
]


@pytest.mark.parametrize(("name", "mutate", "where", "says"), BAD, ids=[b[0] for b in BAD])
def test_invalid_response_is_422_operation_outcome_naming_the_location(
    client: TestClient, name: str, mutate: Any, where: str, says: str
) -> None:
    body = mutate(copy.deepcopy(base_response()))
    r = client.post("/fhir/QuestionnaireResponse/$assess", json=body)
    assert r.status_code == 422, r.text
    outcome = valid_r4(r.json())
    assert outcome["resourceType"] == "OperationOutcome"
    hits = [i for i in outcome["issue"] if any(where in e for e in i.get("expression", []))]
    assert hits, outcome
    assert any(says in i["details"]["text"] for i in hits)


@pytest.mark.parametrize("body", [b"", b"{", b"[1,", b"\xff\xfe"])
def test_unparseable_body_is_400_operation_outcome(client: TestClient, body: bytes) -> None:
    r = client.post("/fhir/QuestionnaireResponse/$assess", content=body)
    assert r.status_code == 400
    assert valid_r4(r.json())["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("body", [[], 3, "text", None, {"resourceType": 5}])
def test_json_that_is_not_a_resource_is_422(client: TestClient, body: Any) -> None:
    r = client.post("/fhir/QuestionnaireResponse/$assess", content=json.dumps(body))
    assert r.status_code == 422
    assert r.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("gate", [None, False])
def test_an_answer_to_a_disabled_leg_question_is_refused_naming_its_enable_when(gate: bool | None) -> None:
    qr = base_response()
    if gate is not None:
        add_finding(qr, LEG_GATE, {"valueBoolean": gate})
    add_finding(qr, "leg_weakness", {"valueBoolean": True})
    with pytest.raises(FhirError) as e:
        response_to_assessment(qr)
    assert "'leg_weakness' is answered but not enabled: its enableWhen needs 'leg_symptoms' = yes" in str(e.value)


def test_gate_yes_with_every_leg_question_no_is_accepted_as_the_answers_say() -> None:
    qr = base_response()
    add_finding(qr, LEG_GATE, {"valueBoolean": True})
    for code in LEG_ITEMS:
        add_finding(qr, code, {"valueBoolean": False})
    a = response_to_assessment(qr)
    assert a.findings == ["fever"] and a.denied is not None and set(a.denied) == set(LEG_ITEMS)
    assert not set(LEG_ITEMS) & set(assess(a).to_ask)


def test_both_legs_is_asked_outside_the_gate_because_it_covers_pain_too() -> None:
    found = items(questionnaire())
    assert "enableWhen" not in found["bilateral_leg_symptoms"]
    assert set(LEG_ITEMS) == {"leg_numbness", "leg_tingling", "leg_weakness"}
    qr = add_finding(base_response(), "bilateral_leg_symptoms", {"valueBoolean": True})
    assert assess(response_to_assessment(qr)).urgency == "emergency"


def test_gate_no_answers_every_leg_question_no() -> None:
    a = response_to_assessment(add_finding(base_response(), LEG_GATE, {"valueBoolean": False}))
    assert a.findings == ["fever"]
    assert a.denied is not None and set(a.denied) == set(LEG_ITEMS)


def test_parameters_wrapping_the_response_is_accepted(client: TestClient) -> None:
    body = {"resourceType": "Parameters", "parameter": [{"name": "response", "resource": base_response()}]}
    r = client.post("/fhir/QuestionnaireResponse/$assess", json=body)
    assert r.status_code == 200, r.text


def test_questionnaire_canonical_with_a_version_is_accepted() -> None:
    qr = base_response()
    qr["questionnaire"] = f"{QUESTIONNAIRE_URL}|0.1.0"
    assert response_to_assessment(qr).pain == 6


def test_an_oversized_body_is_413_operation_outcome(client: TestClient) -> None:
    from backspasm.interop.fhir_routes import MAX_FHIR_BODY

    r = client.post("/fhir/QuestionnaireResponse/$assess", content=b" " * (MAX_FHIR_BODY + 1))
    assert r.status_code == 413
    assert r.json()["resourceType"] == "OperationOutcome"


def test_text_the_server_cannot_read_is_refused_not_ignored(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    engine = sys.modules["backspasm.engine"]  # the package's `assess` attribute is the function

    def no_reader(text: str) -> Any:
        raise ModuleNotFoundError("backspasm.text.reader")

    monkeypatch.setattr(engine, "_default_reader", no_reader)
    qr = assessment_to_response(parse_assessment({"hours_since_onset": 3, "pain": 2, "text": "my legs gave way"}))
    r = client.post("/fhir/QuestionnaireResponse/$assess", json=qr)
    assert r.status_code == 422
    assert r.json()["issue"][0]["expression"] == ["QuestionnaireResponse.item.where(linkId='text')"]


@pytest.mark.parametrize("params", [7, "response", [], [{"name": "response", "resource": 3}], [{"name": "other"}]])
def test_parameters_without_a_usable_response_is_422(client: TestClient, params: Any) -> None:
    r = client.post("/fhir/QuestionnaireResponse/$assess", json={"resourceType": "Parameters", "parameter": params})
    assert r.status_code == 422
    assert r.json()["resourceType"] == "OperationOutcome"


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 20) | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=6), inner, max_size=2),
    max_leaves=8,
)
_answer = st.dictionaries(st.sampled_from(["valueBoolean", "valueInteger", "valueDecimal", "valueString", "item"]),
                          _values, max_size=2)
_item = st.fixed_dictionaries(
    {"linkId": st.sampled_from(["episode", "pain", "hours_since_onset", "fever", LEG_GATE, "leg_numbness", "diary",
                                "diary.pain", "nope"]) | _values},  # no "text": the NLP reader is slow to load
    optional={"answer": st.lists(_answer, max_size=2) | _values, "item": st.lists(
        st.fixed_dictionaries({"linkId": st.sampled_from(["pain", "diary.pain", "hours_since_onset"]),
                               "answer": st.lists(_answer, max_size=2)}), max_size=2)},
)


@settings(max_examples=120, deadline=None)
@given(st.lists(_item, max_size=4), st.sampled_from(["completed", "amended", "bogus", 3]))
def test_any_response_shape_gets_a_bundle_or_an_operation_outcome(items_: list[Any], status: Any) -> None:
    from backspasm.interop.routes import assess_response

    qr = {"resourceType": "QuestionnaireResponse", "status": status, "item": items_}
    try:
        out = assess_response(qr)
    except FhirError as e:
        assert e.status == 422 and e.issues
        return
    assert out["resourceType"] == "Bundle"
    valid_r4(out)


@pytest.mark.parametrize("code", ["saddle_numbness", "leg_numbness", "fever"])
def test_an_answer_the_person_was_unsure_of_goes_out_as_the_yes_it_counted_as(code: str) -> None:
    a = parse_assessment({"hours_since_onset": 6, "pain": 3, "unsure": [code], "denied": ["chest_pain"]})
    back = response_to_assessment(assessment_to_response(a))
    assert code in (back.findings or [])
    assert assess(back).urgency == assess(a).urgency != "self_care"
