"""Accounts: registration, Argon2 hashes, sign-in limits kept in the database, sign-out, deletion."""

from __future__ import annotations

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from webhelpers import check_in, csrf_from, register, start_episode

from backspasm.web import create_app

PASSWORD = "a long enough password"


def _sign_in(client: TestClient, email: str, password: str, nxt: str = "/diary") -> Response:
    token = csrf_from(client, "/signin")
    return client.post("/signin", data={"csrf_token": token, "email": email, "password": password, "next": nxt},
                       follow_redirects=False)


def test_registering_signs_in_and_stores_an_argon2_hash_not_the_password(app: FastAPI, client: TestClient) -> None:
    register(client, "ann@example.org")
    assert "Your pain diary" in client.get("/diary").text
    user = app.state.store.get_user_by_email("ann@example.org")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_registration_problems_are_named(client: TestClient) -> None:
    token = csrf_from(client, "/register")
    cases = [
        ({"email": "not-an-email", "password": PASSWORD, "password_confirm": PASSWORD}, "not an email address"),
        ({"email": "b@example.org", "password": "short", "password_confirm": "short"}, "at least 10 characters"),
        ({"email": "b@example.org", "password": PASSWORD, "password_confirm": PASSWORD + "x"}, "does not match"),
    ]
    for data, message in cases:
        r = client.post("/register", data={"csrf_token": token} | data)
        assert r.status_code == 400
        assert message in r.text


def test_an_email_can_hold_only_one_account(client: TestClient, other_client: TestClient) -> None:
    register(client, "dup@example.org")
    token = csrf_from(other_client, "/register")
    r = other_client.post("/register", data={"csrf_token": token, "email": "DUP@example.org", "password": PASSWORD,
                                             "password_confirm": PASSWORD})
    assert r.status_code == 400
    assert "already exists" in r.text


def test_sign_in_with_the_right_password_and_refuse_a_wrong_one(client: TestClient, other_client: TestClient) -> None:
    register(client, "cy@example.org")
    r = _sign_in(other_client, "cy@example.org", "wrong password!")
    assert r.status_code == 400
    assert "do not match" in r.text
    r = _sign_in(other_client, "cy@example.org", PASSWORD)
    assert r.status_code == 303
    assert r.headers["location"] == "/diary"


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client: TestClient) -> None:
    r = _sign_in(client, "nobody@example.org", PASSWORD)
    assert r.status_code == 400
    assert "do not match" in r.text


def test_sign_in_only_follows_a_local_next_path(client: TestClient, other_client: TestClient) -> None:
    register(client, "dee@example.org")
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = _sign_in(other_client, "dee@example.org", PASSWORD, nxt=evil)
        assert r.headers["location"] == "/diary"
    r = _sign_in(other_client, "dee@example.org", PASSWORD, nxt="/account")
    assert r.headers["location"] == "/account"


def test_repeated_failures_make_the_next_attempt_wait_even_with_the_right_password(
    client: TestClient, other_client: TestClient
) -> None:
    register(client, "eve@example.org")
    for _ in range(3):  # the test app allows 3 failures before each attempt must wait
        assert _sign_in(other_client, "eve@example.org", "wrong password!").status_code == 400
    r = _sign_in(other_client, "eve@example.org", PASSWORD)
    assert r.status_code == 429
    assert r.headers["retry-after"] == "5"  # a short wait that doubles, not a lock-out
    assert "Too many failed attempts. Please wait 5 seconds and try again." in r.text


