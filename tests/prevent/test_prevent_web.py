"""The prevention pages: the library with inline figures, the program form, checklists, tick-off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from backspasm.prevent.checklists import get_checklist
from backspasm.prevent.library import REQUIRED_EXERCISES
from backspasm.web import create_app

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
HTML = {"accept": "text/html"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(f"sqlite:///{tmp_path / 'web.sqlite'}", secret_key="test-secret")
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def token(client: TestClient, path: str) -> str:
    match = TOKEN_RE.search(client.get(path, headers=HTML).text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def program_form(tok: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": tok,
        "sitting_hours": "8",
        "lifting_at_work": "yes",
        "activity_level": "some",
        "activities": ["walking", "swimming"],
        "spasm_now": "no",
    }
    data.update(overrides)
    return data


def test_the_library_page_shows_every_exercise_with_its_picture(client: TestClient) -> None:
    page = client.get("/exercises", headers=HTML)
    assert page.status_code == 200
    assert page.text.count("<svg") == len(REQUIRED_EXERCISES)
    for code in REQUIRED_EXERCISES:
        assert f'href="/exercises/{code}"' in page.text


@pytest.mark.parametrize("code", REQUIRED_EXERCISES)
def test_each_exercise_page_has_steps_stop_signs_figure_and_source(client: TestClient, code: str) -> None:
    page = client.get(f"/exercises/{code}", headers=HTML)
    assert page.status_code == 200
    assert page.text.count("<svg") == 1 and f"fig-{code}-title" in page.text
    assert "When to stop" in page.text and "Source:" in page.text and "<ol>" in page.text
    assert "<script" not in page.text.split("<main", 1)[1]


def test_an_unknown_exercise_is_a_404_page(client: TestClient) -> None:
    assert client.get("/exercises/burpee", headers=HTML).status_code == 404


def test_the_program_form_builds_a_program_without_javascript(client: TestClient) -> None:
    page = client.post("/prevent", data=program_form(token(client, "/prevent")), headers=HTML)
    assert page.status_code == 200
    assert "Week by week" in page.text and "150 minutes" in page.text
    assert "Stop and see a doctor" in page.text and "/prevent/calendar.ics" in page.text


def test_the_calendar_download_holds_the_program(client: TestClient) -> None:
    r = client.post("/prevent/calendar.ics", data=program_form(token(client, "/prevent")))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert len(Calendar.from_ical(r.content).walk("VEVENT")) == 42


@pytest.mark.parametrize("urgency", ["soon", "urgent", "emergency"])
def test_no_program_while_the_spasm_needs_a_doctor(client: TestClient, urgency: str) -> None:
    form = program_form(token(client, "/prevent"), spasm_now="yes", urgency=urgency, hours_since_onset="100")
    page = client.post("/prevent", data=form, headers=HTML)
    assert page.status_code == 200
    assert "No exercise program for now" in page.text and "Week by week" not in page.text


def test_a_spasm_in_its_first_48_hours_says_why_it_waits(client: TestClient) -> None:
    form = program_form(token(client, "/prevent"), spasm_now="yes", urgency="self_care", hours_since_onset="5")
    page = client.post("/prevent", data=form, headers=HTML)
    assert page.status_code == 200 and "48 hours" in page.text


@pytest.mark.parametrize(
    "overrides,words",
    [
        ({"sitting_hours": "30"}, "from 0 to 24"),
        ({"lifting_at_work": ""}, "Answer yes or no"),
        ({"activity_level": "lazy"}, "Choose how active"),
        ({"spasm_now": "yes", "urgency": ""}, "check your back first"),
        ({"spasm_now": "yes", "urgency": "self_care", "hours_since_onset": "x"}, "hours since the spasm began"),
        ({"activities": ["rowing"]}, "activities"),
    ],
)
def test_bad_answers_show_the_form_again_with_the_problem(client: TestClient, overrides: dict[str, Any], words: str) -> None:
    page = client.post("/prevent", data=program_form(token(client, "/prevent"), **overrides), headers=HTML)
    assert page.status_code == 400 and words in page.text


def test_a_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    token(client, "/prevent")
    assert client.post("/prevent", data=program_form("wrong"), headers=HTML).status_code == 403


@pytest.mark.parametrize("name", ["workspace", "lifting"])
def test_a_checklist_ends_with_what_to_change(client: TestClient, name: str) -> None:
    items = get_checklist(name).items
    form = {"csrf_token": token(client, f"/checklists/{name}")} | {i.code: "yes" for i in items}
    form[items[0].code] = "no"
    page = client.post(f"/checklists/{name}", data=form, headers=HTML)
    assert page.status_code == 200
    assert items[0].fix in page.text and items[1].fix not in page.text


def test_an_unanswered_checklist_item_is_marked(client: TestClient) -> None:
    page = client.post("/checklists/lifting", data={"csrf_token": token(client, "/checklists/lifting")}, headers=HTML)
    assert page.status_code == 400 and "Answer yes or no" in page.text


def test_an_unknown_checklist_is_a_404(client: TestClient) -> None:
    assert client.get("/checklists/garden", headers=HTML).status_code == 404


def test_signed_in_the_program_is_saved_and_sessions_are_ticked_off(client: TestClient) -> None:
    tok = token(client, "/register")
    r = client.post(
        "/register",
        data={
            "csrf_token": tok,
            "email": "a@example.org",
            "password": "correct horse battery",
            "password_confirm": "correct horse battery",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Save it to my diary" in client.get("/prevent", headers=HTML).text
    page = client.post("/prevent", data=program_form(token(client, "/prevent"), save="yes"), headers=HTML)
    assert "Saved to your diary" in page.text
    saved = client.get("/program", headers=HTML)
    assert "0 of 5 sessions done" in saved.text
    r = client.post("/program/done", data={"csrf_token": token(client, "/program"), "code": "plank"}, follow_redirects=False)
    assert r.status_code == 303
    assert "1 of 5 sessions done" in client.get("/program", headers=HTML).text


def test_the_saved_program_needs_a_sign_in(client: TestClient) -> None:
    r = client.get("/program", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


# ---- one rule for when a program is offered ----


@pytest.mark.parametrize("hours", ["100", ""])
def test_book_a_doctors_visit_gives_no_program_and_says_why(client: TestClient, hours: str) -> None:
    form = program_form(token(client, "/prevent"), spasm_now="yes", urgency="soon", hours_since_onset=hours)
    page = client.post("/prevent", data=form, headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert "No exercise program for now" in text and "Book a doctor&#39;s appointment" in text
    assert "Until the visit" in text and "Keep moving gently" in text
    assert "After the visit, come back for your program" in text
    assert "Week by week" not in text and "Plank" not in text and "Gentle crunch" not in text
    assert 'class="banner level-yellow"' in text and "<h1" in text
    assert "/prevent/calendar.ics" not in text and "Saved to your diary" not in text


def test_a_withheld_program_has_no_calendar(client: TestClient) -> None:
    form = program_form(token(client, "/prevent"), spasm_now="yes", urgency="soon", hours_since_onset="100")
    assert client.post("/prevent/calendar.ics", data=form).status_code == 400


def register(client: TestClient, email: str = "a@example.org") -> None:
    data = {"csrf_token": token(client, "/register"), "email": email, "password": "correct horse battery",
            "password_confirm": "correct horse battery"}
    assert client.post("/register", data=data, follow_redirects=False).status_code == 303


def exercise_sessions(client: TestClient, email: str = "a@example.org") -> list[Any]:
    store = client.app.state.store  # type: ignore[attr-defined]
    return list(store.list_activities(store.get_user_by_email(email).id, kind="exercise"))


def done(client: TestClient, code: str = "plank") -> Any:
    return client.post("/program/done", data={"csrf_token": token(client, "/program"), "code": code}, headers=HTML,
                       follow_redirects=False)


def test_done_with_no_program_saved_is_refused_on_the_page(client: TestClient) -> None:
    register(client)
    r = done(client)
    assert r.status_code == 409 and 'role="alert"' in r.text
    assert "Nothing was recorded: there is no program yet." in r.text and "Get one" in r.text
    assert exercise_sessions(client) == []


def test_done_before_the_program_starts_is_refused_on_the_page(client: TestClient) -> None:
    register(client)
    form = program_form(token(client, "/prevent"), spasm_now="yes", urgency="self_care", hours_since_onset="1", save="yes")
    assert "Saved to your diary" in client.post("/prevent", data=form, headers=HTML).text
    assert 'action="/program/done"' not in client.get("/program", headers=HTML).text  # nothing to tick off yet
    r = done(client)
    assert r.status_code == 409 and "Nothing was recorded: your program starts on" in r.text
    assert "Week by week" in r.text  # the program is still shown
    assert exercise_sessions(client) == []


def test_done_while_the_diary_episode_needs_a_doctor_is_refused_on_the_page(client: TestClient) -> None:
    register(client)
    assert "Saved to your diary" in client.post("/prevent", data=program_form(token(client, "/prevent"), save="yes"),
                                                headers=HTML).text
    store = client.app.state.store  # type: ignore[attr-defined]
    user = store.get_user_by_email("a@example.org")
    store.start_episode(user.id, {"hours_since_onset": 80, "pain": 8})  # severe pain: book a visit
    saved = client.get("/program", headers=HTML)
    assert "No exercise program for now" in saved.text and "Keep moving gently" in saved.text
    r = done(client)
    assert r.status_code == 409 and "Nothing was recorded: there is no exercise program for now." in r.text
    assert exercise_sessions(client) == []
