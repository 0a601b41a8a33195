"""Shared database fixtures: a fresh Store per test on SQLite, or on PostgreSQL in its own schema.

- `store`: SQLite in tmp_path; PostgreSQL instead when the test is marked
  `@pytest.mark.postgres` or parametrised indirectly (`@pytest.mark.parametrize("store",
  ["postgres"], indirect=True)`).
- `any_store`: the same test on both back ends (the PostgreSQL run carries the postgres marker).
- `store_factory(backend="sqlite")`: more fresh stores in one test.
- `database_url(backend="sqlite")`: a fresh, migrated database's URL, for subprocesses.

PostgreSQL comes from BACKSPASM_TEST_PG_URL (default the local server, database
`test`); each test gets a schema of its own, dropped afterwards, so runs never
collide. When the server is unreachable the PostgreSQL tests skip with the reason,
except under CI=true, where they fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from backspasm.diary.store import Store

from dbsupport import BACKENDS, pg_base_url, require_postgres

__all__ = ["BACKENDS", "pg_base_url", "require_postgres"]


class _Databases:
    """Creates fresh databases for one test and removes them afterwards."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.schemas: list[str] = []
        self.stores: list[Store] = []

    def url(self, backend: str = "sqlite") -> str:
        if backend == "sqlite":
            path = self.tmp_path / f"db-{uuid.uuid4().hex[:8]}.sqlite"
            return f"sqlite:///{path}"
        if backend != "postgres":
            raise ValueError(f"unknown backend {backend!r}")
        require_postgres()
        from sqlalchemy import create_engine, make_url, text

        schema = f"t_{uuid.uuid4().hex[:16]}"
        engine = create_engine(pg_base_url())
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        self.schemas.append(schema)
        url = make_url(pg_base_url()).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def migrated_url(self, backend: str = "sqlite") -> str:
        from backspasm.diary.store import open_store

        url = self.url(backend)
        open_store(url).close()
        return url

    def store(self, backend: str = "sqlite") -> Store:
        from backspasm.diary.store import open_store

        s = open_store(self.url(backend))
        self.stores.append(s)
        return s

    def cleanup(self) -> None:
        for s in self.stores:
            s.close()
        if not self.schemas:
            return
        from sqlalchemy import create_engine, text

        engine = create_engine(pg_base_url())
        with engine.begin() as conn:
            for schema in self.schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user data directory or a configured database."""
    monkeypatch.setenv("BACKSPASM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BACKSPASM_DATABASE_URL", raising=False)
    # The CLI's wording follows the machine's language; tests set it where they test it.
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def _databases(tmp_path: Path) -> Iterator[_Databases]:
    dbs = _Databases(tmp_path)
    try:
        yield dbs
    finally:
        dbs.cleanup()


def _backend_of(request: pytest.FixtureRequest) -> str:
    param = getattr(request, "param", None)
    if param is not None:
        return str(param)
    return "postgres" if request.node.get_closest_marker("postgres") else "sqlite"


@pytest.fixture
def store(request: pytest.FixtureRequest, _databases: _Databases) -> Store:
    """A fresh, migrated Store: SQLite, or PostgreSQL when marked/parametrised so."""
    return _databases.store(_backend_of(request))


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest, _databases: _Databases) -> Store:
    """The same test on SQLite and on PostgreSQL."""
    return _databases.store(request.param)


@pytest.fixture
def store_factory(_databases: _Databases) -> Callable[..., Store]:
    """Call with backend="sqlite" or "postgres" for another fresh Store."""
    return _databases.store


@pytest.fixture
def database_url(_databases: _Databases) -> Callable[[str], str]:
    """Call with a backend for the URL of a fresh, migrated database (for subprocesses)."""
    return _databases.migrated_url
