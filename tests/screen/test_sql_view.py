"""`knowledge --sql`: the compiled view triages exactly as the engine does, on DuckDB and PostgreSQL."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from screen_strategies import batches, maybe_bad
from screen_tables import arrow_table, engine_triage, expected_outcome
from typer.testing import CliRunner

from backspasm.cli import app
from backspasm.screen.sql import DIALECTS, view_sql
from dbsupport import pg_base_url, require_postgres

BATCH = 1_000
EXAMPLES = 100  # 100 examples x 1,000 inputs: the view agrees with the engine on 100,000 inputs per database
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def _disagreements(rows: list[dict[str, Any]], got: list[tuple[Any, ...]]) -> list[str]:
    want = engine_triage(rows)
    out = []
    for (i, urgency, reasons, error), (w_urgency, w_reasons) in zip(sorted(got), want, strict=True):
        if (urgency, list(reasons or []), error) != (w_urgency, w_reasons, None):
            out.append(f"{json.dumps(rows[i])}: view {urgency} {reasons} {error}, engine {w_urgency} {w_reasons}")
    return out


def _duck_triage(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    table = arrow_table(rows)
    con.register("incoming", table)
    con.execute("CREATE OR REPLACE TABLE backspasm_input AS SELECT * FROM incoming")
    con.unregister("incoming")
    con.execute(view_sql("duckdb"))
    return con.execute("SELECT id, urgency, reasons, error FROM backspasm_triage").fetchall()


Differences = Callable[[list[dict[str, Any]], list[tuple[Any, ...]]], list[str]]


def _on_duckdb(rows: list[dict[str, Any]], differences: Differences) -> None:
    """Triage `rows` with the view in a fresh DuckDB and fail on any of the `differences` found."""
    con = duckdb.connect()
    try:
        bad = differences(rows, _duck_triage(con, rows))
    finally:
        con.close()
    assert not bad, "\n".join(bad[:5])


@SETTINGS
@given(batches(BATCH))
def test_the_duckdb_view_agrees_with_the_engine(rows: list[dict[str, Any]]) -> None:
    _on_duckdb(rows, _disagreements)


class _Postgres:
    """A schema of its own on the test server, dropped at the end."""

    def __init__(self) -> None:
        import psycopg

        require_postgres()
        self.schema = f"t_{uuid.uuid4().hex[:16]}"
        self.conn = psycopg.connect(pg_base_url().replace("+psycopg", ""), autocommit=True)
        self.conn.execute(f'CREATE SCHEMA "{self.schema}"')
        self.conn.execute(f'SET search_path TO "{self.schema}"')
        self.conn.execute(
            "CREATE TABLE backspasm_input (id bigint, hours_since_onset float8, pain int, age int, findings text[], "
            "denied text[], conditions text[], diary jsonb, text text, locale text)"
        )
        self.conn.execute(view_sql("postgres"))

    def triage(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        from psycopg.types.json import Jsonb

        cols = ("hours_since_onset", "pain", "age", "findings", "denied", "conditions", "diary", "text", "locale")
        with self.conn.transaction():
            self.conn.execute("TRUNCATE backspasm_input")
            with self.conn.cursor().copy(f"COPY backspasm_input (id, {', '.join(cols)}) FROM STDIN") as copy:
                for i, row in enumerate(rows):
                    values = [row.get(c) for c in cols]
                    values[6] = None if values[6] is None else Jsonb(values[6])
                    copy.write_row([i, *values])
        return self.conn.execute("SELECT id, urgency, reasons, error FROM backspasm_triage").fetchall()

    def close(self) -> None:
        self.conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        self.conn.close()


def _on_postgres(strategy: st.SearchStrategy[list[dict[str, Any]]], differences: Differences, examples: int,
                 storable: Callable[[dict[str, Any]], bool] = lambda row: True) -> None:
    """Triage each batch Hypothesis draws with the view on the test server and fail on any of the
    `differences` found (rows the table cannot hold are left out)."""
    pg = _Postgres()

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def agree(rows: list[dict[str, Any]]) -> None:
        rows = [r for r in rows if storable(r)]
        bad = differences(rows, pg.triage(rows))
        assert not bad, "\n".join(bad[:5])

    try:
        agree()
    finally:
        pg.close()


@pytest.mark.postgres
def test_the_postgres_view_agrees_with_the_engine() -> None:
    _on_postgres(batches(BATCH), _disagreements, EXAMPLES)


def _refusals_disagree(rows: list[dict[str, Any]], got: list[tuple[Any, ...]]) -> list[str]:
    """Where the view and the contract differ on a row that may be broken: a refused row must get no
    urgency and an error, an accepted row the engine's answer. (Which fault is named may differ when a
    row has several: the contract checks the diary against the row's hour only once each field is valid.)"""
    out = []
    for (_, urgency, reasons, error), row in zip(sorted(got), rows, strict=True):
        w_urgency, w_reasons, _, w_error = expected_outcome(row)
        if w_error is None:
            ok = (urgency, list(reasons or []), error) == (w_urgency, w_reasons, None)
        else:
            ok = urgency is None and reasons is None and error is not None
        if not ok:
            out.append(f"{row}: view {urgency} {reasons} {error}; contract {w_urgency} {w_reasons} {w_error}")
    return out


