"""The screen as a run: chunks in order through one process or a pool of workers, out to the writer.

With `jobs` > 1 each worker process screens whole chunks (Arrow batches travel between
processes as Arrow IPC); a bounded window of chunks in flight keeps memory flat and the
output in input order. Workers are started with `spawn`, so none inherits DuckDB's threads.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context

import pyarrow as pa
import pyarrow.compute as pc

from ..codes import URGENCY_LEVELS
from ..contract import BadInput
from .reading import Chunk, LineChunk, Source
from .rows import Screener
from .writing import Writer

FIRST_ERRORS = 10


@dataclass
class Summary:
    """What a run screened: rows per urgency, bad rows, and the first few errors with their ids."""

    rows: int = 0
    by_urgency: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    first_errors: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, batch: pa.RecordBatch) -> None:
        self.rows += batch.num_rows
        urgency = batch.column("urgency")
        for row in pc.value_counts(urgency.drop_null()).to_pylist():
            self.by_urgency[row["values"]] += row["counts"]
        bad = urgency.null_count
        if bad:
            self.errors += bad
            if len(self.first_errors) < FIRST_ERRORS:
                mask = pc.is_valid(batch.column("error"))
                picked = batch.filter(mask).slice(0, FIRST_ERRORS - len(self.first_errors))
                ids = picked.column("id").to_pylist()
                self.first_errors += [(str(i), str(e)) for i, e in zip(ids, picked.column("error").to_pylist(), strict=True)]

    def merge(self, other: Summary) -> None:
        self.rows += other.rows
        self.by_urgency.update(other.by_urgency)
        self.errors += other.errors
        self.first_errors = (self.first_errors + other.first_errors)[:FIRST_ERRORS]

    def counts(self) -> list[tuple[str, int]]:
        """(urgency, rows), most urgent first."""
        return [(level, self.by_urgency.get(level, 0)) for level in reversed(URGENCY_LEVELS)]


class StrictFailure(BadInput):
    """--strict and some rows were bad: no output is kept."""

    def __init__(self, summary: Summary):
        self.summary = summary
        shown = [(f"row {row_id}", msg) for row_id, msg in summary.first_errors]
        more = summary.errors - len(shown)
        tail = [("", f"... and {more} more bad rows")] if more > 0 else []
        super().__init__([("", f"{summary.errors} of {summary.rows} rows are bad (--strict); no output written"),
                          *shown, *tail])


# ---- one process's work ----

_screener: Screener | None = None


def _process_screener() -> Screener:
    global _screener
    if _screener is None:
        _screener = Screener()
    return _screener


def screen_chunk(chunk: Chunk) -> pa.RecordBatch:
    """Screen one chunk in this process (the same function runs in every worker)."""
    s = _process_screener()
    if isinstance(chunk, LineChunk):
        return s.lines(chunk.lines, chunk.numbers, chunk.fhir)
    return s.table(chunk.batch, chunk.first_row, chunk.text_cells)


def _warm() -> None:
    """Worker start: load the knowledge base and compile the rules once, before the first chunk."""
    _process_screener()


def _ordered(chunks: Iterator[Chunk], jobs: int) -> Iterator[pa.RecordBatch]:
    """Screened batches in input order: here, or across `jobs` worker processes."""
    if jobs <= 1:
        for chunk in chunks:
            yield screen_chunk(chunk)
        return
    window: deque[Future[pa.RecordBatch]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_warm) as pool:
        try:
            for chunk in chunks:
                window.append(pool.submit(screen_chunk, chunk))
                if len(window) >= 2 * jobs:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        finally:
            for f in window:
                f.cancel()


def screen_file(
    source: str,
    out: str,
    *,
    input_format: str | None = None,
    output_format: str | None = None,
    jobs: int = 1,
    strict: bool = False,
    chunk_rows: int | None = None,
    on_start: Callable[[Source], None] | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> Summary:
    """Screen every row of `source` into `out`. Raises BadInput (exit 2) for a table that cannot be
    screened, StrictFailure with `strict` when any row is bad; the output appears only on success."""
    started = time.perf_counter()
    src = Source.open(source, input_format)
    summary = Summary()
    try:
        writer = Writer(out, output_format, src.id_type)
        try:
            if on_start is not None:
                on_start(src)
            for batch in _ordered(src.chunks(chunk_rows), jobs):
                writer.write(batch)
                summary.add(batch)
                if on_rows is not None:
                    on_rows(batch.num_rows)
            if strict and summary.errors:
                raise StrictFailure(summary)
        except BaseException:
            writer.abort()
            raise
        writer.commit()
    finally:
        src.close()
    summary.seconds = time.perf_counter() - started
    return summary


__all__ = ["StrictFailure", "Summary", "screen_chunk", "screen_file"]
