"""Screening rows: one outcome per row (urgency, reasons, to_ask, evidence, or an error).

Two ways through, one answer. Rows of structured answers whose values are plainly valid
(right types, in range, known codes) take the quick way: their codes become bit masks, the
numbers add the derived findings, and each distinct (findings, hour interval) is triaged once
by the engine's own `triage` and each distinct set of covered red flags gets its `to_ask` once.
For a typed table this is done a column at a time (quick.py). Every other row, one with text
or one the quick check doubts, takes the exact way: the contract's own validation (so a bad
row gets the very message `backspasm assess` gives) and `assess`.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa

from ..codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES, LOCALES, URGENCY_LEVELS
from ..contract import MAX_HOURS, MAX_TEXT, BadInput, loads_strict, parse_assessment
from ..engine import TextReader, assess
from ..findings import LONG_DURATION_HOURS, MEANINGFUL_CHANGE, NOT_IMPROVING_AFTER_HOURS, SEVERE_PAIN
from ..plan import representative, tables
from ..safetynet import red_flags, to_ask
from ..triage import triage
from .cells import cells, typed_values
from .columns import FIELDS, ID
from .quick import BIT, quick_columns

_LOCALES = frozenset(LOCALES)
_FIELDS = frozenset(FIELDS)
# Fields the quick way reads; a row with any other (an `unsure` list: those count as present) takes the exact way.
_QUICK_FIELDS = _FIELDS - {"unsure"}
_NONE: frozenset[str] = frozenset()
_BIT: dict[str, int] = {code: b for code, b in BIT.items() if code not in DERIVED_ONLY_FINDINGS}
_CBIT: dict[str, int] = {code: 1 << i for i, code in enumerate(CONDITION_CODES)}
_SEVERE, _LONG = BIT["severe_pain"], BIT["long_duration"]
_NOT_IMPROVING, _WORSENING = BIT["not_improving"], BIT["worsening"]
_RED = sum(BIT[c] for c in red_flags())
_DECLINE = -1
_BUCKET_BITS = 8  # a decision's key: the findings' bits above the hour interval's number
_BUCKET_MASK = (1 << _BUCKET_BITS) - 1
KEEP = 100_000  # distinct decisions kept per process before the memo starts afresh


class Outcome(NamedTuple):
    """What the screen says of one row screened the exact way."""

    urgency: str | None
    reasons: tuple[str, ...]
    to_ask: tuple[str, ...]
    evidence: tuple[tuple[str, int, int, str], ...]
    error: str | None


EVIDENCE = pa.struct([("code", pa.string()), ("start", pa.int32()), ("end", pa.int32()), ("text", pa.string())])
CODES = pa.list_(pa.string())
RESULT_FIELDS = (
    pa.field("urgency", pa.string()),
    pa.field("reasons", CODES),
    pa.field("to_ask", CODES),
    pa.field("evidence", pa.list_(EVIDENCE)),
    pa.field("error", pa.string()),
)
OUTPUT_COLUMNS = (ID, *(f.name for f in RESULT_FIELDS))


def output_schema(id_type: pa.DataType) -> pa.Schema:
    """The output's columns: the input's id, as it was, then the screen's."""
    return pa.schema([pa.field(ID, id_type), *RESULT_FIELDS])


# Inside a run the urgency and the code lists travel dictionary-encoded against the fixed lists
# of levels and codes: a row's to_ask is a dozen one-byte numbers rather than a dozen strings, which
# makes building, sending between processes and writing Parquet cheaper. `plain` turns a batch
# back into output_schema's types.
_LEVELS = pa.array(np.array(URGENCY_LEVELS, object), pa.string())
_CODES = pa.array(np.array(FINDING_CODES, object), pa.string())
_LEVEL_PLACE: dict[str, int] = {level: i for i, level in enumerate(URGENCY_LEVELS)}
_CODE_PLACE: dict[str, int] = {code: i for i, code in enumerate(FINDING_CODES)}
_CODE = pa.dictionary(pa.int8(), pa.string())
_COMPACT = {"urgency": _CODE, "reasons": pa.list_(_CODE), "to_ask": pa.list_(_CODE)}


