"""The FHIR server a client can talk to: metadata, $assess's definition, OperationOutcome for every error, formats.

Driven over HTTP by two maintained FHIR clients (fhirclient, fhirpy) against the app on a
loopback port, and by the test client for the error cases.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhirhelpers import make_app, valid_r4
from fhirserver import serve

from backspasm import assess, parse_assessment
from backspasm.interop.questionnaire import assessment_to_response, questionnaire
from backspasm.interop.server import OPERATION_ID

FHIR_JSON_UTF8 = "application/fhir+json; charset=utf-8"
CASE = {"hours_since_onset": 30, "pain": 6, "age": 64, "findings": ["leg_tingling"], "conditions": ["kidney_disease"]}


def outcome(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == FHIR_JSON_UTF8
    body = valid_r4(r.json())
    assert body["resourceType"] == "OperationOutcome" and body["issue"]
    return body


def test_metadata_is_a_valid_capability_statement_listing_what_the_routes_answer(client: TestClient) -> None:
    r = client.get("/fhir/metadata")
    assert r.status_code == 200 and r.headers["content-type"] == FHIR_JSON_UTF8
    cap = valid_r4(r.json())
    assert cap["fhirVersion"] == "4.0.1" and cap["kind"] == "instance"
    kinds = {res["type"]: res for res in cap["rest"][0]["resource"]}
    assert {i["code"] for i in kinds["Questionnaire"]["interaction"]} == {"read", "search-type"}
    assert kinds["QuestionnaireResponse"]["operation"][0]["name"] == "assess"
    assert cap["implementation"]["url"] == "https://backspasm.example.org/fhir"


def test_the_assess_operation_definition_is_served_and_valid(client: TestClient) -> None:
    r = client.get(f"/fhir/OperationDefinition/{OPERATION_ID}")
    op = valid_r4(r.json())
    assert op["code"] == "assess" and op["resource"] == ["QuestionnaireResponse"] and op["type"] is True
    cap = client.get("/fhir/metadata").json()
    assert cap["rest"][0]["operation"][0]["definition"] == op["url"]


def test_searching_the_questionnaire_by_canonical_url_finds_it(client: TestClient) -> None:
    q = questionnaire()
    bundle = valid_r4(client.get("/fhir/Questionnaire", params={"url": q["url"]}).json())
    assert bundle["type"] == "searchset" and bundle["total"] == 1
    assert bundle["entry"][0]["resource"]["id"] == q["id"]
    assert client.get("/fhir/Questionnaire", params={"url": "http://x.org/q"}).json()["total"] == 0
    outcome(client.get("/fhir/Questionnaire", params={"title": "x"}), 400)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/fhir/Patient/1", 404),
        ("GET", "/fhir/nope", 404),
        ("GET", "/fhir", 404),
        ("GET", "/fhir/Questionnaire/other", 404),
        ("GET", f"/fhir/OperationDefinition/{OPERATION_ID}x", 404),
        ("DELETE", "/fhir/Questionnaire/backspasm-intake", 405),
        ("POST", "/fhir/metadata", 405),
        ("GET", "/fhir/QuestionnaireResponse/$assess", 405),
        ("PUT", "/fhir/CodeSystem/urgency", 405),
    ],
)
def test_every_error_under_fhir_is_an_operation_outcome(client: TestClient, method: str, path: str, status: int) -> None:
    r = client.request(method, path)
    body = outcome(r, status)
    if status == 405:
        assert r.headers["allow"] and body["issue"][0]["code"] == "not-supported"


def test_the_web_app_answers_fhir_errors_as_operation_outcomes_too(tmp_path: Any) -> None:
    from backspasm.web import create_app

    web = create_app(f"sqlite:///{tmp_path / 'web.sqlite'}", secret_key="test-secret")
    with TestClient(web) as c:
        outcome(c.get("/fhir/Nope/1"), 404)
        outcome(c.patch("/fhir/metadata"), 405)


@pytest.mark.parametrize("content_type", ["application/fhir+xml", "application/xml", "text/xml", "text/plain"])
def test_a_body_that_is_not_json_is_415(client: TestClient, content_type: str) -> None:
    r = client.post("/fhir/QuestionnaireResponse/$assess", content=b"<QuestionnaireResponse/>",
                    headers={"Content-Type": content_type})
    outcome(r, 415)


@pytest.mark.parametrize("fmt", ["xml", "application/fhir+xml", "text/turtle"])
def test_a_format_other_than_json_is_refused_with_406(client: TestClient, fmt: str) -> None:
    outcome(client.get("/fhir/metadata", params={"_format": fmt}), 406)
    outcome(client.get("/fhir/Questionnaire/backspasm-intake", params={"_format": fmt}), 406)


def test_json_formats_are_honoured_and_pretty_indents(client: TestClient) -> None:
    for fmt in ("json", "application/fhir+json", "application/json"):
        assert client.get("/fhir/metadata", params={"_format": fmt}).status_code == 200
    assert client.get("/fhir/metadata", headers={"Accept": "application/fhir+xml"}).status_code == 406
    assert client.get("/fhir/metadata", headers={"Accept": "application/fhir+json, application/fhir+xml"}).status_code == 200
    pretty = client.get("/fhir/metadata", params={"_pretty": "true"}).text
    assert pretty.startswith('{\n  "resourceType"')


def test_a_repeated_key_is_refused_naming_it(client: TestClient) -> None:
    raw = b'{"resourceType": "QuestionnaireResponse", "status": "completed", "status": "amended"}'
    body = outcome(client.post("/fhir/QuestionnaireResponse/$assess", content=raw,
                               headers={"Content-Type": "application/fhir+json"}), 422)
    assert "'status' appears more than once" in body["issue"][0]["details"]["text"]


# ---- real FHIR clients over HTTP ----


@pytest.fixture(scope="module")
def live() -> Iterator[str]:
    with serve(make_app()) as base:
        yield f"{base}/fhir"


def test_fhirclient_prepares_reads_the_questionnaire_and_assesses(live: str) -> None:
    from fhirclient import client as fc
    from fhirclient.models.bundle import Bundle
    from fhirclient.models.questionnaire import Questionnaire
    from fhirclient.models.riskassessment import RiskAssessment

    smart = fc.FHIRClient(settings={"app_id": "backspasm-tests", "api_base": live})
    assert smart.prepare()  # reads and parses /metadata
    assert smart.server.capabilityStatement.fhirVersion == "4.0.1"
    q = Questionnaire.read("backspasm-intake", smart.server)
    assert q.url == questionnaire()["url"]
    qr = assessment_to_response(parse_assessment(CASE))
    r = smart.server.post_json("QuestionnaireResponse/$assess", qr)
    bundle = Bundle(r.json())  # fhirclient's models check every element
    risk = next(e.resource for e in bundle.entry if isinstance(e.resource, RiskAssessment))
    assert risk.prediction[0].outcome.coding[0].code == assess(parse_assessment(CASE)).urgency


def test_fhirclient_sees_an_operation_outcome_for_an_invalid_response(live: str) -> None:
    import requests
    from fhirclient import client as fc
    from fhirclient.models.operationoutcome import OperationOutcome

    smart = fc.FHIRClient(settings={"app_id": "backspasm-tests", "api_base": live})
    with pytest.raises(requests.HTTPError) as e:
        smart.server.post_json("QuestionnaireResponse/$assess", {"resourceType": "QuestionnaireResponse",
                                                                 "status": "completed", "item": [{"linkId": "pian"}]})
    assert e.value.response.status_code == 422
    assert "unknown linkId 'pian'" in OperationOutcome(e.value.response.json()).issue[0].diagnostics


def test_fhirpy_reads_searches_and_runs_the_operation(live: str) -> None:
    from fhirpy import SyncFHIRClient

    client = SyncFHIRClient(live)
    q = client.reference("Questionnaire", "backspasm-intake").to_resource()
    assert q["id"] == "backspasm-intake"
    found = client.resources("Questionnaire").search(url=questionnaire()["url"]).fetch()
    assert [x["id"] for x in found] == ["backspasm-intake"]
    systems = client.resources("CodeSystem").fetch_all()
    assert {s["id"] for s in systems} >= {"urgency", "finding"}
    params = {"resourceType": "Parameters",
              "parameter": [{"name": "response", "resource": assessment_to_response(parse_assessment(CASE))}]}
    out = client.execute("QuestionnaireResponse/$assess", method="post", data=params)
    assert out["resourceType"] == "Bundle"
    assert [e["resource"]["resourceType"] for e in out["entry"]][:1] == ["QuestionnaireResponse"]
    valid_r4(json.loads(json.dumps(out)))
