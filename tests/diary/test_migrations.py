"""The migrations and the models describe the same schema, and the fast path knows the head."""

from __future__ import annotations

from importlib.resources import files

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from backspasm.diary.models import metadata
from backspasm.diary.store import HEAD_REVISION, Store


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