MAYBE_BAD = st.lists(maybe_bad(), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(MAYBE_BAD)
@example([{"hours_since_onset": 0.0, "pain": 0, "diary": [{"hours_since_onset": 1.0, "pain": 3}], "locale": "fr-FR"}])
def test_the_duckdb_view_refuses_exactly_the_rows_the_contract_refuses(rows: list[dict[str, Any]]) -> None:
    _on_duckdb(rows, _refusals_disagree)


@pytest.mark.postgres
def test_the_postgres_view_refuses_exactly_the_rows_the_contract_refuses() -> None:
    # jsonb holds no NaN: a diary with one cannot be stored in the table the view reads.
    _on_postgres(MAYBE_BAD, _refusals_disagree, 150,
                 storable=lambda row: all(math.isfinite(e["hours_since_onset"]) for e in row.get("diary") or ()))


REFUSED = [
    ({"hours_since_onset": 10, "pain": 11}, "pain: out of range"),
    ({"hours_since_onset": 9000, "pain": 3}, "hours_since_onset: out of range"),
    ({"pain": 3}, "hours_since_onset: required field is missing"),
    ({"hours_since_onset": 10, "pain": 3, "age": 130}, "age: out of range"),
    ({"hours_since_onset": 10, "pain": 3, "findings": ["fevr"]}, "findings: unknown finding code"),
    ({"hours_since_onset": 2000, "pain": 3, "findings": ["long_duration"]}, "findings: unknown finding code"),
    ({"hours_since_onset": 10, "pain": 3, "findings": ["fever", "fever"]}, "findings: a code is listed more than once"),
    ({"hours_since_onset": 10, "pain": 3, "denied": ["nope"]}, "denied: unknown finding code"),
    ({"hours_since_onset": 10, "pain": 3, "conditions": ["asthma"]}, "conditions: unknown condition code"),
    ({"hours_since_onset": 10, "pain": 3, "diary": [{"hours_since_onset": 11, "pain": 3}]}, "diary: an entry"),
    ({"hours_since_onset": 10, "pain": 3, "locale": "fr-FR"}, "locale: unknown locale"),
    # A missing element, or one bad entry among good ones, is as wrong as a bad list.
    ({"hours_since_onset": 10, "pain": 3, "findings": ["fever", None]}, "findings: unknown finding code"),
    ({"hours_since_onset": 10, "pain": 3, "findings": ["fever", "fevr"]}, "findings: unknown finding code"),
    ({"hours_since_onset": 10, "pain": 3, "denied": ["fever", None]}, "denied: unknown finding code"),
    ({"hours_since_onset": 2000, "pain": 3, "denied": ["long_duration"]}, "denied: unknown finding code"),
    ({"hours_since_onset": 10, "pain": 3, "conditions": ["pregnancy", None]}, "conditions: unknown condition code"),
    ({"hours_since_onset": 10, "pain": 3, "diary": [{"hours_since_onset": 2, "pain": 3}, None]}, "diary: an entry"),
    ({"hours_since_onset": 10, "pain": 3, "diary": [{"hours_since_onset": None, "pain": 3}]}, "diary: an entry"),
    ({"hours_since_onset": 10, "pain": 3, "diary": [{"hours_since_onset": 2, "pain": None}]}, "diary: an entry"),
    ({"hours_since_onset": 10, "pain": 3, "diary": [{"hours_since_onset": 2, "pain": 3},
                                                    {"hours_since_onset": 4, "pain": -1}]}, "diary: an entry"),
]


@pytest.mark.parametrize(("row", "message"), REFUSED, ids=[m.split(":")[0] + str(i) for i, (_, m) in enumerate(REFUSED)])
def test_a_row_the_contract_refuses_gets_no_urgency_and_an_error_in_duckdb(row: dict[str, Any], message: str) -> None:
    con = duckdb.connect()
    try:
        [(_, urgency, reasons, error)] = _duck_triage(con, [row])
    finally:
        con.close()
    assert urgency is None and reasons is None
    assert error.startswith(message)


@pytest.mark.postgres
def test_a_row_the_contract_refuses_gets_no_urgency_and_an_error_in_postgres() -> None:
    pg = _Postgres()
    try:
        got = pg.triage([row for row, _ in REFUSED])
    finally:
        pg.close()
    for (_, urgency, _, error), (_, message) in zip(sorted(got), REFUSED, strict=True):
        assert urgency is None and error.startswith(message)


def test_rows_with_text_are_marked_unread_because_the_view_reads_structured_columns_only() -> None:
    con = duckdb.connect()
    try:
        con.register("incoming", arrow_table([
            {"hours_since_onset": 10, "pain": 3, "text": "I cannot control my bladder"},
            {"hours_since_onset": 10, "pain": 3, "text": "  "},
        ]))
        con.execute("CREATE TABLE backspasm_input AS SELECT * FROM incoming")
        con.execute(view_sql("duckdb"))
        got = con.execute("SELECT urgency, unread_text FROM backspasm_triage ORDER BY id").fetchall()
    finally:
        con.close()
    assert got == [("self_care", True), ("self_care", False)]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_knowledge_sql_prints_the_view_for_each_dialect(dialect: str) -> None:
    out = CliRunner().invoke(app, ["knowledge", "--sql", dialect])
    assert out.exit_code == 0
    assert "CREATE OR REPLACE VIEW backspasm_triage" in out.stdout
    assert "NOT read" in out.stdout  # it says it does not read text


def test_knowledge_sql_refuses_an_unknown_dialect() -> None:
    out = CliRunner().invoke(app, ["knowledge", "--sql", "oracle"])
    assert out.exit_code == 2
    assert "unknown SQL dialect 'oracle'" in out.stderr
