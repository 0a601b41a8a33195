"""Reading the intake: CSV and Parquet through DuckDB, JSON Lines and FHIR NDJSON line by line.

Everything streams in chunks, so memory stays flat whatever the file's size. DuckDB reads
tables (CSV with every cell as text, so a bad cell marks its row rather than turning the
whole column into text; Parquet with its own types, checked once against columns.py). For
several processes a Parquet file is cut into row ranges instead, and each process reads its
own ranges (DuckDB skips the row groups a range does not touch): no rows travel between them.
JSON Lines are read a line at a time because each line is one assessment object and is
validated exactly as `backspasm assess` validates one (a repeated key included, which a
columnar JSON reader would merge silently).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal

import pyarrow as pa

from ..contract import BadInput
from .columns import ID, check_schema

InputFormat = Literal["csv", "jsonl", "parquet", "fhir"]
INPUT_FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet", "fhir")
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
               ".parquet": "parquet", ".pq": "parquet"}
_LABEL = {"csv": "CSV", "jsonl": "JSON Lines", "parquet": "Parquet", "fhir": "FHIR NDJSON"}

TABLE_ROWS = 65_536  # structured rows per chunk
TEXT_ROWS = 2_048  # JSON lines per chunk (each may carry text: the reader takes milliseconds a row)
TEXT_TABLE_ROWS = 16_384  # table rows per chunk when the table has a text column


@dataclass(frozen=True)
class TableChunk:
    """Rows of a table, the first one's number (1-based), and whether cells arrive as text."""

    batch: pa.RecordBatch
    first_row: int
    text_cells: bool


@dataclass(frozen=True)
class LineChunk:
    """Lines of JSON Lines or FHIR NDJSON, with their line numbers."""

    lines: list[bytes]
    numbers: list[int]
    fhir: bool


@dataclass(frozen=True)
class RowRange:
    """Rows [start, stop) of a Parquet file (counted from 0), read by the process that screens them."""

    path: str
    start: int
    stop: int


Chunk = TableChunk | LineChunk


def _strip_gz(path: str) -> str:
    return path[:-3] if path.endswith(".gz") else path


def detect(path: str) -> InputFormat:
    """The input format from the file name; for .ndjson, from the first line (FHIR resources name their type)."""
    ext = os.path.splitext(_strip_gz(path).lower())[1]
    kind = _EXTENSIONS.get(ext)
    if kind is None:
        raise BadInput([("", f"cannot tell the format of {path} from its name; say --from csv|jsonl|parquet|fhir")])
    if kind == "jsonl":
        first = _first_line(path)
        if first is not None and first.lstrip().startswith(b"["):
            raise BadInput([("", f"{path} holds a JSON array; screen takes one object per line (JSON Lines), "
                                 "or give the array to `backspasm assess --json`")])
        if first is not None and _is_fhir(first):
            return "fhir"
    return kind  # type: ignore[return-value]


def _open_binary(path: str) -> IO[bytes]:
    try:
        if path.endswith(".gz"):
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return open(path, "rb")
    except FileNotFoundError:
        raise BadInput([("", f"no such file: {path}")]) from None
    except IsADirectoryError:
        raise BadInput([("", f"{path} is a directory")]) from None
    except OSError as e:
        raise BadInput([("", f"cannot read {path}: {e.strerror or e}")]) from None


def _first_line(path: str) -> bytes | None:
    with _open_binary(path) as f:
        try:
            for line in f:
                if line.strip():
                    return line
        except (OSError, EOFError) as e:
            raise BadInput([("", f"cannot read {path}: {e}")]) from None
    return None


def _is_fhir(line: bytes) -> bool:
    try:
        data = json.loads(line)
    except ValueError:
        return False
    return isinstance(data, dict) and "resourceType" in data


