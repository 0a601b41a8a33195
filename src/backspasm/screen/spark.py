"""`backspasm screen --engine spark`: the same screen as a PySpark job, for an intake one machine cannot hold.

Spark reads the input (CSV with every cell as text, Parquet with its types, JSON Lines and
FHIR NDJSON as lines), checks its columns once on the driver with the same rules as the local
run, and screens each partition with `mapInArrow` over the same row code (rows.py): each Python
worker builds one Screener, and the text reader loads at most once in it, on the first text.
Output is Spark's usual folder of part files, written under a temporary name and renamed into
place; the summary is counted from what was written.

As a cluster job (see the README for the full recipe):
    spark-submit --master yarn .../backspasm/screen/spark.py s3://bucket/intake/ s3://bucket/triaged/ --from parquet
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ..contract import BadInput
from .columns import check_schema
from .reading import INPUT_FORMATS, detect
from .rows import output_schema
from .run import FIRST_ERRORS, StrictFailure, Summary
from .writing import OUTPUT_FORMATS, flat
from .writing import detect as detect_output


def session(master: str | None = None, **conf: str) -> Any:
    """A SparkSession (the active one, spark-submit's, or a new one on `master`) whose workers run this Python."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise BadInput([("", "--engine spark needs PySpark: pip install 'backspasm[spark]'")]) from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("backspasm-screen").config("spark.ui.showConsoleProgress", "false")
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started us: its master and settings rule
    if master is None and not submitted:
        master = "local[*]"
    if master:
        builder = builder.master(master)
    if master and master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _input_format(path: str, kind: str | None) -> str:
    if kind is not None:
        if kind not in INPUT_FORMATS:
            raise BadInput([("", f"unknown input format '{kind}'; allowed: {', '.join(INPUT_FORMATS)}")])
        return kind
    if os.path.isfile(path):
        return detect(path)
    raise BadInput([("", f"say --from csv|jsonl|parquet|fhir for {path} (a folder or a remote path has no format of its own)")])


def _screen_partition(kind: str, out_kind: str) -> Any:
    """The function mapInArrow runs in each Python worker (pickled; imports on the executor)."""

    def screen(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from backspasm.screen.rows import plain
        from backspasm.screen.run import _process_screener
        from backspasm.screen.writing import flat as flatten

        s = _process_screener()
        for batch in batches:
            if kind in ("jsonl", "fhir"):
                out = s.lines(batch.column(0).to_pylist(), None, kind == "fhir")
            else:
                out = s.table(batch, 1, kind == "csv")
            yield flatten(out) if out_kind == "csv" else plain(out)

    return screen


def screen_spark(
    source: str,
    out: str,
    *,
    input_format: str | None = None,
    output_format: str | None = None,
    strict: bool = False,
    master: str | None = None,
    spark: Any = None,
) -> Summary:
    """Screen `source` into the folder `out` with Spark. Raises BadInput naming what is wrong."""
    import time

    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    started = time.perf_counter()
    kind = _input_format(source, input_format)
    out_kind = output_format or (detect_output(out) if os.path.splitext(out.rstrip("/"))[1] else "parquet")
    if out_kind not in OUTPUT_FORMATS:
        raise BadInput([("", f"unknown output format '{out_kind}'; allowed: {', '.join(OUTPUT_FORMATS)}")])
    own = spark is None
    spark = spark or session(master)
    try:
        df = _read(spark, source, kind)
        if kind in ("csv", "parquet"):
            schema = to_arrow_schema(df.schema)
            check_schema(schema, text_cells=kind == "csv", need_id=True)
            id_type = pa.string() if kind == "csv" else schema.field("id").type
        else:
            df = df.where(F.trim(F.col("value")) != "")
            id_type = pa.string()
        result_schema = output_schema(id_type)
        if out_kind == "csv":
            result_schema = flat(pa.RecordBatch.from_pylist([], schema=result_schema)).schema
        df = _spread(spark, df, carries_words=kind in ("jsonl", "fhir") or "text" in df.columns)
        screened = df.mapInArrow(_screen_partition(kind, out_kind), from_arrow_schema(result_schema))
        temp = f"{out.rstrip('/')}.{uuid.uuid4().hex[:12]}.partial"
        writer = screened.write.mode("error")
        {"parquet": lambda: writer.parquet(temp), "csv": lambda: writer.csv(temp, header=True),
         "jsonl": lambda: writer.json(temp)}[out_kind]()
        summary = _summary(spark, temp, out_kind)
        fs = _FileSystem(spark, temp)
        if strict and summary.errors:
            fs.delete(temp)
            raise StrictFailure(summary)
        fs.delete(out)
        fs.rename(temp, out)
    finally:
        if own:
            spark.stop()
    summary.seconds = time.perf_counter() - started
    return summary


def _spread(spark: Any, df: Any, *, carries_words: bool) -> Any:
    """Rows that may carry words cost the reader milliseconds each, so they are spread over every core
    the session has, even when the file is small enough to be a single split (which would leave one
    core reading them all). Structured rows cost microseconds and keep the splits Spark chose."""
    cores = spark.sparkContext.defaultParallelism
    if carries_words and df.rdd.getNumPartitions() < cores:
        return df.repartition(cores)
    return df


def _read(spark: Any, source: str, kind: str) -> Any:
    from pyspark.errors import AnalysisException

    try:
        if kind == "csv":
            return spark.read.csv(source, header=True, inferSchema=False, enforceSchema=False)
        if kind == "parquet":
            return spark.read.parquet(source)
        return spark.read.text(source)
    except AnalysisException as e:
        raise BadInput([("", f"cannot read {source} as {kind}: {str(e).splitlines()[0]}")]) from None


def _summary(spark: Any, path: str, out_kind: str) -> Summary:
    from pyspark.sql import functions as F

    reader = spark.read
    df = reader.parquet(path) if out_kind == "parquet" else (
        reader.csv(path, header=True) if out_kind == "csv" else reader.json(path))
    summary = Summary()
    for row in df.groupBy("urgency").count().collect():
        n = int(row["count"])
        summary.rows += n
        if row["urgency"] is None:
            summary.errors += n
        else:
            summary.by_urgency[row["urgency"]] += n
    if summary.errors:
        bad = df.where(F.col("error").isNotNull()).select("id", "error").limit(FIRST_ERRORS).collect()
        summary.first_errors = [(str(r["id"]), str(r["error"])) for r in bad]
    return summary


class _FileSystem:
    """Hadoop's FileSystem for the output's scheme (local, HDFS, S3...), for the final rename."""

    def __init__(self, spark: Any, path: str):
        jvm = spark.sparkContext._jvm
        self._path = jvm.org.apache.hadoop.fs.Path
        self._fs = self._path(path).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())

    def delete(self, path: str) -> None:
        self._fs.delete(self._path(path), True)

    def rename(self, src: str, dst: str) -> None:
        if not self._fs.rename(self._path(src), self._path(dst)):
            raise BadInput([("", f"cannot move the finished output into place at {dst}")])


def main(argv: list[str] | None = None) -> int:
    """Entry point for spark-submit: INPUT OUTPUT [--from FORMAT] [--to FORMAT] [--strict]."""
    p = argparse.ArgumentParser(prog="backspasm-screen-spark", description="Screen an intake with Spark.")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--from", dest="input_format", choices=INPUT_FORMATS)
    p.add_argument("--to", dest="output_format", choices=OUTPUT_FORMATS)
    p.add_argument("--strict", action="store_true")
    args = p.parse_args(argv)
    try:
        s = screen_spark(args.input, args.output, input_format=args.input_format, output_format=args.output_format,
                         strict=args.strict)
    except BadInput as e:
        sys.stderr.write(f"backspasm: bad input: {e}\n")
        return 2
    counts = ", ".join(f"{level} {n}" for level, n in s.counts())
    print(f"screened {s.rows} rows: {counts}, bad {s.errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
