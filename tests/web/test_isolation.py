"""One user never sees or changes another's data; form posts without a CSRF token are refused.

Run on SQLite and on PostgreSQL (the several-workers database).
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webhelpers import check_in, csrf_from, details_form, register, start_episode

BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]
PAGE_GETS = ["/diary/episodes/{id}", "/diary/episodes/{id}/report", "/diary/episodes/{id}/report.pdf"]
PAGE_POSTS = ["/diary/episodes/{id}/checkins", "/diary/episodes/{id}/close"]
API_GETS = ["/api/v1/episodes/{id}", "/api/v1/episodes/{id}/status", "/api/v1/episodes/{id}/checkins"]
API_POSTS = ["/api/v1/episodes/{id}/checkins", "/api/v1/episodes/{id}/close"]


@pytest.fixture
def two_users(client: TestClient, other_client: TestClient) -> tuple[int, TestClient, TestClient]:
    """User A with an episode and two check-ins (in `client`), user B signed in (in `other_client`)."""
    register(client, "a@example.org")
    episode_id = start_episode(client)
    check_in(client, episode_id, 5)
    check_in(client, episode_id, 4)
    register(other_client, "b@example.org")
    return episode_id, client, other_client


@pytest.mark.parametrize("app", BACKENDS, indirect=True)
def test_user_b_gets_404_for_every_one_of_user_as_resources(app: FastAPI, two_users: tuple[int, TestClient, TestClient]) -> None:
    episode_id, a, b = two_users
    html = {"accept": "text/html"}
    for path in PAGE_GETS:
        assert b.get(path.format(id=episode_id), headers=html).status_code == 404, path
    token = csrf_from(b, "/diary")
    for path in PAGE_POSTS:
        r = b.post(path.format(id=episode_id), data={"csrf_token": token, "pain": "9"}, headers=html)
        assert r.status_code == 404, path
    api_token = b.get("/api/v1/session").json()["csrf_token"]
    for path in API_GETS:
        r = b.get(path.format(id=episode_id))
        assert r.status_code == 404, path
        assert r.json()["error"] == "not_found"
    for path in API_POSTS:
        r = b.post(path.format(id=episode_id), json={"pain": 9}, headers={"x-csrf-token": api_token})
        assert r.status_code == 404, path
    assert b.get("/api/v1/episodes").json() == []
    # A's episode is untouched: still open, still two check-ins.
    assert a.get(f"/api/v1/episodes/{episode_id}").json()["closed_at"] is None
    assert [c["pain"] for c in a.get(f"/api/v1/episodes/{episode_id}/checkins").json()] == [5, 4]


def test_a_missing_episode_and_someone_elses_answer_exactly_alike(two_users: tuple[int, TestClient, TestClient]) -> None:
    episode_id, _a, b = two_users
    theirs = b.get(f"/api/v1/episodes/{episode_id}")
    missing = b.get("/api/v1/episodes/999999")
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())


def test_signed_out_visitors_cannot_reach_the_diary(two_users: tuple[int, TestClient, TestClient], app: FastAPI) -> None:
    episode_id, _a, _b = two_users
    with TestClient(app) as stranger:
        for path in PAGE_GETS:
            r = stranger.get(path.format(id=episode_id), follow_redirects=False)
            assert r.status_code == 303
            assert r.headers["location"].startswith("/signin")
        for path in API_GETS:
            assert stranger.get(path.format(id=episode_id)).status_code == 401


FORM_POSTS = ["/assess", "/assess/result", "/register", "/signin", "/signout", "/account/delete", "/diary/new",
              "/diary/episodes", "/diary/episodes/{id}/checkins", "/diary/episodes/{id}/close"]


@pytest.mark.parametrize("path", FORM_POSTS)
def test_form_posts_without_the_csrf_token_are_refused(two_users: tuple[int, TestClient, TestClient], path: str) -> None:
    episode_id, a, _b = two_users
    data = details_form("unused") | {"email": "a@example.org", "password": "a long enough password",
                                      "password_confirm": "a long enough password", "confirm": "delete"}
    data.pop("csrf_token")
    r = a.post(path.format(id=episode_id), data=data, headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 403
    assert "did not come from this site" in r.text
    # Nothing happened: still signed in, the episode still open with its two check-ins.
    assert a.get(f"/api/v1/episodes/{episode_id}").json()["closed_at"] is None
    assert len(a.get(f"/api/v1/episodes/{episode_id}/checkins").json()) == 2


def test_api_writes_without_the_csrf_header_are_refused(two_users: tuple[int, TestClient, TestClient]) -> None:
    episode_id, a, _b = two_users
    assert a.post(f"/api/v1/episodes/{episode_id}/checkins", json={"pain": 3}).status_code == 403
    assert a.post(f"/api/v1/episodes/{episode_id}/close").status_code == 403
    assert a.post("/api/v1/episodes", json={"hours_since_onset": 1, "pain": 2}).status_code == 403
    assert a.delete("/api/v1/me").status_code == 403