@dataclass
class Source:
    """An input file, checked and ready to stream."""

    path: str
    kind: InputFormat
    need_id: bool = False
    id_type: pa.DataType = field(default_factory=pa.int64)
    schema: pa.Schema | None = None
    _con: Any = None

    @classmethod
    def open(cls, path: str, kind: str | None = None, *, need_id: bool = False) -> Source:
        """Open and check an input; raises BadInput (TableError for column problems) naming what is wrong."""
        if kind is not None and kind not in INPUT_FORMATS:
            raise BadInput([("", f"unknown input format '{kind}'; allowed: {', '.join(INPUT_FORMATS)}")])
        if not os.path.exists(path):
            raise BadInput([("", f"no such file: {path}")])
        if os.path.isdir(path):
            raise BadInput([("", f"{path} is a directory")])
        src = cls(path, detect(path) if kind is None else kind, need_id)  # type: ignore[arg-type]
        if src.kind in ("csv", "parquet"):
            src.schema = src._describe()
            check_schema(src.schema, text_cells=src.kind == "csv", need_id=need_id)
            if ID in src.schema.names:
                src.id_type = src.schema.field(ID).type
        else:
            src.id_type = pa.string()
        return src

    @property
    def label(self) -> str:
        return _LABEL[self.kind]

    # ---- DuckDB tables ----

    def _connection(self) -> Any:
        if self._con is None:
            import duckdb

            self._con = duckdb.connect(config={"threads": 2, "memory_limit": "128MB", "preserve_insertion_order": True})
            self._con.execute("SET enable_progress_bar = false")
        return self._con

    def _from(self) -> str:
        if self.kind == "csv":
            return "read_csv(?, header = true, all_varchar = true)"
        return "read_parquet(?)"

    def _query(self, sql: str) -> Any:
        import duckdb

        try:
            return self._connection().sql(sql.format(source=self._from()), params=[self.path])
        except duckdb.Error as e:
            raise BadInput([("", f"cannot read {self.path} as {self.label}: {_first_line_of(e)}")]) from None

    def _describe(self) -> pa.Schema:
        import duckdb

        rel = self._query("SELECT * FROM {source} LIMIT 0")
        try:
            return rel.to_arrow_table().schema
        except duckdb.Error as e:
            raise BadInput([("", f"cannot read {self.path} as {self.label}: {_first_line_of(e)}")]) from None

    def count(self) -> int | None:
        """How many rows the input holds (Parquet: from its metadata; others: one fast pass)."""
        if self.kind in ("csv", "parquet"):
            import duckdb

            try:
                rows = self._query("SELECT count(*) FROM {source}").fetchall()
            except duckdb.Error:
                return None
            return int(rows[0][0]) if rows else None
        n = 0
        with _open_binary(self.path) as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                n += block.count(b"\n")
        return n

    def has_text(self) -> bool:
        return self.kind in ("jsonl", "fhir") or (self.schema is not None and "text" in self.schema.names)

    def chunks(self, rows: int | None = None) -> Iterator[Chunk]:
        """The input in order, a chunk at a time."""
        size = rows or (TEXT_ROWS if self.kind in ("jsonl", "fhir") else TEXT_TABLE_ROWS if self.has_text() else TABLE_ROWS)
        if self.kind in ("jsonl", "fhir"):
            yield from self._line_chunks(size)
            return
        yield from self._table_chunks(size)

    def ranges(self, rows: int | None = None) -> Iterator[RowRange] | None:
        """The input as row ranges for processes that read their own (Parquet only; None for the others).
        A range ends on a row group's edge where it can (a group read in parts is decoded in parts)."""
        if self.kind != "parquet":
            return None
        size = rows or (TEXT_TABLE_ROWS if self.has_text() else TABLE_ROWS)
        ends = _group_ends(self.path)
        if ends is None:
            total = self.count()
            if total is None:
                return None
            ends = [*range(size, total, size), total]
        return _ranges(self.path, ends, size)

    def _table_chunks(self, size: int) -> Iterator[TableChunk]:
        import duckdb

        reader = self._query("SELECT * FROM {source}").to_arrow_reader(size)
        first = 1
        try:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                except (duckdb.Error, pa.ArrowException) as e:
                    raise BadInput([("", f"cannot read {self.path} as {self.label} after row {first - 1}: "
                                         f"{_first_line_of(e)}")]) from None
                if batch.num_rows:
                    yield TableChunk(batch, first, self.kind == "csv")
                    first += batch.num_rows
        finally:
            reader.close()

    def _line_chunks(self, size: int) -> Iterator[LineChunk]:
        lines: list[bytes] = []
        numbers: list[int] = []
        fhir = self.kind == "fhir"
        with _open_binary(self.path) as f:
            try:
                for number, line in enumerate(f, start=1):
                    if not line.strip():
                        continue
                    lines.append(line)
                    numbers.append(number)
                    if len(lines) >= size:
                        yield LineChunk(lines, numbers, fhir)
                        lines, numbers = [], []
            except (OSError, EOFError) as e:
                raise BadInput([("", f"cannot read {self.path}: {e}")]) from None
        if lines:
            yield LineChunk(lines, numbers, fhir)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def _group_ends(path: str) -> list[int] | None:
    """Where each row group of a Parquet file ends (its footer says), or None when it cannot be read here."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        return None
    ends, n = [], 0
    for i in range(meta.num_row_groups):
        n += meta.row_group(i).num_rows
        ends.append(n)
    return ends


def _ranges(path: str, ends: list[int], size: int) -> Iterator[RowRange]:
    """Ranges of about `size` rows or more, ending where a row group ends; a group of more than twice
    `size` rows is cut into parts of `size`."""
    start = 0
    for end in ends:
        while end - start > 2 * size:
            yield RowRange(path, start, start + size)
            start += size
        if end - start >= size or end == ends[-1]:
            if end > start:
                yield RowRange(path, start, end)
            start = end


_range_con: Any = None  # this process's own connection for reading row ranges


def read_range(r: RowRange) -> TableChunk:
    """Rows [start, stop) of a Parquet file, in the types the whole file's check saw (one DuckDB thread:
    each process reading a range has a core of its own)."""
    import duckdb

    global _range_con
    if _range_con is None:
        _range_con = duckdb.connect(config={"threads": 1, "memory_limit": "128MB", "preserve_insertion_order": True})
        _range_con.execute("SET enable_progress_bar = false")
    try:
        table = _range_con.sql(
            "SELECT * EXCLUDE (file_row_number) FROM read_parquet(?, file_row_number = true) "
            "WHERE file_row_number >= ? AND file_row_number < ?", params=[r.path, r.start, r.stop]).to_arrow_table()
    except (duckdb.Error, pa.ArrowException) as e:
        raise BadInput([("", f"cannot read {r.path} as Parquet after row {r.start}: {_first_line_of(e)}")]) from None
    batch = table.combine_chunks().to_batches()
    return TableChunk(batch[0] if batch else pa.RecordBatch.from_pylist([], schema=table.schema), r.start + 1, False)


def close_range_reader() -> None:
    """Close this process's range connection (a run that read ranges itself calls it at the end)."""
    global _range_con
    if _range_con is not None:
        _range_con.close()
        _range_con = None


def _first_line_of(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


__all__ = ["INPUT_FORMATS", "Chunk", "LineChunk", "RowRange", "Source", "TableChunk", "close_range_reader", "detect",
           "read_range"]