def compact_schema(id_type: pa.DataType) -> pa.Schema:
    """The types of the batches a Screener returns: output_schema's, code columns dictionary-encoded."""
    return pa.schema([pa.field(f.name, _COMPACT.get(f.name, f.type)) for f in output_schema(id_type)])


def conformed(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """A screened batch with each column cast to `schema`'s type (the batch itself when it has them)."""
    if batch.schema.equals(schema):
        return batch
    return pa.RecordBatch.from_arrays([c.cast(f.type) for c, f in zip(batch.columns, schema, strict=True)], schema=schema)


def plain(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A screened batch in output_schema's types."""
    return conformed(batch, output_schema(batch.schema.field(ID).type))


def _codes_of(mask: int) -> frozenset[str]:
    return frozenset(code for code, b in BIT.items() if mask & b)


def _trend(pairs: Iterable[tuple[Any, Any]], hours: float, pain: int) -> int:
    """not_improving and worsening as bits (findings.derived's tests), or -1 when an entry is not plainly valid."""
    first: tuple[float, int] | None = None
    lowest = 10
    for h, p in pairs:
        if (type(h) is not float and type(h) is not int) or type(p) is not int or not 0 <= h <= hours or not 0 <= p <= 10:
            return _DECLINE
        if first is None or (h, p) < first:
            first = (h, p)
        if p < lowest:
            lowest = p
    if first is None:
        return 0
    out = 0
    if hours >= NOT_IMPROVING_AFTER_HOURS and pain > first[1] - MEANINGFUL_CHANGE:
        out |= _NOT_IMPROVING
    if pain >= lowest + MEANINGFUL_CHANGE:
        out |= _WORSENING
    return out


def _dict_pairs(diary: list[Any]) -> Iterable[tuple[Any, Any]]:
    for e in diary:
        if type(e) is not dict or len(e) != 2:
            yield None, None
            return
        yield e.get("hours_since_onset"), e.get("pain")


def _masks(h: Any, p: Any, a: Any, f: Any, d: Any, c: Any, loc: Any) -> tuple[int, int] | None:
    """(findings listed or derived from the numbers, findings denied) as bit masks, or None to decline."""
    if (type(h) is not float and type(h) is not int) or not 0 <= h <= MAX_HOURS:  # NaN fails both tests
        return None
    if type(p) is not int or not 0 <= p <= 10 or (a is not None and (type(a) is not int or not 0 <= a <= 120)):
        return None
    if loc is not None and loc not in _LOCALES:
        return None
    fm = dm = 0
    bit = _BIT.get
    try:  # an unknown code has no bit (TypeError); a repeated finding adds no bit
        if f is not None:
            if type(f) is not list:
                return None
            for code in f:
                fm |= bit(code)  # type: ignore[operator]
            if fm.bit_count() != len(f):
                return None
        if d is not None:
            if type(d) is not list:
                return None
            for code in d:
                dm |= bit(code)  # type: ignore[operator]
        if c is not None:
            if type(c) is not list:
                return None
            for code in c:
                _CBIT[code]
    except (TypeError, KeyError):
        return None
    if p >= SEVERE_PAIN:
        fm |= _SEVERE
    if h >= LONG_DURATION_HOURS:
        fm |= _LONG
    return fm, dm


class Screener:
    """Screens rows in one process, remembering each distinct decision it has looked up."""

    def __init__(self, read_text: TextReader | None = None) -> None:
        self.read_text = read_text
        self._tables = tables()
        self._marks = np.array(self._tables.hour_marks, np.float64)
        assert len(self._marks) < 1 << _BUCKET_BITS
        self._no_age = self._tables.age_flags(None)
        # Each distinct decision and to_ask, by its key, and its serial; kept as numbers for building
        # output columns: each decision's urgency (its place in URGENCY_LEVELS) and reasons, each
        # to_ask, as _Lists of places in FINDING_CODES.
        self._dindex: dict[int, int] = {}
        self._aindex: dict[int, int] = {}
        self._urgency: list[int] = []
        self._reasons = _Lists()
        self._asked = _Lists()

    @property
    def distinct_decisions(self) -> int:
        """How many distinct (urgency, reasons) decisions the memo holds."""
        return len(self._dindex)

    def _fresh(self) -> None:
        if len(self._dindex) > KEEP or len(self._aindex) > KEEP:
            self._dindex.clear()
            self._aindex.clear()
            self._urgency.clear()
            self._reasons = _Lists()
            self._asked = _Lists()

    def _decision(self, key: int) -> int:
        """The serial of the decision (urgency, reasons) for findings and an hour interval, `fm << 8 | bucket`."""
        j = self._dindex.get(key)
        if j is None:
            j = self._dindex[key] = len(self._dindex)
            # Urgency and reasons depend on the findings and the hour only (CONTRACT.md): the
            # conditions, age and locale, checked already, do not split the key. `engine.decide`
            # takes them from this same call, at the interval's representative hour.
            hours, _ = representative(self._tables, key & _BUCKET_MASK, self._no_age)
            urgency, reasons = triage(_codes_of(key >> _BUCKET_BITS), _NONE, hours)
            self._urgency.append(_LEVEL_PLACE[urgency])
            self._reasons.add(tuple(r.code for r in reasons))
        return j

    def _ask(self, covered: int) -> int:
        """The serial of the to_ask for the red flags a row covered (as bits)."""
        k = self._aindex.get(covered)
        if k is None:
            k = self._aindex[covered] = len(self._aindex)
            self._asked.add(to_ask(_codes_of(covered)))
        return k

    def _serials(self, fm: int, dm: int, hours: float) -> tuple[int, int]:
        """Which decision (urgency, reasons) and which to_ask a row has: each distinct one is worked out once."""
        bucket = bisect_right(self._tables.hour_marks, hours)
        return self._decision(fm << _BUCKET_BITS | bucket), self._ask((fm | dm) & _RED)

    # ---- one row ----

    def exact(self, data: Any) -> Outcome:
        """Validate as `backspasm assess` does, then assess: a bad row carries the CLI's message."""
        try:
            a = parse_assessment(data)
        except BadInput as e:
            return Outcome(None, (), (), (), str(e))
        r = assess(a, self.read_text)
        evidence = tuple((e.code, e.start, e.end, e.text) for e in r.evidence)
        return Outcome(r.urgency, tuple(c.code for c in r.reasons), r.to_ask, evidence, None)

    def one(self, data: dict[str, Any]) -> tuple[int, int] | Outcome:
        """A row given as a JSON object's fields: serials the quick way, or the exact way's outcome."""
        text = data.get("text")
        if (text is None or (type(text) is str and not text.strip() and len(text) <= MAX_TEXT)) and data.keys() <= _QUICK_FIELDS:
            g = data.get
            h: Any = g("hours_since_onset")
            masks = _masks(h, g("pain"), g("age"), g("findings"), g("denied"), g("conditions"), g("locale"))
            if masks is not None:
                fm, dm = masks
                diary = g("diary")
                trend = 0
                if diary is not None:
                    pain: Any = g("pain")
                    trend = _trend(_dict_pairs(diary), h, pain) if type(diary) is list else _DECLINE
                if trend != _DECLINE:
                    return self._serials(fm | trend, dm, h)
        return self.exact(data)

    # ---- batches ----

    def table(self, batch: pa.RecordBatch, first_row: int, text_cells: bool) -> pa.RecordBatch:
        """Screen a batch of table rows (columns named as in columns.py; CSV cells arrive as text)."""
        self._fresh()
        n = batch.num_rows
        names = batch.schema.names
        ids = batch.column(names.index(ID)) if ID in names else pa.array(range(first_row, first_row + n), pa.int64())
        if text_cells:
            cols = {name: cells(name, batch.column(names.index(name)).to_pylist()) for name in FIELDS if name in names}
            return self._rows(ids, [self.one({k: v[i] for k, v in cols.items() if v[i] is not None}) for i in range(n)])
        return self._typed(batch, ids)

    def _typed(self, batch: pa.RecordBatch, ids: pa.Array) -> pa.RecordBatch:
        """Typed columns (types checked once, by the schema): values are range- and code-checked a column
        at a time, and the exact way takes only the rows this declines (those with words to read among them)."""
        n = batch.num_rows
        q = quick_columns(batch)
        dser = np.zeros(n, np.int64)
        aser = np.zeros(n, np.int64)
        quick = np.flatnonzero(q.ok)
        if len(quick):
            found = q.found[quick]
            keys = found << _BUCKET_BITS | np.searchsorted(self._marks, q.hours[quick], side="right")
            distinct, inverse = np.unique(keys, return_inverse=True)
            dser[quick] = np.array([self._decision(int(k)) for k in distinct], np.int64)[inverse]
            distinct, inverse = np.unique((found | q.denied[quick]) & _RED, return_inverse=True)
            aser[quick] = np.array([self._ask(int(c)) for c in distinct], np.int64)[inverse]
        declined = np.flatnonzero(~q.ok)
        exact: list[Outcome] = []
        if len(declined):
            picked = batch.take(pa.array(declined))
            data = {name: typed_values(picked, name) for name in picked.schema.names if name in _FIELDS}
            exact = [self.exact({name: v[k] for name, v in data.items() if v[k] is not None}) for k in range(len(declined))]
        return self._assemble(ids, dser, aser, declined, exact)

    def lines(self, lines: Sequence[str | bytes], numbers: Sequence[int] | None, fhir: bool = False) -> pa.RecordBatch:
        """Screen JSON Lines: each line one assessment object (with an optional id), or a FHIR resource.
        `numbers` are the lines' numbers in the file: a row without an id is known by its line (when
        lines have no numbers, as in a distributed file, such a row's id is null)."""
        self._fresh()
        ids: list[str | None] = []
        rows: list[tuple[int, int] | Outcome] = []
        screen_line = self._fhir_line if fhir else self._json_line
        for k, line in enumerate(lines):
            number = numbers[k] if numbers is not None else None
            row_id, outcome = screen_line(line, number)
            ids.append(row_id if row_id is not None else (None if number is None else str(number)))
            rows.append(outcome)
        return self._rows(pa.array(ids, pa.string()), rows)

    def _decode(self, line: str | bytes, row: int | None) -> Any:
        where = "" if row is None else f"line {row}: "
        try:
            return loads_strict(line)
        except BadInput as e:
            return Outcome(None, (), (), (), f"{where}{e}")
        except (ValueError, RecursionError) as e:
            return Outcome(None, (), (), (), f"{where}not valid JSON: {getattr(e, 'msg', e)}")

    def _json_line(self, line: str | bytes, row: int | None) -> tuple[str | None, tuple[int, int] | Outcome]:
        data = self._decode(line, row)
        if isinstance(data, Outcome):
            return None, data
        if not isinstance(data, dict):
            return None, self.exact(data)  # the contract's own message for a value that is not an object
        row_id = data.pop(ID, None)
        return (None if row_id is None else _id_text(row_id)), self.one(data)

    def _fhir_line(self, line: str | bytes, row: int | None) -> tuple[str | None, tuple[int, int] | Outcome]:
        from ..interop.questionnaire import response_to_assessment

        resource = self._decode(line, row)
        if isinstance(resource, Outcome):
            return None, resource
        row_id = resource.get("id") if isinstance(resource, dict) else None
        rid = None if row_id is None else _id_text(row_id)
        try:
            a = response_to_assessment(resource)
        except ValueError as e:  # FhirError: each problem with its FHIRPath
            return rid, Outcome(None, (), (), (), str(e))
        r = assess(a, self.read_text)
        evidence = tuple((e.code, e.start, e.end, e.text) for e in r.evidence)
        return rid, Outcome(r.urgency, tuple(c.code for c in r.reasons), r.to_ask, evidence, None)

    # ---- outcomes -> Arrow ----

    def _rows(self, ids: pa.Array, rows: Sequence[tuple[int, int] | Outcome]) -> pa.RecordBatch:
        """The output batch for rows screened one at a time: serials from the quick way, or outcomes."""
        n = len(rows)
        dser = np.zeros(n, np.int64)
        aser = np.zeros(n, np.int64)
        declined: list[int] = []
        exact: list[Outcome] = []
        for i, r in enumerate(rows):
            if isinstance(r, Outcome):
                declined.append(i)
                exact.append(r)
            else:
                dser[i], aser[i] = r
        return self._assemble(ids, dser, aser, np.array(declined, np.int64), exact)

    def _assemble(self, ids: pa.Array, dser: np.ndarray[Any, Any], aser: np.ndarray[Any, Any],
                  declined: np.ndarray[Any, Any], exact: list[Outcome]) -> pa.RecordBatch:
        """The output batch, taken from the distinct decisions and to_ask lists (built once each) and the
        exact outcomes. `dser`/`aser` hold the quick rows' serials; the `declined` rows get `exact`'s outcomes."""
        n = len(dser)
        nd, na = len(self._dindex), len(self._aindex)
        if len(declined):
            serial = np.arange(len(declined), dtype=np.int64)
            dser[declined] = nd + serial
            aser[declined] = na + serial
        places = np.array(self._urgency + [-1 if o.error else _LEVEL_PLACE[str(o.urgency)] for o in exact], np.int8)[dser]
        urgency = pa.DictionaryArray.from_arrays(pa.array(places, mask=places < 0), _LEVELS)
        reasons = self._reasons.arrow([None if o.error else o.reasons for o in exact]).take(pa.array(dser))
        asked = self._asked.arrow([None if o.error else o.to_ask for o in exact]).take(pa.array(aser))
        if exact:
            xser = np.zeros(n, np.int64)
            xser[declined] = np.arange(1, len(declined) + 1)
            evidence = pa.array([[], *(None if o.error else [{"code": c, "start": a, "end": b, "text": t}
                                                              for c, a, b, t in o.evidence] for o in exact)],
                                pa.list_(EVIDENCE)).take(pa.array(xser))
            error = pa.array([None, *(o.error for o in exact)], pa.string()).take(pa.array(xser))
        else:
            evidence = pa.ListArray.from_arrays(pa.array(np.zeros(n + 1, np.int32)), pa.array([], EVIDENCE))
            error = pa.nulls(n, pa.string())
        return pa.RecordBatch.from_arrays([ids, urgency, reasons, asked, evidence, error], schema=compact_schema(ids.type))


class _Lists:
    """Lists of finding codes kept as their places in FINDING_CODES (flat, with offsets), so the output's
    dictionary-encoded code lists are built with NumPy rather than string by string."""

    def __init__(self) -> None:
        self.offsets: list[int] = [0]
        self.places: list[int] = []
        self._numpy: tuple[int, np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = None

    def add(self, codes: Sequence[str]) -> None:
        self.places.extend(_CODE_PLACE[c] for c in codes)  # KeyError for a code outside the list: never dropped
        self.offsets.append(len(self.places))

    def arrow(self, more: Sequence[Sequence[str] | None]) -> pa.Array:
        """These lists, then `more` (None for a null list), as list<dictionary<int8, string>>."""
        n = len(self.offsets) - 1
        if self._numpy is None or self._numpy[0] != n:  # rebuilt only when lists were added
            self._numpy = (n, np.array(self.offsets, np.int32), np.array(self.places, np.int8))
        _, offsets, places = self._numpy
        mask = None
        if more:
            extra = [_CODE_PLACE[c] for codes in more if codes is not None for c in codes]
            ends = np.cumsum([0 if codes is None else len(codes) for codes in more], dtype=np.int32)
            offsets = np.concatenate([offsets, offsets[-1] + ends])
            places = np.concatenate([places, np.array(extra, np.int8)])
            mask = pa.array(np.concatenate([np.zeros(n, np.bool_), np.array([c is None for c in more], np.bool_)]))
        values = pa.DictionaryArray.from_arrays(pa.array(places), _CODES)
        return pa.ListArray.from_arrays(pa.array(offsets), values, mask=mask)


def _id_text(value: Any) -> str:
    """Ids from JSON are kept as text: a string as it is, anything else as its JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


__all__ = ["OUTPUT_COLUMNS", "Outcome", "Screener", "compact_schema", "conformed", "output_schema", "plain"]
