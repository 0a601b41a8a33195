"""`backspasm fhir ...`: the Questionnaire, assessing a response, exporting a diary episode as a Bundle."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhirhelpers import EXAMPLE_NOW, valid_r4
from typer.testing import CliRunner

from backspasm import parse_assessment
from backspasm.cli import app
from backspasm.interop import cds
from backspasm.interop.export import episode_bundle
from backspasm.interop.questionnaire import assessment_to_response, questionnaire
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
    assert kinds(bundle) == ["Observation", "Observation", "RiskAssessment", "CarePlan"]


@pytest.mark.parametrize(
    ("stdin", "says"),
    [
        ("{", "not valid JSON"),
        ('{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": "pian"}]}',
         "QuestionnaireResponse.item[0].linkId: unknown linkId 'pian'"),
        ('{"resourceType": "Observation"}', "expected a QuestionnaireResponse"),
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


def seed(store: Any) -> tuple[int, int]:
    user = store.local_user()
    start = datetime.now(UTC) - timedelta(hours=80)
    episode, _ = store.start_episode(user.id, {"hours_since_onset": 10, "pain": 7}, started_at=start)
    store.add_checkin(user.id, episode.id, 7, at=start + timedelta(hours=30), note="still stiff")
    store.add_checkin(user.id, episode.id, 7, at=start + timedelta(hours=79), findings=["sleep_disturbed"])
    return user.id, episode.id


def test_episode_bundle_holds_the_episode_its_ratings_and_latest_assessment(any_store: Any) -> None:
    store = any_store  # SQLite and PostgreSQL
    user_id, episode_id = seed(store)
    bundle = valid_r4(episode_bundle(store, user_id, episode_id))
    assert kinds(bundle) == ["Condition", "Observation", "Observation", "Observation", "Observation", "Observation",
                             "Observation", "RiskAssessment", "CarePlan"]
    for entry in bundle["entry"]:
        valid_r4(entry["resource"])
    resources = [e["resource"] for e in bundle["entry"]]
    pains = [r for r in resources if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == PAIN_LOINC]
    assert [p["valueInteger"] for p in pains] == [7, 7, 7]
    assert "still stiff" in pains[1]["note"][0]["text"]
    status = store.status(user_id, episode_id)
    risk = next(r for r in resources if r["resourceType"] == "RiskAssessment")
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == status.result.urgency
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert all(b["reference"] in urls for b in risk["basis"])


def test_exported_episode_read_back_by_the_cds_service_gives_the_same_urgency(store: Any) -> None:
    user_id, episode_id = seed(store)
    bundle = episode_bundle(store, user_id, episode_id)
    resources = [e["resource"] for e in bundle["entry"]]
    searchset = {"resourceType": "Bundle", "type": "searchset"}
    body = {"hook": "patient-view", "hookInstance": "i", "context": {"userId": "Practitioner/1", "patientId": "1"},
            "prefetch": {
                "conditions": {**searchset, "entry": [{"resource": r} for r in resources if r["resourceType"] == "Condition"]},
                "painObservations": {**searchset, "entry": [{"resource": r} for r in resources
                                                            if r["resourceType"] == "Observation"]},
            }}
    status_code, out = cds.handle(json.dumps(body).encode(), "http://h")
    assert status_code == 200
    assert out["cards"][0]["source"]["topic"]["code"] == store.status(user_id, episode_id).result.urgency


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
    assert kinds(valid_r4(json.loads(target.read_text())))[0] == "Condition"


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
    with TestClient(web, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/cds-services").json()["services"][0]["id"] == cds.SERVICE_ID
        r = client.get("/fhir/Questionnaire/backspasm-intake")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
        r = client.post("/fhir/QuestionnaireResponse/$assess", content=b"{}")
        assert r.status_code == 422 and r.json()["resourceType"] == "OperationOutcome"
        r = client.post(f"/cds-services/{cds.SERVICE_ID}", content=b"")
        assert r.status_code == 400 and r.headers["access-control-allow-origin"] == "*"
