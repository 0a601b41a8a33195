"""Item 9: the data folder and database are private, and a deleted account leaves nothing readable behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import api_episode, api_register, api_sign_in

from backspasm.diary.store import open_store

EMAIL = "marker-7f3a@example.org"
NOTE = "NOTE-MARKER-9c41 my back hurt after the football match"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_data_folder_and_database_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "fresh" / "data"
    monkeypatch.setenv("BACKSPASM_DATA_DIR", str(folder))
    old = os.umask(0o022)  # a common, permissive umask
    try:
        store = open_store()
        user = store.local_user()
        store.start_episode(user.id, {"hours_since_onset": 3, "pain": 5})
        store.close()
    finally:
        os.umask(old)
    assert _mode(folder) == 0o700
    for name in ("backspasm.db", "backspasm.db-wal", "backspasm.db-shm"):
        if (folder / name).exists():
            assert _mode(folder / name) == 0o600, name


def test_sqlite_overwrites_deleted_rows(make_app: Callable[..., FastAPI]) -> None:
    store = open_store(make_app().state.settings.database_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    store.close()


def test_a_deleted_account_leaves_no_trace_in_the_sqlite_files(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    path = Path(app.state.settings.database_url.removeprefix("sqlite:///"))
    with TestClient(app) as client, TestClient(app) as guesser:
        token = api_register(client, EMAIL)
        eid = api_episode(client, token)
        r = client.post(f"/api/v1/episodes/{eid}/checkins", json={"pain": 4, "note": NOTE}, headers={"x-csrf-token": token})
        assert r.status_code == 201
        assert api_sign_in(guesser, EMAIL, "a wrong guess again").status_code == 401  # a sign-in attempt on record
        assert client.delete("/api/v1/me", headers={"x-csrf-token": token}).status_code == 204
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        raw = b"".join(p.read_bytes() for p in files)
    assert EMAIL.encode() not in raw  # not in the account, the sign-in attempts, the free pages or the log
    assert b"NOTE-MARKER-9c41" not in raw
