"""`backspasm serve`: starts on SQLite with nothing configured; several workers agree on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from liveserver import serving
from typer.testing import CliRunner

from backspasm.cli import app as cli


def test_serve_help_names_its_options() -> None:
    out = CliRunner().invoke(cli, ["serve", "--help"]).output
    for option in ("--host", "--port", "--workers", "--reload", "--database-url"):
        assert option in out


def test_reload_with_several_workers_is_refused() -> None:
    result = CliRunner().invoke(cli, ["serve", "--reload", "--workers", "2"])
    assert result.exit_code == 2


def test_serve_starts_on_sqlite_in_the_data_folder_with_nothing_configured(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BACKSPASM_DATABASE_URL"}
    env["BACKSPASM_DATA_DIR"] = str(tmp_path / "data")
    with serving([], env) as url:
        assert "Back spasm? Find out what to do now." in httpx.get(url).text
        r = httpx.post(f"{url}/api/v1/assess", json={"hours_since_onset": 3, "pain": 2})
        assert r.json()["urgency"] == "self_care"
        made = httpx.post(f"{url}/api/v1/users", json={"email": "m@example.org", "password": "a long enough password"})
        assert made.status_code == 201
    assert (tmp_path / "data" / "backspasm.db").exists()
    assert (tmp_path / "data" / "secret_key").exists()


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_on_postgresql_share_sessions_and_sign_in_limits(
    tmp_path: Path, database_url: Callable[[str], str]
) -> None:
    env = dict(os.environ, BACKSPASM_DATA_DIR=str(tmp_path / "data"))
    with serving(["--workers", "2", "--database-url", database_url("postgres")], env) as url:
        with httpx.Client(base_url=url) as a:
            r = a.post("/api/v1/users", json={"email": "w@example.org", "password": "a long enough password"})
            assert r.status_code == 201
            token = r.json()["csrf_token"]
            started = a.post("/api/v1/episodes", json={"hours_since_onset": 2, "pain": 5},
                             headers={"x-csrf-token": token})
            eid = started.json()["episode"]["id"]
            # Fresh connections land on either worker; every one knows the session and the episode.
            for _ in range(12):
                with httpx.Client(base_url=url, cookies=a.cookies) as fresh:
                    assert fresh.get(f"/api/v1/episodes/{eid}").status_code == 200
        for _ in range(5):
            with httpx.Client(base_url=url) as c:
                c.post("/api/v1/session", json={"email": "w@example.org", "password": "wrong wrong wrong"})
        with httpx.Client(base_url=url) as c:
            r = c.post("/api/v1/session", json={"email": "w@example.org", "password": "a long enough password"})
            assert r.status_code == 429
