"""The screen as a run: the input's pieces in order, screened here or in worker processes, out to the writer.

With `jobs` > 1 this process and `jobs - 1` workers share the pieces: a Parquet file's row
ranges, which each process reads for itself, or chunks of other inputs, sent to the worker
that screens them. A worker gets a piece whenever it has fewer than two waiting; otherwise this
process screens the next one itself, so it is never idle while workers start or run, and it
writes every screened batch in input order. A bounded window of pieces in flight keeps memory
flat. Workers are started with `spawn`, so none inherits DuckDB's threads.
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
from .reading import Chunk, LineChunk, RowRange, Source, close_range_reader, read_range
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


Piece = Chunk | RowRange


@dataclass(frozen=True)
class Failed:
    """A piece a worker could not read: its errors, raised again as BadInput in the parent."""

    errors: list[tuple[str, str]]


def screen_chunk(chunk: Piece) -> pa.RecordBatch:
    """Screen one piece of the input in this process (the same function runs in every worker)."""
    s = _process_screener()
    if isinstance(chunk, RowRange):
        chunk = read_range(chunk)
    if isinstance(chunk, LineChunk):
        return s.lines(chunk.lines, chunk.numbers, chunk.fhir)
    return s.table(chunk.batch, chunk.first_row, chunk.text_cells)


def _screen_piece(piece: Piece) -> pa.RecordBatch | Failed:
    """screen_chunk in a worker: a reading error comes back as a value (BadInput does not pickle)."""
    try:
        return screen_chunk(piece)
    except BadInput as e:
        return Failed(e.errors)


def _warm() -> None:
    """Worker start: load the knowledge base and compile the rules once, before the first chunk."""
    _process_screener()


def _done(item: Future[pa.RecordBatch | Failed] | pa.RecordBatch) -> bool:
    return not isinstance(item, Future) or item.done()


def _batch(item: Future[pa.RecordBatch | Failed] | pa.RecordBatch) -> pa.RecordBatch:
    out = item.result() if isinstance(item, Future) else item
    if isinstance(out, Failed):
        raise BadInput(out.errors)
    return out


def _ordered(pieces: Iterator[Piece], jobs: int) -> Iterator[pa.RecordBatch]:
    """Screened batches in input order: here, or shared between this process and `jobs - 1` workers."""
    if jobs <= 1:
        for piece in pieces:
            yield screen_chunk(piece)
        return
    helpers = jobs - 1
    window: deque[Future[pa.RecordBatch | Failed] | pa.RecordBatch] = deque()
    with ProcessPoolExecutor(max_workers=helpers, mp_context=get_context("spawn"), initializer=_warm) as pool:
        try:
            for piece in pieces:
                waiting = sum(1 for item in window if not _done(item))
                if waiting < 2 * helpers:
                    window.append(pool.submit(_screen_piece, piece))
                else:  # the workers have enough to do (or are still starting): screen this one here
                    window.append(screen_chunk(piece))
                while window and (_done(window[0]) or len(window) >= 16 * jobs):
                    yield _batch(window.popleft())
            while window:
                yield _batch(window.popleft())
        finally:
            for item in window:
                if isinstance(item, Future):
                    item.cancel()


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
            ranges = src.ranges(chunk_rows) if jobs > 1 else None
            for batch in _ordered(ranges if ranges is not None else src.chunks(chunk_rows), jobs):
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
        close_range_reader()
    summary.seconds = time.perf_counter() - started
    return summary


__all__ = ["StrictFailure", "Summary", "screen_chunk", "screen_file"]
