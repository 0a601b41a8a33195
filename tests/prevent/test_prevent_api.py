"""The prevention JSON API: the same rule as the CLI and the pages (no program while a doctor's visit is
pending, and why), and no session ticked off before the program is under way (409, nothing recorded)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backspasm.web import create_app

ANSWERS: dict[str, Any] = {"sitting_hours": 7, "lifting_at_work": False, "activity_level": "some"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(f"sqlite:///{tmp_path / 'api.sqlite'}", secret_key="test-secret")
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def sign_up(client: TestClient, email: str = "p@example.org") -> dict[str, str]:
    r = client.post("/api/v1/users", json={"email": email, "password": "a long enough password"})
    assert r.status_code == 201
    return {"x-csrf-token": r.json()["csrf_token"]}


def sessions(client: TestClient, email: str = "p@example.org") -> list[Any]:
    store = client.app.state.store  # type: ignore[attr-defined]
    return list(store.list_activities(store.get_user_by_email(email).id, kind="exercise"))


@pytest.mark.parametrize("episode", [{"urgency": "soon", "hours_since_onset": 100}, {"urgency": "soon"}])
def test_a_pending_doctors_visit_is_a_clear_not_now_answer(client: TestClient, episode: dict[str, Any]) -> None:
    r = client.post("/api/v1/program", json=ANSWERS | episode)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "not_now" and body["sessions"] == [] and body["weeks"] == [] and body["start"] is None
    w = body["withheld"]
    assert w["code"] == "needs_doctor_first" and w["urgency"] == "soon" and w["title"] == "No exercise program for now"
    assert "Book a doctor's appointment" in w["text"] and "gentle movement" in w["text"]
    assert w["come_back"].startswith("After the visit, come back for your program")
    assert w["source"]["ref"] == "article:when-to-consult"
    assert [(s["code"], s["source"]["ref"]) for s in w["still_applies"]] == [("gentle_movement", "article:immediate-self-care")]


@pytest.mark.parametrize("urgency", ["urgent", "emergency"])
def test_red_flags_withhold_it_too_with_nothing_of_the_plan_to_keep_doing(client: TestClient, urgency: str) -> None:
    w = client.post("/api/v1/program", json=ANSWERS | {"urgency": urgency}).json()["withheld"]
    assert w["urgency"] == urgency and w["still_applies"] == [] and "doctor" in w["text"]


def test_an_assessment_in_the_body_counts_like_the_urgency(client: TestClient) -> None:
    body = client.post("/api/v1/program", json=ANSWERS | {"assessment": {"hours_since_onset": 100, "pain": 8}}).json()
    assert body["status"] == "not_now" and body["urgency"] == "soon"


def test_self_care_gives_the_program(client: TestClient) -> None:
    body = client.post("/api/v1/program", json=ANSWERS | {"urgency": "self_care", "hours_since_onset": 100}).json()
    assert body["status"] == "ready" and body["withheld"] is None and len(body["weeks"]) == 6 and body["sessions"]


def test_the_wording_follows_accept_language(client: TestClient) -> None:
    w = client.post("/api/v1/program", json=ANSWERS | {"urgency": "soon"}, headers={"accept-language": "en-GB"}).json()
    assert "GP" in w["withheld"]["text"] and "GP" in w["withheld"]["come_back"]


@pytest.mark.parametrize(
    "raw,loc",
    [
        ('{"sitting_hours": "7", "lifting_at_work": false, "activity_level": "some"}', "sitting_hours"),
        ('{"sitting_hours": 7, "sitting_hours": 8, "lifting_at_work": false, "activity_level": "some"}', "sitting_hours"),
        ('{"sitting_hours": 7, "lifting_at_work": false, "activity_level": "some", "urgncy": "soon"}', "urgncy"),
        ('{"sitting_hours": 7, "lifting_at_work": false, "activity_level": "some", "urgency": "maybe"}', "urgency"),
        ('[1]', ""),
    ],
)
def test_bad_program_input_is_a_422_naming_the_field(client: TestClient, raw: str, loc: str) -> None:
    r = client.post("/api/v1/program", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "bad_input"
    assert any(loc in d["loc"] for d in r.json()["detail"]), r.json()


def test_keeping_a_program_needs_a_sign_in_and_the_csrf_header(client: TestClient) -> None:
    assert client.put("/api/v1/program", json=ANSWERS).status_code == 401
    assert client.post("/api/v1/program/done", json={"code": "plank"}).status_code == 401
    sign_up(client)
    assert client.put("/api/v1/program", json=ANSWERS).status_code == 403
    assert client.post("/api/v1/program/done", json={"code": "plank"}).status_code == 403


def test_a_withheld_program_is_not_kept(client: TestClient) -> None:
    h = sign_up(client)
    r = client.put("/api/v1/program", json=ANSWERS | {"urgency": "soon"}, headers=h)
    assert r.status_code == 200 and r.json()["saved"] is False and r.json()["program"]["status"] == "not_now"
    got = client.get("/api/v1/program")
    assert got.status_code == 404 and got.json()["error"] == "not_found"


def test_done_with_no_program_is_a_409_and_records_nothing(client: TestClient) -> None:
    h = sign_up(client)
    r = client.post("/api/v1/program/done", json={"code": "plank"}, headers=h)
    assert r.status_code == 409
    assert r.json() == {"error": "no_program", "detail": "Nothing was recorded: there is no program yet."}
    assert sessions(client) == []


def test_done_before_the_program_starts_is_a_409_and_records_nothing(client: TestClient) -> None:
    h = sign_up(client)
    kept = client.put("/api/v1/program", json=ANSWERS | {"urgency": "self_care", "hours_since_onset": 1}, headers=h)
    assert kept.json()["saved"] is True
    start = kept.json()["program"]["start"]
    assert start > datetime.now().date().isoformat()
    r = client.post("/api/v1/program/done", json={"code": "plank"}, headers=h)
    assert r.status_code == 409 and r.json()["error"] == "program_not_started"
    assert "your program starts on" in r.json()["detail"]
    assert sessions(client) == []
    assert client.get("/api/v1/program").json()["adherence"]["done"] == 0


def test_done_once_the_program_is_under_way_is_recorded(client: TestClient) -> None:
    h = sign_up(client)
    assert client.put("/api/v1/program", json=ANSWERS, headers=h).json()["saved"] is True  # starts today
    r = client.post("/api/v1/program/done", json={"code": "plank"}, headers=h)
    assert r.status_code == 201 and r.json()["recorded"]["code"] == "plank"
    assert r.json()["adherence"]["done"] == 1 and len(sessions(client)) == 1


def test_done_while_the_diary_episode_needs_a_doctor_is_a_409(client: TestClient) -> None:
    h = sign_up(client)
    client.put("/api/v1/program", json=ANSWERS, headers=h)
    assert client.post("/api/v1/episodes", json={"hours_since_onset": 80, "pain": 8}, headers=h).status_code == 201
    saved = client.get("/api/v1/program").json()["program"]
    assert saved["status"] == "not_now" and saved["withheld"]["urgency"] == "soon"
    r = client.post("/api/v1/program/done", json={"code": "walking", "minutes": 20}, headers=h)
    assert r.status_code == 409 and r.json()["error"] == "program_withheld" and "doctor" in r.json()["detail"]
    assert sessions(client) == []


def test_signed_in_the_open_diary_episode_counts_when_the_body_has_none(client: TestClient) -> None:
    h = sign_up(client)
    client.post("/api/v1/episodes", json={"hours_since_onset": 80, "pain": 8}, headers=h)
    assert client.post("/api/v1/program", json=ANSWERS).json()["status"] == "not_now"
    given = client.post("/api/v1/program", json=ANSWERS | {"urgency": "self_care", "hours_since_onset": 100}).json()
    assert given["status"] == "ready"


@pytest.mark.parametrize("body,loc", [({"code": "burpee"}, "code"), ({"code": "plank", "at": "soon"}, "at"),
                                      ({"code": "plank", "minutes": "20"}, "minutes"), ({"code": "plank", "x": 1}, "x")])
def test_bad_done_input_is_a_422_naming_the_field(client: TestClient, body: dict[str, Any], loc: str) -> None:
    h = sign_up(client)
    r = client.post("/api/v1/program/done", json=body, headers=h)
    assert r.status_code == 422 and loc in [d["loc"] for d in r.json()["detail"]]


def test_the_schema_documents_the_not_now_answer_and_the_409() -> None:
    schema = create_app("sqlite://", secret_key="s").openapi()
    post = schema["paths"]["/api/v1/program"]["post"]
    assert "not_now" in post["description"] and "withheld" in post["description"]
    assert "409" in schema["paths"]["/api/v1/program/done"]["post"]["responses"]
