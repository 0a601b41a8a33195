"""`backspasm fhir ...`: the Questionnaire, assessing a response, exporting a diary episode as a Bundle."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhirhelpers import EXAMPLE_NOW, references, valid_r4
from fhirserver import search
from typer.testing import CliRunner

from backspasm import parse_assessment
from backspasm.cli import app
from backspasm.interop import cds
from backspasm.interop.export import episode_bundle
from backspasm.interop.fetch import fill
from backspasm.interop.questionnaire import assessment_to_response, questionnaire
from backspasm.interop.service import handle
from backspasm.interop.systems import PAIN_LOINC

runner = CliRunner()


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args), input=stdin)
    return r.exit_code, r.stdout, r.stderr


def kinds(bundle: dict[str, Any]) -> list[str]:
    return [e["resource"]["resourceType"] for e in bundle["entry"]]


def test_fhir_questionnaire_prints_the_served_questionnaire() -> None:
    code, out, _ = invoke("fhir", "questionnaire")
    assert code == 0
    assert json.loads(out) == questionnaire()


def test_fhir_questionnaire_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "q.json"
    assert invoke("fhir", "questionnaire", "--out", str(target))[0] == 0
    valid_r4(json.loads(target.read_text()))


def test_fhir_assess_turns_a_response_into_a_bundle() -> None:
    qr = assessment_to_response(parse_assessment({"hours_since_onset": 30, "pain": 6, "findings": ["injury"]}))
    code, out, _ = invoke("fhir", "assess", "--json", "-", stdin=json.dumps(qr))
    assert code == 0
    bundle = valid_r4(json.loads(out))
    assert kinds(bundle) == ["QuestionnaireResponse", "Observation", "Observation", "RiskAssessment", "CarePlan"]


@pytest.mark.parametrize(
    ("stdin", "says"),
    [
        ("{", "not valid JSON"),
        ('{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": "pian"}]}',
         "QuestionnaireResponse.item[0].linkId: unknown linkId 'pian'"),
        ('{"resourceType": "Observation"}', "expected a QuestionnaireResponse"),
        ('{"resourceType": "QuestionnaireResponse", "status": "completed", "status": "amended"}',
         "the key 'status' appears more than once"),
    ],
)
def test_fhir_assess_bad_input_exits_2_naming_the_location(stdin: str, says: str) -> None:
    code, out, err = invoke("fhir", "assess", "--json", "-", stdin=stdin)
    assert (code, out) == (2, "")
    assert says in err


def test_fhir_assess_missing_file_exits_2() -> None:
    code, out, err = invoke("fhir", "assess", "--json", "/nonexistent/qr.json")
    assert (code, out) == (2, "")
    assert "no such file" in err


# ---- episode export ----

SEEDS: list[tuple[dict[str, Any], list[list[str]]]] = [
    # The defect this pins: leg tingling and fever in the export, pain-only prefetch, "self-care" back.
    ({"hours_since_onset": 10, "pain": 7, "age": 67, "findings": ["leg_tingling"], "denied": ["saddle_numbness"],
      "conditions": ["blood_thinner", "kidney_disease"]}, [[], ["fever"]]),
    ({"hours_since_onset": 10, "pain": 4, "denied": ["bladder_bowel_control_loss"]}, [[], []]),
    ({"hours_since_onset": 3, "pain": 5, "conditions": ["pregnancy", "nsaid_allergy"]}, [["radiating_leg_pain"], []]),
    ({"hours_since_onset": 2, "pain": 6, "findings": ["saddle_numbness"]}, [[], []]),
]


def seed(store: Any, answers: dict[str, Any] | None = None, reported: list[list[str]] | None = None) -> tuple[int, int]:
    user = store.local_user()
    start = datetime.now(UTC) - timedelta(hours=80)
    episode, _ = store.start_episode(user.id, answers or {"hours_since_onset": 10, "pain": 7}, started_at=start)
    first, second = reported or [[], ["sleep_disturbed"]]
    store.add_checkin(user.id, episode.id, 7, at=start + timedelta(hours=30), note="still stiff", findings=first)
    store.add_checkin(user.id, episode.id, 7, at=start + timedelta(hours=79), findings=second)
    return user.id, episode.id


def test_episode_bundle_holds_the_episode_its_ratings_and_latest_assessment(any_store: Any) -> None:
    store = any_store  # SQLite and PostgreSQL
    user_id, episode_id = seed(store)
    bundle = valid_r4(episode_bundle(store, user_id, episode_id))
    assert kinds(bundle)[:2] == ["Patient", "Condition"] and kinds(bundle)[-2:] == ["RiskAssessment", "CarePlan"]
    for entry in bundle["entry"]:
        valid_r4(entry["resource"])
        assert entry["resource"]["text"]["div"].startswith("<div")
    resources = [e["resource"] for e in bundle["entry"]]
    pains = [r for r in resources if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == PAIN_LOINC]
    assert [p["valueInteger"] for p in pains] == [7, 7, 7]
    assert "still stiff" in pains[1]["note"][0]["text"]
    status = store.status(user_id, episode_id)
    risk = next(r for r in resources if r["resourceType"] == "RiskAssessment")
    assert risk["prediction"][0]["outcome"]["coding"][0]["code"] == status.result.urgency
    assert set(references(bundle)) <= {e["fullUrl"] for e in bundle["entry"]}


def test_export_files_conditions_medicines_allergies_age_and_denied_signs(store: Any) -> None:
    user_id, episode_id = seed(store, *SEEDS[0])
    resources = [e["resource"] for e in episode_bundle(store, user_id, episode_id)["entry"]]
    by_kind = {k: [r for r in resources if r["resourceType"] == k] for k in
               ("Condition", "MedicationStatement", "Observation", "AllergyIntolerance")}
    assert any(c["code"]["coding"][-1]["code"] == "90708001" for c in by_kind["Condition"])  # kidney disease, SNOMED
    (med,) = by_kind["MedicationStatement"]
    assert med["medicationCodeableConcept"]["coding"][0]["code"] == "blood_thinner"
    signs = {(o["code"]["coding"][0]["code"], o.get("valueBoolean")) for o in by_kind["Observation"]}
    assert {("leg_tingling", True), ("fever", True), ("saddle_numbness", False), ("30525-0", None)} <= signs


def ehr_prefetch(bundle: dict[str, Any], patient: str = "p1") -> dict[str, Any]:
    """What an EHR that filed the export answers to each prefetch template, filled literally."""
    filed = copy.deepcopy([e["resource"] for e in bundle["entry"]])
    own = next(r["id"] for r in filed if r["resourceType"] == "Patient")
    text = json.dumps(filed).replace(f'"urn:uuid:{own}"', f'"Patient/{patient}"').replace(f'"{own}"', f'"{patient}"')
    records = json.loads(text)
    return {key: search(records, fill(template, {"patientId": patient, "userId": "Practitioner/1"}) or "")
            for key, template in cds.PREFETCH.items()}


@pytest.mark.parametrize(("answers", "reported"), SEEDS, ids=["tingling-fever-warfarin", "self-care", "avoid", "ces"])
def test_an_ehr_filling_the_templates_from_the_export_gets_the_same_urgency(
    store: Any, answers: dict[str, Any], reported: list[list[str]]
) -> None:
    user_id, episode_id = seed(store, answers, reported)
    bundle = episode_bundle(store, user_id, episode_id)
    exported = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "RiskAssessment")
    body = {"hook": "patient-view", "hookInstance": "i", "context": {"userId": "Practitioner/1", "patientId": "p1"},
            "prefetch": ehr_prefetch(bundle)}
    status_code, out = handle(json.dumps(body).encode())
    assert status_code == 200
    expected = store.status(user_id, episode_id).result
    assert exported["prediction"][0]["outcome"]["coding"][0]["code"] == expected.urgency
    card = out["cards"][0]
    assert card["source"]["topic"]["code"] == expected.urgency
    nsaid = [line for line in card["detail"].splitlines() if line.startswith("- Anti-inflammatory")]
    wording = {"avoid": "avoid unless prescribed", "ask_first": "only after a pharmacist", "recommended": "(OTC"}
    assert [wording[str(expected.status("nsaid"))] in line for line in nsaid] == ([True] if expected.status("nsaid") else [])


def test_fhir_export_cli_writes_the_bundle_file(database_url: Callable[[str], str], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from backspasm.diary.store import open_store

    url = database_url("sqlite")
    with open_store(url) as store:
        _, episode_id = seed(store)
    monkeypatch.setenv("BACKSPASM_DATABASE_URL", url)
    target = tmp_path / "episode.json"
    code, out, err = invoke("fhir", "export", "--episode", str(episode_id), "--out", str(target))
    assert (code, out) == (0, ""), err
    assert kinds(valid_r4(json.loads(target.read_text())))[:2] == ["Patient", "Condition"]


def test_fhir_export_unknown_episode_exits_2(database_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSPASM_DATABASE_URL", database_url("sqlite"))
    code, out, err = invoke("fhir", "export", "--episode", "99")
    assert (code, out) == (2, "")
    assert "no episode 99" in err


# ---- mounted in the web app ----


def test_the_web_app_serves_the_fhir_and_cds_routes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backspasm.web import create_app

    monkeypatch.setattr(cds, "now", lambda: EXAMPLE_NOW)
    web = create_app(f"sqlite:///{tmp_path / 'web.sqlite'}", secret_key="test-secret")
    with TestClient(web, base_url="http://127.0.0.1:8000", client=("127.0.0.1", 50000)) as client:
        assert client.get("/cds-services").json()["services"][0]["id"] == cds.SERVICE_ID
        r = client.get("/fhir/Questionnaire/backspasm-intake")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
        r = client.post("/fhir/QuestionnaireResponse/$assess", content=b"{}")
        assert r.status_code == 422 and r.json()["resourceType"] == "OperationOutcome"
        r = client.post(f"/cds-services/{cds.SERVICE_ID}", content=b"")
        assert r.status_code == 400 and r.headers["access-control-allow-origin"] == "*"
