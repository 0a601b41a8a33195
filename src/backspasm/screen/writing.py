"""Writing the screen's output: Parquet, CSV or JSON Lines, under a temporary name until done.

Nothing is left behind on failure: rows go to a hidden file beside the output, renamed
over the output only once every row is written (`commit`); `abort` removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from ..contract import BadInput
from .columns import ID
from .rows import compact_schema, conformed, output_schema, plain

OutputFormat = Literal["parquet", "csv", "jsonl"]
OUTPUT_FORMATS: tuple[str, ...] = ("parquet", "csv", "jsonl")
_EXTENSIONS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
               ".json": "jsonl"}


def detect(path: str) -> OutputFormat:
    ext = os.path.splitext(path.lower())[1]
    kind = _EXTENSIONS.get(ext)
    if kind is None:
        raise BadInput([("", f"cannot tell the output format from the name {path}; say --to parquet|csv|jsonl")])
    return kind  # type: ignore[return-value]


def flat(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch as CSV holds it: code lists joined with ';', evidence as JSON text, ids as text."""
    batch = plain(batch)
    cols = []
    names = batch.schema.names
    for name, col in zip(names, batch.columns, strict=True):
        if name in ("reasons", "to_ask"):
            col = pc.binary_join(col, ";")
        elif name == "evidence":
            col = pa.array([json.dumps(v, ensure_ascii=False) if v else None for v in col.to_pylist()], pa.string())
        elif name == "id" and pa.types.is_nested(col.type):
            col = pa.array([json.dumps(v, ensure_ascii=False, default=str) for v in col.to_pylist()], pa.string())
        cols.append(col)
    return pa.RecordBatch.from_arrays(cols, names=names)


class Writer:
    """Streams output batches into a temporary file; `commit` renames it into place."""

    def __init__(self, path: str, kind: str | None, id_type: pa.DataType):
        if kind is not None and kind not in OUTPUT_FORMATS:
            raise BadInput([("", f"unknown output format '{kind}'; allowed: {', '.join(OUTPUT_FORMATS)}")])
        self.path = path
        self.kind: str = kind or detect(path)
        folder, name = os.path.split(os.path.abspath(path))
        if os.path.isdir(path):
            raise BadInput([("", f"the output {path} is a directory")])
        self.temp = os.path.join(folder, f".{name}.{os.getpid()}.partial")
        self.schema = output_schema(id_type)
        try:
            self._file: IO[bytes] = open(self.temp, "wb")  # noqa: SIM115
        except OSError as e:
            raise BadInput([("", f"cannot write {path}: {e.strerror or e}")]) from None
        self._writer: Any = None
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            # Batches arrive with their code columns dictionary-encoded (rows.compact_schema), which
            # Parquet stores as it stores any text. No Arrow schema is kept in the file, so readers
            # take every column's type from Parquet's own: the code columns read back as plain text
            # (and an id's Arrow-only details, such as a time zone's name, in Parquet's terms).
            # Statistics (min and max per page) are kept for the columns a reader filters on; for
            # the code lists they would cost a fifth of the writing and tell little.
            self._compact = compact_schema(id_type)
            self._writer = pq.ParquetWriter(self._file, self._compact, compression="zstd", store_schema=False,
                                            write_statistics=[ID, "urgency", "error"])
        elif self.kind == "csv":
            import pyarrow.csv as pacsv

            empty = flat(pa.RecordBatch.from_pylist([], schema=self.schema))
            self._writer = pacsv.CSVWriter(self._file, empty.schema)

    def write(self, batch: pa.RecordBatch) -> None:
        if self.kind == "parquet":
            self._writer.write_batch(conformed(batch, self._compact))
        elif self.kind == "csv":
            self._writer.write_batch(flat(batch))
        else:
            dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
            self._file.write("".join(dumps(row) + "\n" for row in batch.to_pylist()).encode("utf-8"))

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if not self._file.closed:
            self._file.close()

    def commit(self) -> None:
        """Finish the file and move it into place."""
        try:
            self._close()
            os.replace(self.temp, self.path)
        except OSError as e:
            self.abort()
            raise BadInput([("", f"cannot write {self.path}: {e.strerror or e}")]) from None

    def abort(self) -> None:
        """Remove the partial file."""
        with contextlib.suppress(Exception):  # closing a half-written file can fail; it is removed anyway
            self._close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.temp)


__all__ = ["OUTPUT_FORMATS", "Writer", "detect", "flat"]
