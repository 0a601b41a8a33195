"""The web result speaks contract v1.1: the safety net right after the banner, avoid cards that lead
with the reason, sources by title, the locale from Accept-Language or the switch; and the API's v1.1 parts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webhelpers import csrf_from, details_form, register, start_episode

from backspasm.codes import SOURCE_REFS
from backspasm.knowledge import load
from backspasm.web import create_app, forms
from backspasm.web.deps import LOCALE_COOKIE

GB = {"accept-language": "en-GB,en;q=0.8"}
RAW_REF = re.compile(r"\b(?:article|guideline|label|study):[a-z][a-z0-9-]+")


def visible(html: str) -> str:
    """The page as people read it: no tags, no attribute values."""
    return re.sub(r"<[^>]+>", " ", html)


def result_page(client: TestClient, headers: dict[str, str] | None = None, **overrides: Any) -> str:
    token = csrf_from(client, "/assess")
    r = client.post("/assess/result", data=details_form(token, **overrides), headers=headers or {})
    assert r.status_code == 200, r.text
    return r.text


def test_the_safety_net_comes_right_after_the_banner_emergency_group_first(client: TestClient) -> None:
    page = result_page(client)
    banner, watch = page.index('class="banner'), page.index('id="watch-h"')
    groups = [page.index(f'id="watch-{lv}"') for lv in ("emergency", "urgent", "soon")]
    assert banner < watch < groups[0] < groups[1] < groups[2] < page.index('id="do-h"')
    emergency = page[groups[0]:groups[1]]
    assert f"{load().levels['emergency'].watch_heading}:" in emergency
    for f in load().findings.values():
        if f.level == "emergency":
            assert f.watch in emergency
    assert load().findings["cancer_history"].watch not in page[watch:page.index("</section>", watch)]


def test_an_urgent_result_watches_only_for_emergencies(client: TestClient) -> None:
    page = result_page(client, f_fever="yes")
    assert 'id="watch-emergency"' in page
    assert 'id="watch-urgent"' not in page and 'id="watch-soon"' not in page


def test_the_emergency_page_has_no_safety_net(client: TestClient) -> None:
    token = csrf_from(client, "/assess")
    page = client.post("/assess", data={"csrf_token": token, "f_sexual_dysfunction": "yes"}).text
    assert 'id="watch-h"' not in page and "Not asked" not in page


def test_a_pain_reliever_to_avoid_says_so_before_anything_else(client: TestClient) -> None:
    page = result_page(client, conditions="nsaid_allergy")
    card = page[page.index('class="item plan avoid"'):]
    card = card[: card.index("</li>")]
    assert "Do not take unless a doctor prescribes it:</span>" in card
    assert card.index(load().conditions["nsaid_allergy"].caution[:30]) < card.index("Do not take ibuprofen")
    assert "guidelines prefer" not in card


def test_sources_show_as_linked_titles_never_as_refs(client: TestClient) -> None:
    page = result_page(client, f_radiating_leg_pain="yes", conditions="kidney_disease")
    assert RAW_REF.search(visible(page)) is None
    assert '<a href="https://cks.nice.org.uk/topics/sciatica-lumbar-radiculopathy/"' in page
    assert "Sciatica (lumbar radiculopathy)</a>" in page
    about = client.get("/about").text
    assert RAW_REF.search(visible(about)) is None and 'href="https://www.nhs.uk/conditions/back-pain/"' in about


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(yes=st.frozensets(st.sampled_from([q.code for q in forms.other_questions()])), pain=st.integers(0, 10))
def test_a_completed_web_check_leaves_nothing_to_ask(client: TestClient, yes: frozenset[str], pain: int) -> None:
    token = csrf_from(client, "/assess")
    data = details_form(token, pain=str(pain)) | {f"f_{code}": "yes" for code in yes}
    page = client.post("/assess/result", data=data).text
    assert 'id="not-asked-h"' not in page
    api = client.post("/api/v1/assess", json=_as_contract(data)).json()
    assert api["to_ask"] == []


def _as_contract(form: dict[str, Any]) -> dict[str, Any]:
    """The same answers as the web check sends them, as contract JSON (the check's reader)."""
    data, errors = forms.read_assessment(form, [])
    assert not errors
    return data


def test_accept_language_picks_the_wording_of_questions_and_result(client: TestClient) -> None:
    first = client.get("/assess", headers=GB).text
    assert '<html lang="en-GB">' in first
    token = csrf_from(client, "/assess")
    details = client.post("/assess", data={"csrf_token": token} | {q.field: "no" for q in forms.red_flag_questions()},
                          headers=GB).text
    assert load("en-GB").findings["fever"].question in details
    page = result_page(client, headers=GB)
    assert "Call 999 or go to A&amp;E now if:" in page
    assert "911" not in visible(page).replace("911 in the US", "")


def test_the_switch_keeps_the_choice_in_a_cookie_and_returns_to_the_page(client: TestClient) -> None:
    r = client.get("/locale/en-GB", params={"next": "/about"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/about"
    assert f"{LOCALE_COOKIE}=en-GB" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    page = client.get("/about", headers={"accept-language": "en-US"}).text  # the cookie wins
    assert '<html lang="en-GB">' in page
    assert 'href="/locale/en-US?next=/about"' in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "about"])
def test_the_switch_never_sends_anyone_to_another_site(client: TestClient, target: str) -> None:
    r = client.get("/locale/en-GB", params={"next": target}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_an_unknown_wording_is_not_found(client: TestClient) -> None:
    assert client.get("/locale/fr-FR", headers={"accept": "text/html"}).status_code == 404


def test_on_a_result_page_the_switch_posts_the_same_answers_again(client: TestClient) -> None:
    page = result_page(client, f_thoracic_pain="yes")
    form = page[page.index('<li class="locale-switch">'):page.index("</form>", page.index('<li class="locale-switch">'))]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    assert fields["set_locale"] == "en-GB" and fields["f_thoracic_pain"] == "yes" and fields["pain"] == "4"
    r = client.post("/assess/result", data=fields)
    assert '<html lang="en-GB">' in r.text and load("en-GB").findings["thoracic_pain"].text in r.text
    assert f"{LOCALE_COOKIE}=en-GB" in r.headers["set-cookie"]


def test_the_plan_by_the_clock_is_dated_in_the_locales_format(client: TestClient) -> None:
    us = result_page(client)
    gb = result_page(client, headers=GB)
    step = re.compile(r'data-local="1">([^<]+)</time>')
    us_label, gb_label = step.findall(us)[0], step.findall(gb)[0]
    assert re.match(r"\w{3}, \w{3} \d{1,2}, \d{1,2}:\d{2}\W(AM|PM) UTC \(in \d+ hours\)", us_label), us_label
    assert re.match(r"\w{3} \d{1,2} \w{3}, \d{2}:\d{2} UTC \(in \d+ hours\)", gb_label), gb_label


def test_the_diary_page_shows_the_safety_net(client: TestClient) -> None:
    register(client, "net@example.org")
    episode = start_episode(client, pain=4)
    page = client.get(f"/diary/episodes/{episode}").text
    assert page.index('id="banner-h"') < page.index('id="watch-emergency"') < page.index('id="chart-h"')
    assert RAW_REF.search(visible(page)) is None
    gb = client.get(f"/diary/episodes/{episode}", headers=GB).text
    assert "Call 999 or go to A&amp;E now if:" in gb


def test_the_api_honours_the_locale_and_names_what_it_never_asked(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json={"hours_since_onset": 5, "pain": 3, "locale": "en-GB",
                                            "denied": ["fever"]}).json()
    assert r["locale"] == "en-GB" and r["watch_for"][0]["text"].startswith("Call 999")
    assert "fever" not in r["to_ask"] and r["to_ask"][0] == "bladder_bowel_control_loss"
    bad = client.post("/api/v1/assess", json={"hours_since_onset": 5, "pain": 3, "locale": "fr"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == "locale"


def test_the_api_lists_every_source_with_where_it_is_cited(client: TestClient) -> None:
    records = client.get("/api/v1/sources").json()
    assert [s["ref"] for s in records] == list(load().sources)
    assert set(SOURCE_REFS) == {s["ref"] for s in records}
    by_ref = {s["ref"]: s for s in records}
    assert by_ref["guideline:nhs-back-pain"]["url"] == "https://www.nhs.uk/conditions/back-pain/"
    assert {"section": "finding", "code": "major_trauma"} in by_ref["guideline:nhs-back-pain"]["cited_by"]
    assert "/api/v1/sources" in client.get("/api/v1/openapi.json").json()["paths"]


def test_every_page_template_string_is_translated_through_the_catalog() -> None:
    """The environment translates with the page's locale: an en-GB catalog entry shows on an en-GB page."""
    env = create_app("sqlite://", secret_key="t").state.templates
    tmpl = env.from_string("{{ _('Ask a pharmacist or doctor first') }}|"
                           "{% trans %}Ask a pharmacist or doctor first{% endtrans %}")
    assert tmpl.render(locale="en-GB") == "Ask a pharmacist or GP first|Ask a pharmacist or GP first"
    assert tmpl.render(locale="en-US") == "Ask a pharmacist or doctor first|Ask a pharmacist or doctor first"