def test_the_sign_in_limit_is_shared_by_every_worker_through_the_database(app: FastAPI, client: TestClient) -> None:
    register(client, "fay@example.org")
    url = str(app.state.store.engine.url.render_as_string(hide_password=False))
    second = create_app(url, secret_key="test-secret", login_limit=3,
                        password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    with TestClient(second) as worker_b:
        for _ in range(3):
            _sign_in(worker_b, "fay@example.org", "wrong password!")
    with TestClient(app) as worker_a:
        assert _sign_in(worker_a, "fay@example.org", PASSWORD).status_code == 429
    second.state.store.close()


def test_sign_out_ends_the_session(client: TestClient) -> None:
    register(client, "gus@example.org")
    token = csrf_from(client, "/diary")
    r = client.post("/signout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "Max-Age=0" in r.headers["set-cookie"]
    assert "Create an account" in client.get("/diary").text
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_deleting_the_account_deletes_all_its_data(app: FastAPI, client: TestClient) -> None:
    register(client, "hal@example.org")
    episode_id = start_episode(client)
    check_in(client, episode_id, 5)
    user = app.state.store.get_user_by_email("hal@example.org")
    token = csrf_from(client, "/account")
    r = client.post("/account/delete", data={"csrf_token": token})
    assert r.status_code == 400  # the confirmation box is required
    r = client.post("/account/delete", data={"csrf_token": token, "confirm": "delete"})
    assert r.status_code == 200
    assert "Your account is deleted" in r.text
    store = app.state.store
    assert store.get_user(user.id) is None
    assert store.list_episodes(user.id) == []
    assert store.get_episode(user.id, episode_id) is None
    assert client.get(f"/diary/episodes/{episode_id}", follow_redirects=False).status_code == 303  # signed out


def test_the_api_registers_signs_in_and_out(client: TestClient, other_client: TestClient) -> None:
    r = client.post("/api/v1/users", json={"email": "ida@example.org", "password": PASSWORD})
    assert r.status_code == 201
    assert r.json()["signed_in"] is True
    dup = other_client.post("/api/v1/users", json={"email": "ida@example.org", "password": PASSWORD})
    assert dup.status_code == 422
    assert dup.json()["detail"][0]["loc"] == "email"
    weak = other_client.post("/api/v1/users", json={"email": "jo@example.org", "password": "short"})
    assert weak.status_code == 422
    assert weak.json()["detail"][0]["loc"] == "password"
    bad = other_client.post("/api/v1/session", json={"email": "ida@example.org", "password": "nope nope nope"})
    assert bad.status_code == 401
    good = other_client.post("/api/v1/session", json={"email": "ida@example.org", "password": PASSWORD})
    assert good.status_code == 200
    token = good.json()["csrf_token"]
    assert other_client.delete("/api/v1/session").status_code == 403  # no CSRF header
    assert other_client.delete("/api/v1/session", headers={"x-csrf-token": token}).status_code == 204
    assert other_client.get("/api/v1/session").json()["signed_in"] is False


def test_api_sign_in_is_rate_limited_too(client: TestClient) -> None:
    client.post("/api/v1/users", json={"email": "kim@example.org", "password": PASSWORD})
    for _ in range(3):
        client.post("/api/v1/session", json={"email": "kim@example.org", "password": "wrong wrong wrong"})
    r = client.post("/api/v1/session", json={"email": "kim@example.org", "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["error"] == "too_many_attempts"


def test_api_account_deletion_needs_the_csrf_header(app: FastAPI, client: TestClient) -> None:
    token = client.post("/api/v1/users", json={"email": "lee@example.org", "password": PASSWORD}).json()["csrf_token"]
    assert client.delete("/api/v1/me").status_code == 403
    assert client.delete("/api/v1/me", headers={"x-csrf-token": token}).status_code == 204
    assert app.state.store.get_user_by_email("lee@example.org") is None
    assert client.get("/api/v1/episodes").status_code == 401


def test_api_bad_credentials_bodies_name_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/session", json={"email": "x@example.org"})
    assert r.status_code == 422
    assert r.json() == {"error": "bad_input", "detail": [{"loc": "password", "msg": "Field required"}]}
    r = client.post("/api/v1/users", json={"email": "x@example.org", "password": PASSWORD, "extra": 1})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == "extra"
    r = client.post("/api/v1/session", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 422
