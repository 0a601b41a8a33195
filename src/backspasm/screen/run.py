"""The screen as a run: the input's pieces in order, screened here or in worker processes, out to the writer.

With `jobs` > 1 this process and `jobs - 1` workers share the pieces: a Parquet file's row
ranges, which each process reads for itself, or chunks of other inputs, sent to the worker
that screens them. This process screens pieces too (it is never idle while the workers start)
and writes every screened batch in input order; a bounded window of pieces keeps memory flat.
Workers are started with `spawn`, so none inherits DuckDB's threads.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
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


@dataclass
class _Slot:
    """A piece in the window: not taken yet (None), given to a worker (its Future), or screened here."""

    piece: Piece
    state: Future[pa.RecordBatch | Failed] | pa.RecordBatch | None = None


def _ordered(pieces: Iterator[Piece], jobs: int) -> Iterator[pa.RecordBatch]:
    """Screened batches in input order: here, or shared between this process and `jobs - 1` workers.

    The next few pieces form a window. This process screens the first piece nobody has taken and
    writes each batch as soon as every piece before it is written; a worker with fewer than two
    pieces waiting is given the last one nobody has taken, so workers work ahead of this process
    and their batches are ready by the time the writing reaches them. Only the window's pieces
    are held in memory."""
    if jobs <= 1:
        for piece in pieces:
            yield screen_chunk(piece)
        return
    helpers = jobs - 1
    size = 4 * jobs
    window: deque[_Slot] = deque()
    upcoming = iter(pieces)
    with ProcessPoolExecutor(max_workers=helpers, mp_context=get_context("spawn"), initializer=_warm) as pool:
        try:
            while True:
                for piece in islice(upcoming, size - len(window)):
                    window.append(_Slot(piece))
                if not window:
                    return
                head = window[0].state
                if head is not None and (not isinstance(head, Future) or head.done()):
                    yield _batch(window.popleft().state)
                    continue
                free = [slot for slot in window if slot.state is None]
                waiting = sum(1 for slot in window if isinstance(slot.state, Future) and not slot.state.done())
                if free and waiting < 2 * helpers:
                    free[-1].state = pool.submit(_screen_piece, free[-1].piece)
                elif free:
                    free[0].state = screen_chunk(free[0].piece)
                else:
                    yield _batch(window.popleft().state)  # everything is taken: wait for the first piece
        finally:
            for slot in window:
                if isinstance(slot.state, Future):
                    slot.state.cancel()


def _batch(item: Future[pa.RecordBatch | Failed] | pa.RecordBatch | None) -> pa.RecordBatch:
    assert item is not None
    out = item.result() if isinstance(item, Future) else item
    if isinstance(out, Failed):
        raise BadInput(out.errors)
    return out


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
