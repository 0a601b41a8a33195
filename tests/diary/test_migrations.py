"""The migrations and the models describe the same schema, and the fast path knows the head."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from backspasm.diary.models import metadata
from backspasm.diary.store import HEAD_REVISION, Store, open_store
from dbsupport import BACKENDS


def test_head_revision_constant_matches_the_scripts() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("backspasm.diary") / "migrations"))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION


def test_migrated_schema_matches_the_models(any_store: Store) -> None:
    with any_store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert ctx.get_current_revision() == HEAD_REVISION
        assert compare_metadata(ctx, metadata) == []


def test_sqlite_runs_in_wal_with_foreign_keys(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) > 0


def _upgrade(url: str, revision: str) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    cfg = Config()
    cfg.set_main_option("script_location", str(files("backspasm.diary") / "migrations"))
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_a_0001_database_keeps_every_row_and_its_links(backend: str, _databases: Any) -> None:
    from sqlalchemy import create_engine, text

    from backspasm.diary.store import LOCAL_EMAIL, open_store

    url = _databases.url(backend)
    _upgrade(url, "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        ids = {}
        for email, pw in ((LOCAL_EMAIL, "!local"), ("ann@example.org", "$argon2id$x"), ("gone@example.org", "h")):
            conn.execute(text("INSERT INTO users (email, password_hash, created_at) VALUES (:e, :p, :t)"),
                         {"e": email, "p": pw, "t": datetime(2026, 1, 1)})
            ids[email] = conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": email}).scalar()
        conn.execute(text("INSERT INTO episodes (user_id, started_at, onset_at, assessment, reading, result, urgency)"
                          " VALUES (:u, :t, :t, '{\"hours_since_onset\": 1, \"pain\": 5}', '{}', '{}', 'self_care')"),
                     {"u": ids["ann@example.org"], "t": datetime(2026, 1, 2)})
        eid = conn.execute(text("SELECT id FROM episodes")).scalar()
        conn.execute(text("INSERT INTO checkins (episode_id, user_id, at, pain, findings, tried, urgency, escalated, result)"
                          " VALUES (:e, :u, :t, 4, '[]', '{}', 'self_care', false, '{}')"),
                     {"e": eid, "u": ids["ann@example.org"], "t": datetime(2026, 1, 3)})
    engine.dispose()
    store = open_store(url)  # upgrades to head
    try:
        assert store.local_user().id == ids[LOCAL_EMAIL]  # the CLI's own account is marked local
        ann = store.get_user_by_email("ann@example.org")
        assert ann is not None and not ann.is_local
        assert [c.pain for c in store.list_checkins(ann.id, eid)] == [4]
        assert store.delete_user(ids["gone@example.org"])  # the highest id, deleted after the upgrade
        newcomer = store.create_user("new@example.org", "h")
        assert newcomer.id > ids["gone@example.org"]
        assert store.delete_user(ann.id)  # the cascade still reaches the diary through the rebuilt table
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM checkins")).scalar() == 0
        assert store.integrity_ok()
    finally:
        store.close()


def test_an_episode_written_before_courses_upgrades_and_replays(tmp_path: Path) -> None:
    """A 0001 database with an episode and a check-in migrates; the course is rebuilt from the rows."""
    url = f"sqlite:///{tmp_path}/old.db"
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(files("backspasm.diary") / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO users (id, email, password_hash, created_at) VALUES (1, 'a@example.org', 'h', :at)"),
                     {"at": datetime(2026, 11, 20, 8, 0)})
        conn.execute(
            text("INSERT INTO episodes (id, user_id, started_at, onset_at, closed_at, assessment, reading, result, urgency) "
                 "VALUES (1, 1, :at, :at, NULL, :a, '{}', '{\"urgency\": \"urgent\"}', 'urgent')"),
            {"at": datetime(2026, 11, 20, 8, 0), "a": '{"hours_since_onset": 0, "pain": 6, "findings": ["fever"]}'},
        )
        conn.execute(
            text("INSERT INTO checkins (episode_id, user_id, at, pain, findings, tried, note, urgency, escalated, result) "
                 "VALUES (1, 1, :at, 5, '[]', '{}', NULL, 'urgent', 0, '{}')"),
            {"at": datetime(2026, 11, 20, 20, 0)},
        )
    engine.dispose()
    store = open_store(url)
    try:
        st = store.status(1, 1, now=datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
        assert st.result.urgency == "urgent" and st.present == {"fever": 0.0}
        out = store.add_checkin(1, 1, 3, at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC), gone=["fever"])
        assert out.result.urgency == "self_care"
        assert [c.gone for c in store.list_checkins(1, 1)] == [(), ("fever",)]
    finally:
        store.close()
