"""The quick reader of `backspasm status` answers exactly as the store does, or leaves the answer to the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Boolean, DateTime, TypeDecorator
from sqlalchemy.types import JSON

from backspasm.diary import quick
from backspasm.diary.models import metadata
from backspasm.diary.status import status_of
from backspasm.diary.store import Store, open_store

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _diary(tmp_path: Path) -> tuple[str, Store, int, int]:
    url = f"sqlite:///{tmp_path / 'quick.db'}"
    store = open_store(url)
    uid = store.local_user().id
    ep, _ = store.start_episode(uid, {"hours_since_onset": 2, "pain": 6, "findings": ["leg_tingling"]}, started_at=START,
                                zone="Europe/Berlin")
    store.add_checkin(uid, ep.id, 5, at=START + timedelta(hours=3), findings=["chest_pain"], note="é ✓")
    store.add_checkin(uid, ep.id, 4, at=START + timedelta(hours=4), gone=["leg_tingling", "chest_pain"],
                      tried={"heat": True})
    store.record_seen(uid, ep.id, at=START + timedelta(hours=6), note="seen")
    store.add_checkin(uid, ep.id, 8, at=START + timedelta(hours=80))
    return url, store, uid, ep.id


def test_the_quick_status_is_the_stores_status(tmp_path: Path) -> None:
    url, store, uid, eid = _diary(tmp_path)
    now = START + timedelta(hours=90)
    found = quick.read(None, url)
    assert found is not None
    rows, has_program = found
    assert not has_program
    assert status_of(rows, now).as_dict() == store.status(uid, eid, now=now).as_dict()
    assert quick.read(eid, url) is not None
    store.close()


def test_the_quick_reader_leaves_it_to_the_store_when_it_cannot_answer_the_same(tmp_path: Path) -> None:
    url, store, uid, eid = _diary(tmp_path)
    assert quick.read(eid + 1, url) is None  # no such episode: the store words the error
    assert quick.read(None, "postgresql+psycopg://x@127.0.0.1/db") is None
    assert quick.read(None, f"sqlite:///{tmp_path / 'missing.db'}") is None
    store.put_document(uid, "prevention.program", {"weeks": 6})
    assert quick.read(None, url, document="prevention.program")[1] is True  # type: ignore[index]
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE episodes SET course = NULL")
    assert quick.read(None, url) is None  # a course not stored yet is replayed by the store
    store.close()


def test_the_quick_reader_knows_the_stores_column_types_and_account() -> None:
    kinds: dict[str, set[str]] = {"datetime": set(), "json": set(), "bool": set()}
    for table in metadata.tables.values():
        for column in table.columns:
            t = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
            if isinstance(t, DateTime):
                kinds["datetime"].add(column.name)
            elif isinstance(t, JSON):
                kinds["json"].add(column.name)
            elif isinstance(t, Boolean):
                kinds["bool"].add(column.name)
    assert kinds == {"datetime": set(quick.DATETIMES), "json": set(quick.JSONS), "bool": set(quick.BOOLEANS)}


def test_status_runs_without_importing_sqlalchemy(tmp_path: Path) -> None:
    import subprocess
    import sys

    url, store, _, _ = _diary(tmp_path)
    store.close()
    code = ("import sys; from backspasm.cli import main; sys.argv = ['backspasm', 'status', '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('sqlalchemy' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"BACKSPASM_DATABASE_URL": url, "PATH": "/usr/bin:/bin"})
    assert out.stderr.strip() == "False" and '"urgency":"soon"' in out.stdout
