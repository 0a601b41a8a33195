"""The diary follows the person on the web: findings gone or held, a clinician's visit, zones, the report form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from webhelpers import check_in, csrf_from, details_form, register

from backspasm.knowledge import load


@pytest.fixture
def signed_in(client: TestClient) -> TestClient:
    register(client, "pat@example.org")
    return client


def _start(client: TestClient, **answers: str) -> int:
    token = csrf_from(client, "/diary/new")
    r = client.post("/diary/episodes", data=details_form(token, **answers), follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def _api_checkins(client: TestClient, episode_id: int) -> list[dict[str, object]]:
    data: list[dict[str, object]] = client.get(f"/api/v1/episodes/{episode_id}/checkins").json()
    return data


def test_still_there_no_takes_an_urgent_finding_off_from_that_check_in(signed_in: TestClient) -> None:
    eid = _start(signed_in, f_leg_tingling="yes")
    page = signed_in.get(f"/diary/episodes/{eid}").text
    assert "Still there?" in page and 'name="still_leg_tingling"' in page
    assert load().levels["urgent"].headline in page
    check_in(signed_in, eid, 4, still_leg_tingling="no")
    page = signed_in.get(f"/diary/episodes/{eid}").text
    assert load().levels["self_care"].headline in page
    assert "gone: tingling in a leg" in page
    rows = re.findall(r'<span class="urgency-then level-\w+">([^<]+)</span>', page)
    assert rows == [load().levels["urgent"].label, load().levels["self_care"].label]  # each row as it was then
    assert _api_checkins(signed_in, eid)[0]["gone"] == ["leg_tingling"]


def test_the_red_flags_are_offered_again_at_each_check_in(signed_in: TestClient) -> None:
    eid = _start(signed_in)
    page = signed_in.get(f"/diary/episodes/{eid}").text
    boxes = re.findall(r'name="findings" value="(\w+)"', page)
    red = [f.code for f in load().findings.values() if f.level == "emergency" and f.kind != "derived"]
    assert boxes[: len(red)] == red


def test_an_emergency_check_in_shows_the_reason_and_no_routine_next_step(signed_in: TestClient) -> None:
    eid = _start(signed_in)
    r = check_in(signed_in, eid, 5, findings="bladder_bowel_control_loss")
    page = signed_in.get(r.headers["location"]).text
    assert "Why this is an emergency" in page
    assert load().findings["bladder_bowel_control_loss"].text in page
    assert "Next step" not in page and "Pain diary check-in" not in page
    assert "I have been seen by a clinician" in page
    # reported gone: still an emergency, and the page says why
    check_in(signed_in, eid, 4, still_bladder_bowel_control_loss="no")
    page = signed_in.get(f"/diary/episodes/{eid}").text
    assert "Why this is an emergency" in page and "held until you are seen" in page
    token = csrf_from(signed_in, f"/diary/episodes/{eid}")
    r = signed_in.post(f"/diary/episodes/{eid}/seen", data={"csrf_token": token, "seen_note": "A&E: all clear"},
                       follow_redirects=False)
    assert r.status_code == 303
    page = signed_in.get(r.headers["location"]).text
    assert "Follow the advice you were given" in page and "A&amp;E: all clear" in page
    assert "Why this is an emergency" not in page and "Next step" in page


def test_times_are_entered_in_the_browsers_zone_or_the_accounts(signed_in: TestClient) -> None:
    eid = _start(signed_in, onset_amount="2", onset_unit="days")
    yesterday = datetime.now(UTC) - timedelta(days=1)
    local = yesterday.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")
    assert check_in(signed_in, eid, 5, at=local, tz="Europe/Berlin").status_code == 303  # dated before the recording
    token = csrf_from(signed_in, "/diary")
    assert signed_in.post("/diary/zone", data={"csrf_token": token, "zone": "America/New_York"},
                          follow_redirects=False).status_code == 303
    ny = yesterday.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York")) + timedelta(hours=1)
    assert check_in(signed_in, eid, 4, at=ny.strftime("%Y-%m-%dT%H:%M")).status_code == 303  # no script: the account's
    rows = _api_checkins(signed_in, eid)
    assert [r["zone"] for r in rows] == ["Europe/Berlin", "America/New_York"]
    first = datetime.fromisoformat(str(rows[0]["at"]))
    assert abs((first - yesterday).total_seconds()) < 60
    page = signed_in.get(f"/diary/episodes/{eid}").text
    assert "Times are shown in <span data-zone-name>America/New_York</span>" in page


def test_a_zone_is_refused_when_it_is_not_a_zone(signed_in: TestClient) -> None:
    token = csrf_from(signed_in, "/diary")
    assert signed_in.post("/diary/zone", data={"csrf_token": token, "zone": "../etc/passwd"}).status_code == 400


def test_the_zone_defaults_from_the_language_and_the_title_from_the_onset(signed_in: TestClient) -> None:
    eid = _start(signed_in, onset_amount="3", onset_unit="days")
    page = signed_in.get(f"/diary/episodes/{eid}", headers={"accept-language": "en-GB"}).text
    assert "Times are shown in <span data-zone-name>Europe/London</span>" in page
    onset = datetime.now(UTC) - timedelta(days=3)
    from backspasm import clock

    assert f"began {clock.day(onset, 'Europe/London', 'en-GB')}, recorded" in page


def test_a_check_in_before_the_onset_is_refused_with_the_reason(signed_in: TestClient) -> None:
    eid = _start(signed_in, onset_amount="5", onset_unit="hours")
    when = (datetime.now(UTC) - timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M")
    r = check_in(signed_in, eid, 4, at=when, tz="UTC")
    assert r.status_code == 400 and "before the spasm began" in r.text


def test_forms_that_store_say_so_and_the_check_that_does_not_says_that(signed_in: TestClient) -> None:
    token = csrf_from(signed_in, "/diary/new")
    red = {f"f_{f.code}": "no" for f in load().findings.values() if f.level == "emergency" and f.kind != "derived"}
    diary_form = signed_in.post("/diary/new", data={"csrf_token": token} | red).text
    assert "is not stored" not in diary_form and "It is stored in your diary" in diary_form
    check_form = signed_in.post("/assess", data={"csrf_token": csrf_from(signed_in, "/assess")} | red).text
    assert "It is not stored, unless you choose to keep this check in a pain diary" in check_form
    eid = _start(signed_in)
    assert "stored in your diary on this server" in signed_in.get(f"/diary/episodes/{eid}").text


def test_the_report_takes_a_name_kept_only_when_asked(signed_in: TestClient) -> None:
    eid = _start(signed_in)
    token = csrf_from(signed_in, f"/diary/episodes/{eid}")
    r = signed_in.post(f"/diary/episodes/{eid}/report", data={"csrf_token": token, "name": "Pat Example",
                                                              "birth_date": "1970-05-06", "format": "html"})
    assert r.status_code == 200 and "Pat Example, born" in r.text
    assert f'href="/diary/episodes/{eid}"' in r.text
    assert "Pat Example" not in signed_in.get(f"/diary/episodes/{eid}").text  # not kept
    r = signed_in.post(f"/diary/episodes/{eid}/report", data={"csrf_token": token, "name": "Pat Example",
                                                              "remember": "yes", "format": "pdf"})
    assert r.content.startswith(b"%PDF")
    assert 'value="Pat Example"' in signed_in.get(f"/diary/episodes/{eid}").text  # kept on request
    r = signed_in.post(f"/diary/episodes/{eid}/report", data={"csrf_token": token, "birth_date": "3000-01-01"})
    assert r.status_code == 400 and "date of birth in the past" in r.text


def test_the_api_takes_gone_and_records_a_visit(client: TestClient) -> None:
    token = client.post("/api/v1/users", json={"email": "q@example.org", "password": "a long enough password"}).json()[
        "csrf_token"]
    h = {"x-csrf-token": token}
    eid = client.post("/api/v1/episodes", json={"hours_since_onset": 2, "pain": 6, "findings": ["saddle_numbness"]},
                      headers=h).json()["episode"]["id"]
    out = client.post(f"/api/v1/episodes/{eid}/checkins", json={"pain": 4, "gone": ["saddle_numbness"],
                                                                "zone": "Europe/Paris"}, headers=h).json()
    assert out["checkin"]["gone"] == ["saddle_numbness"] and out["held_until_seen"] == ["saddle_numbness"]
    assert out["result"]["urgency"] == "emergency" and out["checkin"]["zone"] == "Europe/Paris"
    seen = client.post(f"/api/v1/episodes/{eid}/seen", json={"note": "seen in A&E"}, headers=h)
    assert seen.status_code == 201 and seen.json()["result"]["urgency"] == "self_care"
    bad = client.post(f"/api/v1/episodes/{eid}/checkins", json={"pain": 4, "gone": ["fever"]}, headers=h)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == "gone[0]"
    status = client.get(f"/api/v1/episodes/{eid}/status").json()
    assert status["visits"][0]["note"] == "seen in A&E" and status["advice"]
