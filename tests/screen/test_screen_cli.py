"""`backspasm screen`: every format in and out, bad rows marked, bad tables refused with no output left behind."""

from __future__ import annotations

import gzip
import json
import os
import random
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from screen_strategies import random_assessment
from screen_tables import arrow_table
from typer.testing import CliRunner, Result

from backspasm import assess, parse_assessment
from backspasm.cli import app
from backspasm.interop.questionnaire import assessment_to_response


def screen(*args: str) -> Result:
    return CliRunner().invoke(app, ["screen", *args])


def rows(n: int = 300, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [random_assessment(rng) for _ in range(n)]


def expected(row: dict[str, Any]) -> tuple[str, list[str], list[str]]:
    r = assess(parse_assessment(row))
    return r.urgency, [c.code for c in r.reasons], list(r.to_ask)


def read_output(path: Path) -> list[dict[str, Any]]:
    """Any output format back as dicts, lists as lists (CSV: ';'-joined)."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text().splitlines()]
    con = duckdb.connect()
    try:
        out = con.sql("SELECT * FROM read_csv(?, header = true, all_varchar = true)", params=[str(path)]).fetchall()
    finally:
        con.close()
    cols = ["id", "urgency", "reasons", "to_ask", "evidence", "error"]
    return [
        {k: (v.split(";") if k in ("reasons", "to_ask") and v else ([] if k in ("reasons", "to_ask") and v == "" else v))
         for k, v in zip(cols, r, strict=True)}
        for r in out
    ]


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize("out_ext", ["parquet", "csv", "jsonl"])
def test_a_parquet_intake_is_screened_row_for_row_as_assess_would(tmp_path: Path, out_ext: str) -> None:
    data = rows()
    src, out = tmp_path / "intake.parquet", tmp_path / f"triaged.{out_ext}"
    pq.write_table(arrow_table(data), src)
    result = screen(str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    got = read_output(out)
    assert len(got) == len(data)
    for i, (g, row) in enumerate(zip(got, data, strict=True)):
        assert str(g["id"]) == str(i)
        urgency, reasons, to_ask = expected(row)
        assert (g["urgency"], g["reasons"] or [], g["to_ask"] or []) == (urgency, reasons, to_ask)
        assert g["error"] in (None, "")
    assert "emergency" in result.stdout and "bad rows" in result.stdout
    assert leftovers(tmp_path) == []


def test_a_csv_intake_with_a_bad_row_keeps_going_and_counts_it(tmp_path: Path) -> None:
    src, out = tmp_path / "intake.csv", tmp_path / "out.csv"
    src.write_text(
        "id,hours_since_onset,pain,findings,denied,diary\n"
        "a,30,6,leg_tingling,,\n"
        "b,30,11,,,\n"
        'c,80,8,,saddle_numbness;chest_pain,"[{""hours_since_onset"": 2, ""pain"": 9}]"\n'
    )
    result = screen(str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    got = {r["id"]: r for r in read_output(out)}
    assert got["a"]["urgency"] == "urgent" and got["a"]["reasons"] == ["leg_tingling"]
    assert got["b"]["urgency"] in (None, "") and got["b"]["error"] == "pain: 11 is out of range (allowed: 0 to 10)"
    assert got["c"]["reasons"] == ["severe_pain", "not_improving"]
    assert "saddle_numbness" not in got["c"]["to_ask"]
    assert "│ bad rows (see error) │    1 │" in result.stdout


def test_strict_exits_2_naming_the_bad_rows_and_writes_nothing(tmp_path: Path) -> None:
    src, out = tmp_path / "intake.jsonl", tmp_path / "out.parquet"
    src.write_text('{"id": "x1", "hours_since_onset": 3, "pain": 2}\n'
                   '{"id": "x2", "hours_since_onset": 3, "pain": 2, "finding": []}\n')
    result = screen(str(src), "--out", str(out), "--strict")
    assert result.exit_code == 2
    assert "row x2: finding: unknown field (did you mean 'findings'?)" in result.stderr
    assert not out.exists() and leftovers(tmp_path) == []


def test_json_lines_keep_their_ids_and_rows_without_one_are_known_by_line(tmp_path: Path) -> None:
    src, out = tmp_path / "intake.jsonl.gz", tmp_path / "out.jsonl"
    with gzip.open(src, "wt") as f:
        f.write('{"id": 17, "hours_since_onset": 3, "pain": 8}\n\n{"hours_since_onset": 3, "pain": 2}\n')
    result = screen(str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    got = read_output(out)
    assert [(g["id"], g["urgency"]) for g in got] == [("17", "soon"), ("3", "self_care")]


def test_fhir_bulk_questionnaire_responses_are_screened(tmp_path: Path) -> None:
    data = rows(40, seed=5)
    src, out = tmp_path / "QuestionnaireResponse.ndjson", tmp_path / "out.parquet"
    lines = []
    for i, row in enumerate(data):
        qr = assessment_to_response(parse_assessment(row))
        lines.append(json.dumps({**qr, "id": f"qr-{i}"}))
    lines.append(json.dumps({"resourceType": "QuestionnaireResponse", "id": "broken", "status": "completed", "item": []}))
    src.write_text("\n".join(lines) + "\n")
    result = screen(str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    got = read_output(out)
    for g, row in zip(got[:-1], data, strict=True):
        assert g["urgency"] == expected(row)[0]
    assert got[-1]["id"] == "broken" and got[-1]["urgency"] is None and "pain" in got[-1]["error"]


def test_two_jobs_write_exactly_what_one_job_writes(tmp_path: Path) -> None:
    src = tmp_path / "intake.parquet"
    pq.write_table(arrow_table(rows(3000, seed=11)), src, row_group_size=500)
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    assert screen(str(src), "--out", str(one)).exit_code == 0
    from backspasm.screen import screen_file

    screen_file(str(src), str(two), jobs=2, chunk_rows=400)
    assert pq.read_table(one).equals(pq.read_table(two))


@pytest.mark.parametrize("ext", ["csv", "jsonl"])
def test_three_jobs_keep_the_input_order_and_the_bad_rows_of_sent_chunks(tmp_path: Path, ext: str) -> None:
    from backspasm.screen import screen_file

    data = rows(900, seed=5)
    data[7] = {**data[7], "pain": 12}
    src = tmp_path / f"intake.{ext}"
    if ext == "csv":
        con = duckdb.connect()
        try:
            con.register("t", arrow_table(data).drop_columns(["diary", "text"]))
            con.execute(f"COPY (SELECT * REPLACE (array_to_string(findings, ';') AS findings, array_to_string(denied, ';') "
                        f"AS denied, array_to_string(conditions, ';') AS conditions) FROM t) TO '{src}' (HEADER)")
        finally:
            con.close()
    else:
        src.write_text("".join(json.dumps({"id": i, **row}) + "\n" for i, row in enumerate(data)))
    one, three = tmp_path / "one.parquet", tmp_path / "three.parquet"
    screen_file(str(src), str(one), chunk_rows=100)
    summary = screen_file(str(src), str(three), jobs=3, chunk_rows=100)
    assert pq.read_table(one).equals(pq.read_table(three))
    assert summary.errors == 1 and summary.first_errors[0][0] == "7"


def test_a_piece_a_worker_cannot_read_is_bad_input_in_the_parent(tmp_path: Path) -> None:
    from backspasm.contract import BadInput
    from backspasm.screen.reading import RowRange
    from backspasm.screen.run import _batch, _screen_piece

    failed = _screen_piece(RowRange(str(tmp_path / "gone.parquet"), 0, 10))
    with pytest.raises(BadInput, match=r"cannot read .*gone\.parquet as Parquet after row 0"):
        _batch(failed)


def test_the_parquet_output_reads_back_as_plain_text_and_lists_of_text(tmp_path: Path) -> None:
    src, out = tmp_path / "intake.parquet", tmp_path / "out.parquet"
    pq.write_table(arrow_table(rows(50)), src)
    assert screen(str(src), "--out", str(out)).exit_code == 0
    schema = pq.read_table(out).schema
    assert schema.field("urgency").type == pa.string() and schema.field("error").type == pa.string()
    for name in ("reasons", "to_ask"):
        assert pa.types.is_list(schema.field(name).type) and schema.field(name).type.value_type == pa.string()


def test_the_row_count_for_the_progress_bar_comes_from_the_file(tmp_path: Path) -> None:
    from backspasm.screen.reading import Source

    parquet, csv = tmp_path / "a.parquet", tmp_path / "a.csv"
    pq.write_table(arrow_table(rows(250)), parquet, row_group_size=100)
    csv.write_text("hours_since_onset,pain\n1,2\n3,4\n")
    for path, n in ((parquet, 250), (csv, 2)):
        src = Source.open(str(path))
        try:
            assert src.count() == n
        finally:
            src.close()
    src = Source.open(str(parquet))
    try:
        ranges = [(r.start, r.stop) for r in src.ranges(100) or []]
    finally:
        src.close()
    assert ranges == [(0, 100), (100, 200), (200, 250)]  # on the row groups' edges


def _refused(tmp_path: Path, src: Path, *messages: str, out_name: str = "out.parquet") -> None:
    out = tmp_path / out_name
    result = screen(str(src), "--out", str(out))
    assert result.exit_code == 2, result.output
    for m in messages:
        assert m in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() and leftovers(tmp_path) == []


def test_missing_and_unknown_columns_are_named_with_the_near_miss(tmp_path: Path) -> None:
    src = tmp_path / "intake.csv"
    src.write_text("id,hours,pain,finding,Conditions\n1,3,4,fever,\n")
    _refused(tmp_path, src,
             "hours: unknown column (did you mean 'hours_since_onset'?)",
             "finding: unknown column (did you mean 'findings'?)",
             "Conditions: unknown column (did you mean 'conditions'?)",
             "hours_since_onset: required column is missing")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pa.table({"hours_since_onset": ["3"], "pain": [4]}), "hours_since_onset: column must hold numbers, got string"),
        (pa.table({"hours_since_onset": [3.0], "pain": [4.0]}), "pain: column must hold integers, got double (cast it"),
        (pa.table({"hours_since_onset": [3.0], "pain": [4], "findings": [1]}), "findings: column must hold lists of codes"),
        (pa.table({"hours_since_onset": [3.0], "pain": [4], "diary": [[{"hours": 1.0, "pain": 2}]]}),
         "diary.hours: unknown field (did you mean 'hours_since_onset'?)"),
        (pa.table({"hours_since_onset": [3.0], "pain": [4], "text": [5]}), "text: column must hold text, got int64"),
    ],
    ids=["hours-text", "pain-double", "findings-int", "diary-field", "text-int"],
)
def test_a_parquet_schema_that_does_not_match_is_refused_naming_the_column(tmp_path: Path, table: pa.Table,
                                                                          message: str) -> None:
    src = tmp_path / "intake.parquet"
    pq.write_table(table, src)
    _refused(tmp_path, src, message)


def test_an_unreadable_or_missing_file_is_bad_input(tmp_path: Path) -> None:
    garbage = tmp_path / "intake.parquet"
    garbage.write_bytes(b"this is not parquet")
    _refused(tmp_path, garbage, f"cannot read {garbage} as Parquet")
    _refused(tmp_path, tmp_path / "nowhere.csv", "no such file")
    array = tmp_path / "batch.json"
    array.write_text('[{"hours_since_onset": 3, "pain": 2}]')
    _refused(tmp_path, array, "holds a JSON array; screen takes one object per line")
    odd = tmp_path / "intake.xlsx"
    odd.write_text("x")
    _refused(tmp_path, odd, "cannot tell the format")


def test_a_failed_run_leaves_an_earlier_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    out.write_bytes(b"yesterday's results")
    src = tmp_path / "intake.csv"
    src.write_text("hours_since_onset,pain,findngs\n3,4,fever\n")
    assert screen(str(src), "--out", str(out)).exit_code == 2
    assert out.read_bytes() == b"yesterday's results" and leftovers(tmp_path) == []


def test_an_output_that_cannot_be_written_is_bad_input(tmp_path: Path) -> None:
    src = tmp_path / "intake.csv"
    src.write_text("hours_since_onset,pain\n3,4\n")
    result = screen(str(src), "--out", str(tmp_path / "no" / "such" / "dir" / "out.csv"))
    assert result.exit_code == 2 and "cannot write" in result.stderr
    result = screen(str(src), "--out", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 2 and "cannot tell the output format" in result.stderr


def test_screen_reads_text_and_shows_the_evidence(tmp_path: Path) -> None:
    src, out = tmp_path / "inbox.csv", tmp_path / "out.jsonl"
    src.write_text('id,hours_since_onset,pain,text\nm1,5,3,"Fell off a ladder this morning, legs feel numb on both sides"\n')
    assert screen(str(src), "--out", str(out)).exit_code == 0
    [row] = read_output(out)
    assert row["urgency"] == "emergency"
    assert {e["code"] for e in row["evidence"]} >= {"major_trauma"}


def test_an_empty_intake_writes_an_empty_table(tmp_path: Path) -> None:
    src, out = tmp_path / "intake.csv", tmp_path / "out.parquet"
    src.write_text("id,hours_since_onset,pain\n")
    result = screen(str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).num_rows == 0
    assert os.path.getsize(out) > 0


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_an_unsure_answer_counts_as_present_in_every_format(tmp_path: Path, fmt: str) -> None:
    data = [
        {"id": "u1", "hours_since_onset": 5.0, "pain": 2, "unsure": ["saddle_numbness"]},
        {"id": "u2", "hours_since_onset": 5.0, "pain": 2, "denied": ["fever"], "unsure": ["fever"]},
        {"id": "u3", "hours_since_onset": 5.0, "pain": 2, "unsure": []},
    ]
    src, out = tmp_path / f"intake.{fmt}", tmp_path / "out.jsonl"
    if fmt == "csv":
        src.write_text("id,hours_since_onset,pain,denied,unsure\nu1,5,2,,saddle_numbness\nu2,5,2,fever,fever\nu3,5,2,,\n")
    elif fmt == "jsonl":
        src.write_text("".join(json.dumps(r) + "\n" for r in data))
    else:
        table = pa.table({
            "id": [r["id"] for r in data],
            "hours_since_onset": [r["hours_since_onset"] for r in data],
            "pain": [r["pain"] for r in data],
            "denied": [r.get("denied") for r in data],
            "unsure": [r["unsure"] for r in data],
        })
        pq.write_table(table, src)
    result = screen(str(src), "--out", str(out))
    assert result.exit_code == 0, result.output
    got = {r["id"]: r for r in read_output(out)}
    assert (got["u1"]["urgency"], got["u1"]["reasons"]) == ("emergency", ["saddle_numbness"])
    assert (got["u2"]["urgency"], got["u2"]["reasons"]) == ("urgent", ["fever"])
    assert got["u3"]["urgency"] == "self_care"
