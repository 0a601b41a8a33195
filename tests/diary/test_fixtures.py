"""The shared database fixtures: PostgreSQL skips locally but fails under CI when the server is missing."""

from __future__ import annotations

import pytest

from backspasm.diary.store import Store
from dbsupport import require_postgres

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/test"


def test_missing_postgres_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSPASM_TEST_PG_URL", NOWHERE)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="unreachable"):
        require_postgres()


def test_missing_postgres_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSPASM_TEST_PG_URL", NOWHERE)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="unreachable"):
        require_postgres()


@pytest.mark.postgres
def test_marked_test_gets_a_postgres_store_in_its_own_schema(store: Store) -> None:
    assert store.dialect == "postgresql"
    with store.engine.connect() as conn:
        schema = str(conn.exec_driver_sql("SELECT current_schema()").scalar())
    assert schema.startswith("t_")


@pytest.mark.parametrize("store", ["postgres"], indirect=True)
def test_indirect_parametrisation_selects_postgres(store: Store) -> None:
    assert store.dialect == "postgresql"
