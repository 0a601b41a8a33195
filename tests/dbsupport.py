"""PostgreSQL helpers shared by the fixtures in conftest.py and by tests that import them.

A module of its own (not conftest) so that `import dbsupport` is unambiguous: several
test folders have a conftest.py, and only one of them can be `conftest` in sys.modules.
"""

from __future__ import annotations

import os
from functools import cache

import pytest

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]


def pg_base_url() -> str:
    return os.environ.get("BACKSPASM_TEST_PG_URL", PG_DEFAULT)


@cache
def _pg_unreachable(url: str) -> str | None:
    """None when the server at `url` answers, else why not."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except Exception as e:
        return f"PostgreSQL at {url} is unreachable: {type(e).__name__}: {str(e).splitlines()[0]}"
    finally:
        engine.dispose()


def require_postgres() -> None:
    """Skip (locally) or fail (CI=true) when the PostgreSQL server is not there."""
    why = _pg_unreachable(pg_base_url())
    if why is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(why + " (CI=true: PostgreSQL tests must run)")
    pytest.skip(why)
