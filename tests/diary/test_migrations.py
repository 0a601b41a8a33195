"""The migrations and the models describe the same schema, and the fast path knows the head."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from backspasm.diary.models import metadata
from backspasm.diary.store import HEAD_REVISION, Store, open_store


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
