"""Item 2: the CLI's reserved local account can be neither registered nor signed in to on the web,
and the CLI never adopts an account the web created."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import PASSWORD, page_register
from sqlalchemy import text

from backspasm.diary.store import LOCAL_EMAIL, Store, open_store
from dbsupport import BACKENDS

LOOK_ALIKES = [
    LOCAL_EMAIL,
    LOCAL_EMAIL.upper(),
    "Local-User@Backspasm.Invalid",
    " local-user@backspasm.invalid ",
    "ｌｏｃａｌ-ｕｓｅｒ@ｂａｃｋｓｐａｓｍ.ｉｎｖａｌｉｄ",  # fullwidth letters fold to the same address
    "local-user@BACKSPASM.INVALID.",
]


@pytest.mark.parametrize("email", LOOK_ALIKES)
def test_the_api_cannot_register_the_local_account(make_app: Callable[..., FastAPI], email: str) -> None:
    with TestClient(make_app()) as client:
        r = client.post("/api/v1/users", json={"email": email, "password": PASSWORD})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == "email"


def test_the_register_page_cannot_register_the_local_account(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        for email in LOOK_ALIKES:
            r = page_register(client, email)
            assert r.status_code == 400, email
            assert "not an email address" in r.text


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_one_signs_in_to_the_local_account_and_reads_the_cli_diary(
    backend: str, make_app: Callable[..., FastAPI]
) -> None:
    app = make_app(backend)
    store = app.state.store = open_store(app.state.settings.database_url)
    local = store.local_user()
    store.start_episode(local.id, {"hours_since_onset": 3, "pain": 5})
    with TestClient(app) as client:
        for password in ("!local", "", PASSWORD):
            r = client.post("/api/v1/session", json={"email": LOCAL_EMAIL, "password": password})
            assert r.status_code in (401, 422), r.text
        assert client.get("/api/v1/episodes").status_code == 401


@pytest.mark.parametrize("any_store", BACKENDS, indirect=True)
def test_the_cli_does_not_adopt_an_account_the_web_created_with_the_local_email(any_store: Store) -> None:
    # A database from before the fix: the web registered the reserved address with a real password hash.
    with any_store.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (email, password_hash, created_at) VALUES (:e, :h, :t)"),
                     {"e": LOCAL_EMAIL, "h": "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
                      "t": datetime(2026, 1, 1)})
        web_id = conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": LOCAL_EMAIL}).scalar()
    any_store.start_episode(web_id, {"hours_since_onset": 3, "pain": 5}, started_at=datetime(2026, 1, 2, tzinfo=UTC))
    local = any_store.local_user()
    assert local.id != web_id
    assert any_store.list_episodes(local.id) == []
    assert any_store.local_user() == local  # found again, by its mark
