"""The assessment pages: red flags first, the emergency page at once, the result, CSRF on every form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from webhelpers import all_no, csrf_from, details_form, submit

from backspasm.knowledge import load
from backspasm.web import forms
from backspasm.web.deps import text_reader_available

HTML = {"accept": "text/html"}


def h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match
    return match.group(1).strip()


def test_red_flag_questions_come_from_the_knowledge_base_and_are_all_emergencies() -> None:
    kb = load()
    codes = [q.code for q in forms.red_flag_questions()]
    assert codes == [c for c, f in kb.findings.items() if f.level == "emergency"]
    assert all(q.text == kb.findings[q.code].question for q in forms.red_flag_questions())


def test_other_questions_cover_every_askable_finding_most_urgent_first() -> None:
    kb = load()
    asked = [q.code for q in forms.red_flag_questions() + forms.other_questions()]
    expected = {c for c, f in kb.findings.items() if f.kind != "derived" and c != "severe_pain"}
    assert set(asked) == expected
    levels = [q.level for q in forms.other_questions()]
    assert levels == sorted(levels, key=["emergency", "urgent", "soon"].index)


def test_the_first_page_asks_only_the_red_flags(client: TestClient) -> None:
    page = client.get("/assess").text
    for q in forms.red_flag_questions():
        assert f'name="{q.field}"' in page
    for q in forms.other_questions():
        assert f'name="{q.field}"' not in page


@pytest.mark.parametrize("code", [q.code for q in forms.red_flag_questions()])
def test_any_red_flag_yes_shows_the_emergency_page_at_once(client: TestClient, code: str) -> None:
    token = csrf_from(client, "/assess")
    data = {"csrf_token": token, f"f_{code}": "yes"}  # the other questions left unanswered on purpose
    r = client.post("/assess", data=data)
    assert r.status_code == 200
    assert h1(r.text) == load().levels["emergency"].headline
    assert "level-red" in r.text
    assert load().findings[code].label in r.text


def test_no_red_flags_continues_to_the_rest_of_the_questions(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess", data={"csrf_token": token} | all_no(forms.red_flag_questions()))
    assert r.status_code == 200
    for q in forms.other_questions():
        assert f'name="{q.field}"' in r.text
    assert 'name="pain"' in r.text


def test_an_unanswered_red_flag_question_is_asked_again(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    answers = all_no(forms.red_flag_questions())
    answers.pop(next(iter(answers)))
    r = client.post("/assess", data={"csrf_token": token} | answers)
    assert r.status_code == 400
    assert "Please answer yes, no or not sure." in r.text


def test_self_care_answers_show_a_green_plan_with_sources(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token))
    assert r.status_code == 200
    assert h1(r.text) == load().levels["self_care"].headline
    assert "level-green" in r.text
    assert "Your plan by the clock" in r.text
    assert ">Now<" in r.text
    assert "Source:" in r.text
    assert "Keeping the next spasm away" in r.text


def test_a_kidney_condition_marks_nsaids_ask_first_on_the_page(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, conditions="kidney_disease"))
    assert "Ask a pharmacist or doctor first:</span>" in r.text
    assert load().conditions["kidney_disease"].caution.split(":")[0] in r.text


def test_days_are_turned_into_hours_for_the_plan(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, onset_amount="3", onset_unit="days"))
    assert r.status_code == 200
    heat = next(p for p in load().plan if p.code == "heat_therapy")
    assert heat.title in r.text  # 72 hours: heat, not cold


def test_an_urgent_answer_shows_the_orange_banner_and_the_reason(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, f_injury="yes"))
    assert h1(r.text) == load().levels["urgent"].headline
    assert "level-orange" in r.text
    assert load().findings["injury"].text in r.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pain", "11", "out of range"),
        ("pain", "", "Please fill this in."),
        ("onset_amount", "soon", "Please enter a number."),
        ("onset_amount", "400", "between now and one year ago"),
        ("age", "4.5", "whole number"),
        ("age", "150", "out of range"),
        ("onset_unit", "weeks", "Choose hours or days."),
        ("conditions", "diabetes", "Unknown health condition."),
    ],
)
def test_bad_answers_re_show_the_form_with_the_problem_named(
    client: TestClient, field: str, value: str, message: str
) -> None:
    token = csrf_from(client, "/assess")
    data = details_form(token, **{field: value})
    if field == "onset_amount" and value == "400":
        data["onset_unit"] = "days"
    r = client.post("/assess/result", data=data)
    assert r.status_code == 400
    assert message in r.text
    assert 'name="pain"' in r.text


def test_a_red_flag_on_the_second_page_still_gives_the_emergency_page(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, f_saddle_numbness="yes", pain="zz"))
    assert r.status_code == 200
    assert h1(r.text) == load().levels["emergency"].headline


@pytest.mark.parametrize("path", ["/assess", "/assess/result"])
def test_form_posts_without_a_csrf_token_are_refused(client: TestClient, path: str) -> None:
    csrf_from(client, "/assess")  # the session exists; only the token is missing
    data = details_form("")
    data.pop("csrf_token")
    r = client.post(path, data=data, headers=HTML)
    assert r.status_code == 403
    r = client.post(path, data=details_form("forged-token"), headers=HTML)
    assert r.status_code == 403


def test_a_csrf_token_from_another_session_is_refused(app: object, client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    other = TestClient(client.app)
    csrf_from(other, "/assess")
    assert other.post("/assess/result", data=details_form(token)).status_code == 403


def test_the_session_cookie_is_httponly_and_samesite_lax(client: TestClient) -> None:
    cookie = client.get("/assess").headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here


def test_the_session_cookie_is_secure_over_https(app: object) -> None:
    with TestClient(app, base_url="https://testserver") as c:  # type: ignore[arg-type]
        assert "; Secure" in c.get("/assess").headers["set-cookie"]


def test_pages_without_forms_set_no_cookie(client: TestClient) -> None:
    assert "set-cookie" not in client.get("/about").headers
    assert "set-cookie" not in client.post("/api/v1/assess", json={"hours_since_onset": 1, "pain": 1}).headers


def test_about_page_lists_every_source_and_the_limits(client: TestClient) -> None:
    page = client.get("/about").text
    for src in load().sources.values():
        assert src.title.replace("'", "&#39;") in page
    assert "not a diagnosis" in page


def test_base_template_links_the_prevention_pages_and_has_landmarks(client: TestClient) -> None:
    page = client.get("/").text
    for marker in ('href="/exercises"', 'href="/prevent"', "<main", "<nav", "<header", "<footer", 'lang="en-US"'):
        assert marker in page
    assert "<script>" not in page  # no inline script anywhere (the CSP would block it)


def test_unknown_pages_get_a_readable_404_page(client: TestClient) -> None:
    r = client.get("/no-such-page", headers=HTML)
    assert r.status_code == 404
    assert "Page not found" in r.text


@pytest.mark.skipif(not text_reader_available(), reason="the free-text reader (backspasm.text.reader) is not installed")
def test_words_read_as_a_finding_are_highlighted_on_the_result(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, text="I slipped on the wet kitchen floor yesterday."))
    assert 'name="read_injury"' in r.text  # confirmed first, then the result
    r = submit(client, r.text)
    assert r.status_code == 200
    assert "<mark" in r.text
    assert "from your words" in r.text
    assert h1(r.text) == load().levels["urgent"].headline


def test_without_the_text_reader_words_are_refused_never_ignored(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import backspasm.engine
    import backspasm.web.pages
    import backspasm.web.steps

    def no_reader(text: str) -> None:
        raise ModuleNotFoundError("No module named 'backspasm.text.reader'", name="backspasm.text.reader")

    monkeypatch.setattr(backspasm.web.pages, "text_reader_available", lambda: False)
    monkeypatch.setattr(backspasm.web.steps, "text_reader_available", lambda: False)
    monkeypatch.setattr(backspasm.engine, "_default_reader", no_reader)
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, text="I cannot feel my saddle area"))
    assert r.status_code == 400
    assert "Reading your own words is not available here" in r.text
    api = client.post("/api/v1/assess", json={"hours_since_onset": 1, "pain": 2, "text": "numb legs"})
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == "text"
