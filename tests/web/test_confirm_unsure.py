""""Not sure" and its follow-up, and confirming what was read in the person's words, as a browser without
script goes through them: each page posts every answer so far in hidden fields."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webhelpers import all_no, check_in, csrf_from, details_form, form_of, hidden_in, register, start_episode, submit

from backspasm.knowledge import load
from backspasm.web import forms
from backspasm.web.deps import text_reader_available

needs_reader = pytest.mark.skipif(not text_reader_available(),
                                  reason="the free-text reader (backspasm.text.reader) is not installed")
KB = load()
RED = forms.red_flag_questions()
# Long-standing foot tingling from diabetes, which the reader takes for both legs as well.
DIABETIC_FEET = "My feet have tingled for years from diabetes. Yesterday I bent down and my lower back seized up."


def h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match
    return match.group(1).strip()


def headline(level: str) -> str:
    return KB.levels[level].headline


def red_flags_unsure(client: TestClient, code: str) -> Any:
    token = csrf_from(client, "/assess")
    return client.post("/assess", data={"csrf_token": token} | all_no(RED) | {f"f_{code}": "unsure"})


def other_answer(code: str, present: bool) -> str:
    """The follow-up answer that means the sign is there (present) or not."""
    present_if = KB.findings[code].unsure.present_if  # type: ignore[union-attr]
    return present_if if present else {"yes": "no", "no": "yes"}[present_if]


# ---- "not sure" ----


def test_every_question_with_a_follow_up_offers_not_sure_and_only_those(client: TestClient) -> None:
    first = client.get("/assess").text
    for q in RED:
        assert f'name="{q.field}" value="unsure"' in first
    token = csrf_from(client, "/assess")
    details = client.post("/assess", data={"csrf_token": token} | all_no(RED)).text
    for q in forms.other_questions():
        has = f'name="{q.field}" value="unsure"' in details
        assert has == (KB.findings[q.code].unsure is not None), q.code
        if KB.findings[q.code].level == "urgent":
            assert has
    # The follow-up is in the page but hidden and disabled: without script it is never sent.
    assert re.search(r'id="fu-fever" data-followup="f_fever" hidden disabled', details)


@pytest.mark.parametrize("code", [q.code for q in RED])
def test_not_sure_on_a_warning_sign_asks_its_follow_up_on_the_next_page(client: TestClient, code: str) -> None:
    r = red_flags_unsure(client, code)
    assert r.status_code == 200
    assert h1(r.text) == "A closer look"
    followup = KB.findings[code].unsure
    assert followup is not None
    assert followup.question.replace("'", "&#39;") in r.text
    action, fields = form_of(r.text)
    assert action == "/assess"
    assert (f"f_{code}", "unsure") in fields  # the answers so far travel along


@pytest.mark.parametrize("code", [q.code for q in RED])
def test_a_follow_up_that_means_yes_is_an_emergency_at_once(client: TestClient, code: str) -> None:
    page = red_flags_unsure(client, code).text
    r = submit(client, page, **{f"u_{code}": other_answer(code, present=True)})
    assert r.status_code == 200
    assert h1(r.text) == headline("emergency")
    assert "Your answer to the closer look shows a warning sign" in r.text
    assert "How your answers were counted" not in r.text  # it counts because of the answer, not a doubt


@pytest.mark.parametrize("code", [q.code for q in RED])
def test_a_follow_up_that_means_no_goes_on_to_the_details(client: TestClient, code: str) -> None:
    page = red_flags_unsure(client, code).text
    r = submit(client, page, **{f"u_{code}": other_answer(code, present=False)})
    assert h1(r.text) == "About the pain"
    r = submit(client, r.text, onset_amount="5", pain="3", **{q.field: "no" for q in forms.other_questions()})
    assert h1(r.text) == headline("self_care")


def test_still_not_sure_about_a_warning_sign_counts_it_and_the_result_says_so(client: TestClient) -> None:
    page = red_flags_unsure(client, "saddle_numbness").text
    r = submit(client, page, u_saddle_numbness="unsure")
    assert h1(r.text) == headline("emergency")
    assert "You were not sure about a warning sign, so it counts" in r.text
    counted = r.text[r.text.index('id="counted-h"'):]
    assert KB.findings["saddle_numbness"].label in counted
    assert "You were not sure about this, so it counts as present" in counted


def test_a_follow_up_left_unanswered_is_asked_again(client: TestClient) -> None:
    page = red_flags_unsure(client, "chest_pain").text
    r = submit(client, page)
    assert r.status_code == 400
    assert h1(r.text) == "A closer look"
    assert "Please answer yes, no or still not sure." in r.text


def test_a_yes_to_another_warning_sign_does_not_wait_for_a_follow_up(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess", data={"csrf_token": token, "f_saddle_numbness": "unsure", "f_chest_pain": "yes"})
    assert h1(r.text) == headline("emergency")


def test_an_unanswered_warning_sign_is_asked_again_before_any_follow_up(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    answers = all_no(RED) | {"f_saddle_numbness": "unsure"}
    answers.pop("f_chest_pain")
    r = client.post("/assess", data={"csrf_token": token} | answers)
    assert r.status_code == 400
    assert h1(r.text) == "First, the warning signs"
    # The "not sure" is kept, and its follow-up shown in place (no script needed to answer it there).
    assert 'name="f_saddle_numbness" value="unsure" required\n      checked' in r.text
    assert re.search(r'id="fu-saddle_numbness" data-followup="f_saddle_numbness">', r.text)


@pytest.mark.parametrize(("answer", "level", "noted"), [("yes", "urgent", False), ("no", "self_care", False),
                                                         ("unsure", "urgent", True)])
def test_not_sure_on_the_details_page_follow_up_present_denied_or_unsure(
    client: TestClient, answer: str, level: str, noted: bool
) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, f_fever="unsure"))
    assert h1(r.text) == "A closer look"
    assert KB.findings["fever"].unsure.question in r.text  # type: ignore[union-attr]
    r = submit(client, r.text, u_fever=answer)
    assert r.status_code == 200
    assert h1(r.text) == headline(level)
    assert ('id="counted-h"' in r.text) == noted
    answers = re.search(r'name="answers" value="([^"]+)"', r.text)
    assert answers is not None
    assert ("&#34;unsure&#34;:[&#34;fever&#34;]" in answers.group(1)) == noted  # carried on to a diary as answered


def test_a_follow_up_answered_in_place_needs_no_extra_page(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, f_fever="unsure", u_fever="yes"))
    assert h1(r.text) == headline("urgent")


def test_a_follow_up_answer_without_not_sure_is_ignored(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, f_fever="no", u_fever="yes"))
    assert h1(r.text) == headline("self_care")


def test_a_warning_sign_still_unsure_on_the_second_page_is_an_emergency(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, f_chest_pain="unsure", u_chest_pain="unsure"))
    assert h1(r.text) == headline("emergency")


@pytest.mark.parametrize("path", ["/assess", "/assess/result"])
def test_follow_up_pages_carry_a_csrf_token_and_refuse_posts_without_one(client: TestClient, path: str) -> None:
    token = csrf_from(client, "/assess")
    data = {"csrf_token": token} | all_no(RED) | {"f_chest_pain": "unsure"} if path == "/assess" else \
        details_form(token, f_fever="unsure")
    page = client.post(path, data=data).text
    _, fields = form_of(page)
    assert ("csrf_token", token) in fields
    sent = {k: v for k, v in fields if k != "csrf_token"}
    assert client.post(path, data=sent).status_code == 403


def test_the_follow_up_page_is_worded_for_the_uk(client: TestClient) -> None:
    gb = {"accept-language": "en-GB"}
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, f_bladder_bowel_control_loss="no", f_fever="unsure"),
                    headers=gb)
    assert '<html lang="en-GB">' in r.text
    assert load("en-GB").findings["fever"].unsure.question in r.text  # type: ignore[union-attr]
    r = submit(client, r.text, headers=gb, u_fever="unsure")
    assert '<html lang="en-GB">' in r.text and "How your answers were counted" in r.text
    assert "A&amp;E" in r.text


# ---- confirming what was read ----


@needs_reader
def test_the_words_are_confirmed_before_the_result_each_with_yes_chosen(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, text=DIABETIC_FEET))
    assert r.status_code == 200
    assert h1(r.text) == "Is this what you meant?"
    assert "<mark" in r.text and "feet have tingled" in r.text
    for code in ("bilateral_leg_symptoms", "leg_tingling"):
        assert f'name="read_{code}" value="yes" checked' in r.text
        assert KB.findings[code].label in r.text
    assert "Yes, that's right" in r.text and "No, that's not it" in r.text
    action, fields = form_of(r.text)
    assert action == "/assess/result" and ("text", DIABETIC_FEET) in fields and ("confirmed", "1") in fields


@needs_reader
def test_a_person_who_just_continues_keeps_the_safer_reading(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    page = client.post("/assess/result", data=details_form(token, text=DIABETIC_FEET)).text
    r = submit(client, page)
    assert h1(r.text) == headline("emergency")
    assert 'title="bilateral_leg_symptoms"' in r.text


@needs_reader
def test_a_rejected_reading_does_not_count_and_is_not_shown_as_evidence(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    page = client.post("/assess/result", data=details_form(token, text=DIABETIC_FEET)).text
    r = submit(client, page, read_bilateral_leg_symptoms="no")
    assert h1(r.text) == headline("urgent")  # the tingling the person kept still counts
    assert 'title="bilateral_leg_symptoms"' not in r.text
    assert 'title="leg_tingling"' in r.text
    words = r.text[r.text.index('id="words-h"'):]
    assert "Not counted, as you said it was not what you meant: " + KB.findings["bilateral_leg_symptoms"].label in words
    rejected = re.search(r'name="rejected" value="([^"]*)"', r.text)
    assert rejected is not None and rejected.group(1) == "bilateral_leg_symptoms"
    r = submit(client, page, read_bilateral_leg_symptoms="no", read_leg_tingling="no")
    assert h1(r.text) == headline("self_care")
    assert "<mark" not in r.text.split('id="words-h"', 1)[1].split("</section>", 1)[0]


@needs_reader
def test_an_answer_the_words_contradict_is_flagged_and_the_result_notes_which_counted(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    page = client.post("/assess/result", data=details_form(token, text="I had a fever last night.")).text
    item = page[page.index('id="read-fever"'):]
    assert "You answered no to this question." in item[:item.index("</fieldset>")]
    r = submit(client, page)
    assert h1(r.text) == headline("urgent")
    counted = r.text[r.text.index('id="counted-h"'):]
    assert KB.findings["fever"].label in counted
    assert "You answered no to this, but your description mentions it. The description counted" in counted
    r = submit(client, page, read_fever="no")  # rejected: the answer stands, nothing to note
    assert h1(r.text) == headline("self_care") and 'id="counted-h"' not in r.text


@needs_reader
def test_words_with_nothing_to_read_go_straight_to_the_result(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, text="It is a nuisance at work."))
    assert h1(r.text) == headline("self_care")
    assert "Nothing in your words changed the answers you gave." in r.text


@needs_reader
def test_a_confirmed_emergency_reading_skips_the_follow_ups(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    page = client.post("/assess/result", data=details_form(token, f_fever="unsure",
                                                           text="Since this morning I cannot pee.")).text
    assert h1(page) == "Is this what you meant?"
    r = submit(client, page)
    assert h1(r.text) == headline("emergency")  # no follow-up page first
    assert "You were not sure about this, so it counts as present" in r.text  # the fever, still unsure


@needs_reader
def test_a_rejected_emergency_reading_then_asks_the_follow_ups(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    page = client.post("/assess/result", data=details_form(token, f_fever="unsure",
                                                           text="Since this morning I cannot pee.")).text
    r = submit(client, page, read_bladder_bowel_control_loss="no")
    assert h1(r.text) == "A closer look"
    _, fields = form_of(r.text)
    assert ("read_bladder_bowel_control_loss", "no") in fields and ("confirmed", "1") in fields
    r = submit(client, r.text, u_fever="no")
    assert h1(r.text) == headline("self_care")


@needs_reader
def test_the_wording_switch_on_the_confirmation_page_posts_the_same_answers(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    page = client.post("/assess/result", data=details_form(token, text=DIABETIC_FEET)).text
    sent = hidden_in(page, "/assess/result")  # the header's switch comes first
    assert sent["set_locale"] == "en-GB"
    r = client.post("/assess/result", data=sent)
    assert '<html lang="en-GB">' in r.text and h1(r.text) == "Is this what you meant?"


# ---- the diary ----


@pytest.fixture
def signed_in(client: TestClient) -> TestClient:
    register(client, "sam@example.org")
    return client


def test_a_new_episode_asks_the_follow_up_and_stops_at_an_emergency(signed_in: TestClient) -> None:
    token = csrf_from(signed_in, "/diary/new")
    r = signed_in.post("/diary/new", data={"csrf_token": token} | all_no(RED) | {"f_chest_pain": "unsure"})
    assert h1(r.text) == "A closer look" and form_of(r.text)[0] == "/diary/new"
    r = submit(signed_in, r.text, u_chest_pain="yes")
    assert h1(r.text) == headline("emergency")
    assert signed_in.get("/api/v1/episodes").json() == []


def test_a_new_episode_keeps_a_sign_still_unsure_counted(signed_in: TestClient) -> None:
    token = csrf_from(signed_in, "/diary/new")
    r = signed_in.post("/diary/episodes", data=details_form(token, f_fever="unsure"))
    assert h1(r.text) == "A closer look" and form_of(r.text)[0] == "/diary/episodes"
    r = submit(signed_in, r.text, u_fever="unsure")
    assert r.status_code == 303
    page = signed_in.get(r.headers["location"]).text
    assert headline("urgent") in page
    assert "You were not sure about this, so it counts as present" in page


@needs_reader
def test_a_new_episode_stores_the_words_and_only_the_confirmed_reading(signed_in: TestClient) -> None:
    token = csrf_from(signed_in, "/diary/new")
    page = signed_in.post("/diary/episodes", data=details_form(token, text=DIABETIC_FEET)).text
    assert h1(page) == "Is this what you meant?" and form_of(page)[0] == "/diary/episodes"
    r = submit(signed_in, page, read_bilateral_leg_symptoms="no")
    assert r.status_code == 303
    episode_id = int(r.headers["location"].rsplit("/", 1)[1])
    episode = signed_in.get(f"/api/v1/episodes/{episode_id}").json()
    assert episode["assessment"]["text"] == DIABETIC_FEET  # the words, whole
    assert episode["urgency"] == "urgent"
    assert check_in(signed_in, episode_id, 4).status_code == 303  # re-assessed from the stored reading
    status = signed_in.get(f"/api/v1/episodes/{episode_id}/status").json()
    assert status["result"]["urgency"] == "urgent"
    assert "bilateral_leg_symptoms" not in status["result"]["findings"]


def _kept_from_a_rejected_reading(client: TestClient) -> dict[str, str]:
    """The fields a result page sends to /diary/from-result after "both legs" was rejected in the words."""
    token = csrf_from(client, "/assess")
    page = client.post("/assess/result", data=details_form(token, text=DIABETIC_FEET)).text
    result = submit(client, page, read_bilateral_leg_symptoms="no").text
    return hidden_in(result, "/diary/from-result")


@needs_reader
def test_a_diary_kept_from_a_result_does_not_count_a_rejected_reading(signed_in: TestClient) -> None:
    sent = _kept_from_a_rejected_reading(signed_in)
    assert sent["rejected"] == "bilateral_leg_symptoms"
    r = signed_in.post("/diary/from-result", data=sent, follow_redirects=False)
    assert r.status_code == 303
    episode = signed_in.get(f"/api/v1/episodes/{r.headers['location'].rsplit('/', 1)[1]}").json()
    assert episode["urgency"] == "urgent"
    assert "bilateral_leg_symptoms" not in episode["result"]["findings"]


@needs_reader
def test_the_keep_page_carries_the_rejected_readings_to_sign_in(client: TestClient) -> None:
    sent = _kept_from_a_rejected_reading(client)
    r = client.post("/diary/from-result", data=sent | {"rejected": "bilateral_leg_symptoms no_such_code"})
    assert r.text.count('name="rejected" value="bilateral_leg_symptoms"') == 2  # sign in, and register


@needs_reader
def test_a_check_in_note_is_read_for_new_signs_and_confirmed_first(signed_in: TestClient) -> None:
    episode_id = start_episode(signed_in, pain=5)
    note = "Both my legs went numb this morning and I had a fever last night."
    r = check_in(signed_in, episode_id, 5, note=note)
    assert h1(r.text) == "Is this what you meant?"
    action, fields = form_of(r.text)
    assert action == f"/diary/episodes/{episode_id}/checkins" and ("note", note) in fields
    assert signed_in.get(f"/api/v1/episodes/{episode_id}/checkins").json() == []  # nothing saved yet
    r = submit(signed_in, r.text, read_bilateral_leg_symptoms="no", read_leg_weakness="no")
    assert r.status_code == 303 and "escalated=1" in r.headers["location"]
    [stored] = signed_in.get(f"/api/v1/episodes/{episode_id}/checkins").json()
    assert stored["note"] == note  # the words as written
    assert "fever" in stored["findings"] and "leg_numbness" in stored["findings"]
    assert "bilateral_leg_symptoms" not in stored["findings"]
    assert stored["urgency"] == "urgent"


@needs_reader
def test_a_check_in_note_that_names_a_sign_reported_gone_says_so(signed_in: TestClient) -> None:
    token = csrf_from(signed_in, "/diary/new")
    r = signed_in.post("/diary/episodes", data=details_form(token, f_fever="yes"), follow_redirects=False)
    episode_id = int(r.headers["location"].rsplit("/", 1)[1])
    r = check_in(signed_in, episode_id, 3, still_fever="no", note="Still a fever tonight.")
    item = r.text[r.text.index('id="read-fever"'):]
    assert "You said this had gone." in item[:item.index("</fieldset>")]
    r = submit(signed_in, r.text)
    assert r.status_code == 303
    [stored] = signed_in.get(f"/api/v1/episodes/{episode_id}/checkins").json()
    assert stored["gone"] == [] and stored["urgency"] == "urgent"  # the safer reading


@needs_reader
def test_a_check_in_note_with_nothing_new_is_saved_at_once(signed_in: TestClient) -> None:
    episode_id = start_episode(signed_in, pain=5)
    r = check_in(signed_in, episode_id, 4, note="The cold pack helped a lot.")
    assert r.status_code == 303
    assert signed_in.get(f"/api/v1/episodes/{episode_id}/checkins").json()[0]["findings"] == []
