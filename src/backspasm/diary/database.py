"""The connection to the diary database: where it is, how it is opened and migrated, one transaction at a time.

SQLite (the default, a file in the user data directory) runs in WAL mode with
foreign keys on and a busy timeout, and write transactions begin IMMEDIATE so two
processes queue instead of failing; PostgreSQL is used when BACKSPASM_DATABASE_URL is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..privatefiles import private_file, private_folder

if TYPE_CHECKING:  # SQLAlchemy loads when a database is opened: `backspasm status` can read without it (quick.py)
    from sqlalchemy import Connection, Engine

HEAD_REVISION = "0003"


def default_url() -> str:
    """BACKSPASM_DATABASE_URL, else a SQLite file in BACKSPASM_DATA_DIR or the platform's user data dir."""
    url = os.environ.get("BACKSPASM_DATABASE_URL")
    if url:
        return url
    data_dir = os.environ.get("BACKSPASM_DATA_DIR")
    if not data_dir:
        from platformdirs import user_data_dir

        data_dir = user_data_dir("backspasm")
    path = Path(data_dir)
    private_folder(path)
    return f"sqlite:///{path / 'backspasm.db'}"


def private_sqlite_file(url: str) -> None:
    """Create a SQLite file 0600 before SQLite does (its -wal and -shm files copy that mode)."""
    from sqlalchemy import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    private_file(Path(database))


def make_engine(url: str) -> Engine:
    """An engine with the diary's connection settings (SQLite pragmas and IMMEDIATE writes)."""
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        private_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout = 60000")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA synchronous = NORMAL")  # durable across process crashes in WAL mode
            cur.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not left in free pages
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            write = conn.get_execution_options().get("backspasm_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to head with alembic, unless it is already there (the fast path)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    try:
        with engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if current == HEAD_REVISION:
            return
    except (OperationalError, Exception):  # no table yet: a new database
        pass
    from importlib.resources import files

    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("backspasm.diary") / "migrations"))
    with engine.execution_options(backspasm_write=True).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Rebuilding a table must not cascade into its children: foreign keys off for the
            # migration (SQLite ignores this pragma inside a transaction, so it comes first).
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("the migration left rows whose parent is missing; nothing was changed")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


class Database:
    """An engine and the two kinds of transaction every part of the store uses."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._write_engine = engine.execution_options(backspasm_write=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back whole on any exception."""
        with self._write_engine.connect() as conn, conn.begin():
            yield conn

    def check_writable(self) -> None:
        """Write (and commit) one small row: raises when the database cannot take writes (read-only, disk full)."""
        from datetime import UTC, datetime

        from sqlalchemy import insert, update

        from .models import readiness

        at = datetime.now(UTC)
        with self.write() as c:
            if not c.execute(update(readiness).where(readiness.c.id == 1).values(checked_at=at)).rowcount:
                c.execute(insert(readiness).values(id=1, checked_at=at))

    def integrity_ok(self) -> bool:
        """SQLite's integrity check (always True on PostgreSQL, which checks as it writes)."""
        if self.dialect != "sqlite":
            return True
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


class Part:
    """One part of the store: the code that stores one kind of record, on the shared database."""

    def __init__(self, db: Database):
        self.db = db


def checkpoint(engine: Engine) -> None:
    """Copy SQLite's write-ahead log into the database and empty it (after a deletion); no-op elsewhere."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        # Outside any transaction, or the checkpoint would wait on this very connection's snapshot.
        conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]


def insert_row(conn: Connection, table: Any, **values: Any) -> int:
    """Insert one row and return its new id."""
    from sqlalchemy import insert

    pk = conn.execute(insert(table).values(**values)).inserted_primary_key
    assert pk is not None
    return int(pk[0])


def rowcount(result: object) -> int:
    """Rows an UPDATE or DELETE touched (CursorResult has rowcount; the typed Result does not say so)."""
    return int(getattr(result, "rowcount", 0))
