"""Item 1 and 15: sessions live on the server; the cookie is a random id and nothing else.

Each test is an attack that worked when the cookie itself said who was signed in.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import PASSWORD, SESSION_COOKIE, api_episode, api_register, api_sign_in, csrf_from, signed_in
from sqlalchemy import text

from backspasm.diary.store import Store
from dbsupport import BACKENDS

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _cookie(client: TestClient) -> str:
    value = client.cookies.get(SESSION_COOKIE)
    assert value, "no session cookie"
    return value


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_deleted_accounts_cookie_does_not_sign_in_as_the_next_account(
    backend: str, make_app: Callable[..., FastAPI]
) -> None:
    app = make_app(backend)
    with TestClient(app) as first:
        token = api_register(first, "first@example.org")
        stolen = _cookie(first)
        assert first.delete("/api/v1/me", headers={"x-csrf-token": token}).status_code == 204
    with TestClient(app) as second:
        token = api_register(second, "second@example.org")
        api_episode(second, token)
    with TestClient(app, cookies={SESSION_COOKIE: stolen}) as attacker:
        assert attacker.get("/api/v1/session").json()["signed_in"] is False
        assert attacker.get("/api/v1/episodes").status_code == 401


@pytest.mark.parametrize("any_store", BACKENDS, indirect=True)
def test_user_ids_are_never_reused(any_store: Store) -> None:
    any_store.create_user("a@example.org", "hash")
    b = any_store.create_user("b@example.org", "hash")
    assert any_store.delete_user(b.id)
    c = any_store.create_user("c@example.org", "hash")
    assert c.id > b.id


def test_the_cookie_holds_a_random_id_and_no_email_uid_or_csrf_token(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        token = api_register(client, "cookie@example.org")
        raw = _cookie(client)
        padded = raw.split(".")[0] + "=" * (-len(raw.split(".")[0]) % 4)
        decoded = base64.urlsafe_b64decode(padded.encode()).decode("latin-1", "replace")
        for secret in ("cookie@example.org", token, '"uid"', "csrf"):
            assert secret not in raw and secret not in decoded
        assert len(raw) == 43 and len(base64.urlsafe_b64decode(raw + "=")) == 32  # 256 random bits


def test_only_a_hash_of_the_session_id_is_stored(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    with TestClient(app) as client:
        api_register(client, "hash@example.org")
        raw = _cookie(client)
        with app.state.store.engine.connect() as conn:
            stored = [r[0] for r in conn.execute(text("SELECT token_hash FROM sessions"))]
    assert stored == [hashlib.sha256(raw.encode()).hexdigest()]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cookie_kept_after_sign_out_no_longer_signs_in(backend: str, make_app: Callable[..., FastAPI]) -> None:
    app = make_app(backend)
    with TestClient(app) as client:
        token = api_register(client, "out@example.org")
        kept = _cookie(client)
        assert client.delete("/api/v1/session", headers={"x-csrf-token": token}).status_code == 204
    with TestClient(app, cookies={SESSION_COOKIE: kept}) as replay:
        assert not signed_in(replay)


def test_signing_out_everywhere_ends_every_browsers_session(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    with TestClient(app) as phone, TestClient(app) as laptop:
        api_register(phone, "everywhere@example.org")
        assert api_sign_in(laptop, "everywhere@example.org").status_code == 200
        token = csrf_from(phone, "/account")
        r = phone.post("/signout/everywhere", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        assert not signed_in(phone)
        assert not signed_in(laptop)
        assert app.state.store.count_sessions(app.state.store.get_user_by_email("everywhere@example.org").id) == 0


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    with TestClient(app) as mine, TestClient(app) as thief:
        token = api_register(mine, "change@example.org")
        assert api_sign_in(thief, "change@example.org").status_code == 200
        r = mine.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "another long passphrase"},
                      headers={"x-csrf-token": token})
        assert r.status_code == 204, r.text
        assert signed_in(mine)
        assert not signed_in(thief)
        assert api_sign_in(thief, "change@example.org").status_code == 401
        assert api_sign_in(thief, "change@example.org", "another long passphrase").status_code == 200


def test_the_password_page_changes_it_and_needs_the_current_one(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        api_register(client, "page@example.org")
        token = csrf_from(client, "/account")
        wrong = client.post("/account/password", data={"csrf_token": token, "current_password": "not the password",
                                                        "new_password": "another long passphrase",
                                                        "new_password_confirm": "another long passphrase"})
        assert wrong.status_code == 400 and "is not your current password" in wrong.text
        ok = client.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD,
                                                     "new_password": "another long passphrase",
                                                     "new_password_confirm": "another long passphrase"},
                         follow_redirects=False)
        assert ok.status_code == 303


@pytest.mark.parametrize("backend", BACKENDS)
def test_deleting_the_account_deletes_its_sessions(backend: str, make_app: Callable[..., FastAPI]) -> None:
    app = make_app(backend)
    with TestClient(app) as a, TestClient(app) as b:
        token = api_register(a, "gone@example.org")
        api_sign_in(b, "gone@example.org")
        a.delete("/api/v1/me", headers={"x-csrf-token": token})
        with app.state.store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM sessions")).scalar() == 0
        assert not signed_in(b)


@pytest.mark.parametrize("any_store", BACKENDS, indirect=True)
def test_sessions_end_when_idle_too_long_and_at_their_absolute_end(any_store: Store) -> None:
    user = any_store.create_user("clock@example.org", "hash")
    token = any_store.create_session(user.id, timedelta(hours=10), now=START)
    idle = timedelta(hours=2)
    assert any_store.session_user(token, idle, now=START + timedelta(hours=1)) == user
    assert any_store.session_user(token, idle, now=START + timedelta(hours=2, minutes=59)) == user  # seen at 1 h
    assert any_store.session_user(token, idle, now=START + timedelta(hours=4, minutes=30)) == user  # seen at 2:59
    assert any_store.session_user(token, idle, now=START + timedelta(hours=10)) is None  # the absolute end
    other = any_store.create_session(user.id, timedelta(hours=10), now=START)
    assert any_store.session_user(other, idle, now=START + timedelta(hours=2, seconds=1)) is None  # idle too long
    assert any_store.count_sessions(user.id) == 0  # both rows went when found dead


def test_an_expired_session_in_the_database_signs_no_one_in(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    with TestClient(app) as client:
        api_register(client, "expired@example.org")
        with app.state.store.engine.begin() as conn:
            conn.execute(text("UPDATE sessions SET expires_at = :t"), {"t": datetime(2000, 1, 1)})
        assert not signed_in(client)


def test_signing_in_replaces_the_id_the_browser_had_before(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    with TestClient(app) as owner:
        api_register(owner, "fixed@example.org")
    with TestClient(app) as victim:
        csrf_from(victim, "/signin")
        planted = _cookie(victim)  # an id an attacker could have planted before sign-in
        assert api_sign_in(victim, "fixed@example.org").status_code == 200
        assert _cookie(victim) != planted
    with TestClient(app, cookies={SESSION_COOKIE: planted}) as attacker:
        assert not signed_in(attacker)
