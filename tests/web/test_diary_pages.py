"""The diary in the browser and the API: episodes, check-ins, chart, status, escalation, report."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from webhelpers import check_in, csrf_from, details_form, register, start_episode, submit

from backspasm.knowledge import load
from backspasm.web.deps import text_reader_available
from backspasm.web.diary_forms import when_at


@pytest.fixture
def signed_in(client: TestClient) -> TestClient:
    register(client, "pat@example.org")
    return client


def test_the_diary_explains_itself_to_a_signed_out_visitor(client: TestClient) -> None:
    page = client.get("/diary").text
    assert 'href="/register"' in page
    assert 'href="/signin?next=/diary"' in page


def test_a_new_episode_asks_the_red_flags_first_and_stops_at_an_emergency(signed_in: TestClient) -> None:
    token = csrf_from(signed_in, "/diary/new")
    r = signed_in.post("/diary/new", data={"csrf_token": token, "f_chest_pain": "yes"})
    assert load().levels["emergency"].headline in r.text
    assert signed_in.get("/api/v1/episodes").json() == []  # nothing stored for an emergency


def test_two_check_ins_show_on_the_chart_and_in_the_table(signed_in: TestClient) -> None:
    episode_id = start_episode(signed_in, pain=6)
    r = check_in(signed_in, episode_id, 5, tried_cold="yes", note="cold pack helped")
    assert r.status_code == 303
    assert r.headers["location"] == f"/diary/episodes/{episode_id}?saved=1#status"
    check_in(signed_in, episode_id, 4)
    page = signed_in.get(f"/diary/episodes/{episode_id}").text
    assert page.count('<circle class="checkin"') == 3  # the first rating and two check-ins
    assert "<polyline" in page
    assert "cold pack helped" in page
    assert "Next step" in page
    checkins = signed_in.get(f"/api/v1/episodes/{episode_id}/checkins").json()
    assert [c["pain"] for c in checkins] == [5, 4]
    assert checkins[0]["tried"] == {"cold": True}


def test_a_check_in_with_a_new_red_flag_escalates_and_says_so(signed_in: TestClient) -> None:
    episode_id = start_episode(signed_in, pain=4)
    r = check_in(signed_in, episode_id, 4, findings="leg_weakness")
    assert "escalated=1" in r.headers["location"]
    page = signed_in.get(r.headers["location"]).text
    assert "Your last check-in raised the urgency" in page
    assert load().levels["urgent"].headline in page


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"pain": "11"}, "Please choose a number from 0 to 10."),
        ({"pain": "4", "at": "yesterday-ish"}, "Please give a date and time"),
        ({"pain": "4", "findings": "no_such_code"}, "unknown finding code"),
        ({"pain": "4", "tried_heat": "maybe"}, "Choose one of the answers."),
        ({"pain": "4", "at": "2099-01-01T10:00"}, "is in the future"),
    ],
)
def test_bad_check_ins_are_refused_with_the_problem_named(signed_in: TestClient, extra: dict[str, str], message: str) -> None:
    episode_id = start_episode(signed_in)
    token = csrf_from(signed_in, f"/diary/episodes/{episode_id}")
    r = signed_in.post(f"/diary/episodes/{episode_id}/checkins", data={"csrf_token": token} | extra)
    assert r.status_code == 400
    assert message in r.text
    assert signed_in.get(f"/api/v1/episodes/{episode_id}/checkins").json() == []


def test_check_in_times_are_wall_clock_times_in_the_zone_given() -> None:
    errors: dict[str, str] = {}
    assert when_at("2026-11-25T10:00", "Europe/Berlin", errors) == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert when_at("2026-07-25T10:00", "Europe/Berlin", errors) == datetime(2026, 7, 25, 8, 0, tzinfo=UTC)  # summer time
    assert when_at("2026-11-25T10:00", "America/New_York", errors) == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert when_at("", "Europe/Berlin", errors) is None
    assert errors == {}


def test_closing_an_episode_removes_the_check_in_form(signed_in: TestClient) -> None:
    episode_id = start_episode(signed_in)
    token = csrf_from(signed_in, f"/diary/episodes/{episode_id}")
    r = signed_in.post(f"/diary/episodes/{episode_id}/close", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    page = signed_in.get(f"/diary/episodes/{episode_id}").text
    assert "This episode is closed." in page
    assert "Save check-in" not in page


def test_the_doctor_report_opens_as_a_page_and_as_a_pdf(signed_in: TestClient) -> None:
    episode_id = start_episode(signed_in)
    check_in(signed_in, episode_id, 3)
    page = signed_in.get(f"/diary/episodes/{episode_id}/report")
    assert page.status_code == 200
    assert "<svg" in page.text
    csp = page.headers["content-security-policy"]
    assert "script" not in csp.replace("default-src 'none'", "")  # no script of any kind allowed
    assert "frame-ancestors 'none'" in csp
    pdf = signed_in.get(f"/diary/episodes/{episode_id}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]


def test_the_episode_list_links_each_episode(signed_in: TestClient) -> None:
    first = start_episode(signed_in)
    second = start_episode(signed_in, pain=3)
    page = signed_in.get("/diary").text
    assert re.findall(r'href="/diary/episodes/(\d+)"', page) == [str(second), str(first)]


def test_the_api_runs_an_episode_end_to_end(client: TestClient) -> None:
    token = client.post("/api/v1/users", json={"email": "q@example.org", "password": "a long enough password"}).json()[
        "csrf_token"
    ]
    h = {"x-csrf-token": token}
    started = client.post("/api/v1/episodes", json={"hours_since_onset": 2, "pain": 6}, headers=h)
    assert started.status_code == 201
    eid = started.json()["episode"]["id"]
    assert started.json()["result"]["urgency"] == "self_care"
    added = client.post(f"/api/v1/episodes/{eid}/checkins", json={"pain": 5, "tried": {"cold": True}}, headers=h)
    assert added.status_code == 201
    assert added.json()["checkin"]["pain"] == 5
    status = client.get(f"/api/v1/episodes/{eid}/status").json()
    assert status["pain_trend"] == [5]
    assert status["next_due"]
    assert client.post(f"/api/v1/episodes/{eid}/close", headers=h).json()["closed_at"] is not None
    assert [e["id"] for e in client.get("/api/v1/episodes").json()] == [eid]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"pain": 11}, "pain"),
        ({"pain": 3, "findings": ["nope"]}, "findings[0]"),
        ({"pain": 3, "tried": {"magic": True}}, "tried.magic"),
        ({"pain": 3, "at": "2026-01-01T10:00:00"}, "at"),
        ({"pain": 3, "colour": "red"}, "colour"),
        ({}, "pain"),
    ],
)
def test_api_check_in_bad_input_names_the_field(client: TestClient, body: dict[str, object], loc: str) -> None:
    token = client.post("/api/v1/users", json={"email": "r@example.org", "password": "a long enough password"}).json()[
        "csrf_token"
    ]
    h = {"x-csrf-token": token}
    eid = client.post("/api/v1/episodes", json={"hours_since_onset": 2, "pain": 6}, headers=h).json()["episode"]["id"]
    r = client.post(f"/api/v1/episodes/{eid}/checkins", json=body, headers=h)
    assert r.status_code == 422
    assert r.json()["error"] == "bad_input"
    assert loc in [d["loc"] for d in r.json()["detail"]]


def test_api_episode_bad_input_names_the_field(client: TestClient) -> None:
    token = client.post("/api/v1/users", json={"email": "s@example.org", "password": "a long enough password"}).json()[
        "csrf_token"
    ]
    h = {"x-csrf-token": token}
    r = client.post("/api/v1/episodes", json={"hours_since_onset": 2, "pain": 66}, headers=h)
    assert (r.status_code, r.json()["detail"][0]["loc"]) == (422, "pain")
    r = client.post("/api/v1/episodes", json=[{"hours_since_onset": 2, "pain": 6}], headers=h)
    assert r.status_code == 422
    assert client.get("/api/v1/episodes/0").status_code == 404
    assert client.get("/api/v1/episodes/abc").status_code == 422


@pytest.mark.skipif(not text_reader_available(), reason="the free-text reader (backspasm.text.reader) is not installed")
def test_an_episode_reads_the_persons_own_words(signed_in: TestClient) -> None:
    token = csrf_from(signed_in, "/diary/new")
    data = details_form(token, text="It started after I fell off my bike yesterday.")
    r = signed_in.post("/diary/episodes", data=data, follow_redirects=False)
    assert 'name="read_injury"' in r.text  # what was read is confirmed first
    r = submit(signed_in, r.text)
    assert r.status_code == 303
    page = signed_in.get(r.headers["location"]).text
    assert load().levels["urgent"].headline in page
