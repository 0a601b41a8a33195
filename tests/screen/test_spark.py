"""`--engine spark` on local[2]: the same rows, the same answers, the same refusals; the view in Spark SQL.

One SparkSession per test process (the `spark` fixture in conftest.py: starting Java takes seconds),
files kept small.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from screen_strategies import random_assessment
from screen_tables import arrow_table, engine_triage

from backspasm.contract import BadInput
from backspasm.screen import screen_file
from backspasm.screen.sql import view_sql

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.xdist_group("spark")]


def _rows(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [random_assessment(rng) for _ in range(n)]


def _part_rows(folder: Path) -> list[dict[str, Any]]:
    return pq.read_table(folder).to_pylist()


def test_spark_screens_a_parquet_intake_exactly_as_the_local_run(spark: Any, tmp_path: Path) -> None:
    from backspasm.screen.spark import screen_spark

    data = [dict(row) for row in _rows(600, seed=21)]
    data[5] = {**data[5], "pain": 12}
    data[9] = {**data[9], "text": "sudden numbness around my bottom and genitals"}
    src = tmp_path / "intake.parquet"
    pq.write_table(arrow_table(data), src, row_group_size=200)
    local = tmp_path / "local.parquet"
    screen_file(str(src), str(local))
    summary = screen_spark(str(src), str(tmp_path / "spark"), spark=spark)
    got = sorted(_part_rows(tmp_path / "spark"), key=lambda r: r["id"])
    assert got == pq.read_table(local).to_pylist()
    assert summary.rows == 600 and summary.errors == 1
    assert summary.first_errors[0][0] == "5"
    assert got[9]["urgency"] == "emergency" and got[9]["evidence"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_spark_reads_csv_and_json_lines_and_writes_csv_and_json(spark: Any, tmp_path: Path) -> None:
    from backspasm.screen.spark import screen_spark

    csv = tmp_path / "intake.csv"
    csv.write_text("id,hours_since_onset,pain,findings\na,30,6,leg_tingling;injury\nb,30,11,\n")
    s = screen_spark(str(csv), str(tmp_path / "csv_out"), output_format="csv", spark=spark)
    assert (s.rows, s.errors, s.by_urgency["urgent"]) == (2, 1, 1)
    text = "".join(p.read_text() for p in sorted((tmp_path / "csv_out").glob("part-*.csv")))
    assert "leg_tingling;injury" in text and "pain: 11 is out of range" in text

    jsonl = tmp_path / "intake.jsonl"
    jsonl.write_text('{"id": "j1", "hours_since_onset": 3, "pain": 8}\n\n{"hours_since_onset": 3, "pain": 2, "pain": 3}\n')
    s = screen_spark(str(jsonl), str(tmp_path / "json_out"), output_format="jsonl", spark=spark)
    assert (s.rows, s.errors, s.by_urgency["soon"]) == (2, 1, 1)
    assert "appears more than once" in s.first_errors[0][1]


def test_spark_refuses_a_table_without_ids_or_with_unknown_columns_and_writes_nothing(spark: Any, tmp_path: Path) -> None:
    from backspasm.screen.spark import screen_spark

    csv = tmp_path / "intake.csv"
    csv.write_text("hours_since_onset,pain,finding\n3,4,fever\n")
    with pytest.raises(BadInput) as e:
        screen_spark(str(csv), str(tmp_path / "out"), output_format="parquet", spark=spark)
    text = str(e.value)
    assert "id: required column is missing" in text and "finding: unknown column (did you mean 'findings'?)" in text
    assert not (tmp_path / "out").exists()


def test_the_spark_sql_view_agrees_with_the_engine(spark: Any) -> None:
    data = _rows(1500, seed=31)
    df = spark.createDataFrame(arrow_table(data).to_pandas())
    df.createOrReplaceTempView("backspasm_input")
    spark.sql(view_sql("spark").replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMPORARY VIEW"))
    got = sorted(spark.sql("SELECT id, urgency, reasons, error FROM backspasm_triage").collect(), key=lambda r: r["id"])
    want = engine_triage(data)
    bad = [(data[r["id"]], r, w) for r, w in zip(got, want, strict=True)
           if (r["urgency"], list(r["reasons"] or []), r["error"]) != (w[0], w[1], None)]
    assert not bad, bad[:3]


def test_spark_spreads_a_small_file_of_rows_with_words_over_every_core(spark: Any, tmp_path: Path) -> None:
    from backspasm.screen.spark import screen_spark

    # One row group, so one split: without spreading, one core would read every message.
    data = [{"id": i, "hours_since_onset": 20, "pain": 4, "text": "my lower back went into spasm lifting a box"}
            for i in range(40)]
    data[7] = {**data[7], "text": "I can't feel the inside of my thighs and I've wet myself"}
    src = tmp_path / "inbox.parquet"
    pq.write_table(arrow_table(data), src)
    assert pq.ParquetFile(src).num_row_groups == 1
    summary = screen_spark(str(src), str(tmp_path / "out"), spark=spark)
    parts = [p for p in (tmp_path / "out").glob("part-*.parquet") if pq.read_metadata(p).num_rows]
    assert len(parts) == 2  # the session's two cores each read some
    got = {r["id"]: r for r in _part_rows(tmp_path / "out")}
    assert summary.rows == 40 and sorted(got) == list(range(40))
    assert got[7]["urgency"] == "emergency"


def test_spark_keeps_the_splits_of_structured_rows(spark: Any, tmp_path: Path) -> None:
    from backspasm.screen.spark import screen_spark

    src = tmp_path / "forms.parquet"
    pq.write_table(arrow_table([{k: v for k, v in r.items() if k != "text"} for r in _rows(50, seed=4)]).drop_columns(["text"]),
                   src)
    screen_spark(str(src), str(tmp_path / "out"), spark=spark)
    parts = [p for p in (tmp_path / "out").glob("part-*.parquet") if pq.read_metadata(p).num_rows]
    assert len(parts) == 1  # microseconds a row: not worth a shuffle
