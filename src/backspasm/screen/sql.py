"""The triage rules compiled into SQL: a view `backspasm_triage` over a table `backspasm_input`.

A data team can triage in place, in DuckDB, PostgreSQL or Spark SQL, with no Python: the view
gives each row its urgency and reasons from the structured columns, the levels, the hour-72
persistence and the derived findings (severe_pain from pain, long_duration from the clock,
not_improving and worsening from the diary) all compiled from the knowledge base. It does not
read the `text` column: rows with text are marked `unread_text` (screen them with
`backspasm screen`). Rows the contract would refuse get urgency NULL and a short `error`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES, LOCALES, URGENCY_LEVELS, URGENCY_RANK
from ..contract import MAX_HOURS, MAX_TEXT
from ..findings import LONG_DURATION_HOURS, MEANINGFUL_CHANGE, NOT_IMPROVING_AFTER_HOURS, SEVERE_PAIN
from ..knowledge import load

DIALECTS: tuple[str, ...] = ("duckdb", "postgres", "spark")
REPORTABLE = tuple(c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS)


def _reason_order() -> list[str]:
    """Reasons come most urgent first, then in FINDING_CODES order (triage.triage's sort)."""
    kb = load()
    return sorted(FINDING_CODES, key=lambda c: (-URGENCY_RANK[kb.findings[c].level], FINDING_CODES.index(c)))


ORDER = _reason_order()


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _enum(values: Sequence[str]) -> str:
    """A DuckDB ENUM of `values`: a cast to it is one hash lookup, and Parquet writes it from its dictionary."""
    return "ENUM(" + ", ".join(_quote(v) for v in values) + ")"


# PostgreSQL keeps the diary as jsonb: values are read only where they are numbers, so a bad
# entry gives the row an error instead of failing the whole query.
_PG_DIARY = "CASE WHEN jsonb_typeof(diary) = 'array' THEN diary END"
_PG_HOURS = "CASE WHEN jsonb_typeof(e->'hours_since_onset') = 'number' THEN (e->>'hours_since_onset')::float8 END"
_PG_PAIN = "CASE WHEN jsonb_typeof(e->'pain') = 'number' THEN (e->>'pain')::numeric END"


@dataclass(frozen=True)
class _Dialect:
    """How each primitive the view needs is spelled in one SQL dialect."""

    name: str
    input_types: str

    def array(self, items: list[str]) -> str:
        body = ", ".join(items)
        return {"duckdb": f"[{body}]", "postgres": f"ARRAY[{body}]::text[]", "spark": f"array({body})"}[self.name]

    def drop_nulls(self, array: str) -> str:
        if self.name == "postgres":
            return f"array_remove({array}, NULL)"
        if self.name == "duckdb":
            return f"list_filter({array}, lambda x: x IS NOT NULL)"
        return f"filter({array}, x -> x IS NOT NULL)"

    def has_unknown(self, column: str, allowed: tuple[str, ...]) -> str:
        if self.name == "duckdb":  # as an ENUM an unknown code (or a NULL) is NULL
            return f"list_position(TRY_CAST({column} AS {_enum(allowed)}[]), NULL) IS NOT NULL"
        known = self.values(allowed)
        if self.name == "postgres":
            return f"NOT coalesce({column} <@ {known}, true) OR array_position({column}, NULL) IS NOT NULL"
        return f"coalesce(size(filter({column}, x -> x IS NULL OR NOT array_contains({known}, x))), 0) > 0"

    def has_repeats(self, column: str) -> str:
        if self.name == "postgres":
            return f"coalesce(cardinality({column}) <> (SELECT count(DISTINCT x) FROM unnest({column}) x), false)"
        if self.name == "duckdb":
            return f"coalesce(len(list_distinct({column})) <> len({column}), false)"
        return f"coalesce(size(array_distinct({column})) <> size({column}), false)"

    def diary_rows(self) -> str:
        """Number of diary entries (0 when there is no diary)."""
        return {"duckdb": "coalesce(len(diary), 0)", "postgres": f"coalesce(jsonb_array_length({_PG_DIARY}), 0)",
                "spark": "CASE WHEN diary IS NULL THEN 0 ELSE size(diary) END"}[self.name]

    def earliest_pain(self) -> str:
        """Pain of the earliest entry: smallest hours_since_onset, ties to the lowest pain."""
        if self.name == "postgres":
            return (f"(SELECT {_PG_PAIN} FROM jsonb_array_elements({_PG_DIARY}) e "
                    f"ORDER BY {_PG_HOURS}, {_PG_PAIN} LIMIT 1)")
        if self.name == "duckdb":
            return "list_min(list_transform(diary, lambda e: {'h': e.hours_since_onset, 'p': e.pain})).p"
        return "array_min(transform(diary, e -> named_struct('h', e.hours_since_onset, 'p', e.pain))).p"

    def lowest_pain(self) -> str:
        if self.name == "postgres":
            return f"(SELECT min({_PG_PAIN}) FROM jsonb_array_elements({_PG_DIARY}) e)"
        if self.name == "duckdb":
            return "list_min(list_transform(diary, lambda e: e.pain))"
        return "array_min(transform(diary, e -> e.pain))"

    def bad_diary(self) -> str:
        """Some entry is out of range, later than now, or not a whole pain score."""
        bad = ("{h} IS NULL OR {p} IS NULL OR NOT ({h} BETWEEN 0 AND hours_since_onset) OR NOT ({p} BETWEEN 0 AND 10)")
        if self.name == "postgres":
            test = ("jsonb_typeof(e->'hours_since_onset') IS DISTINCT FROM 'number' "
                    f"OR jsonb_typeof(e->'pain') IS DISTINCT FROM 'number' OR {_PG_PAIN} % 1 <> 0 "
                    "OR (SELECT count(*) FROM jsonb_object_keys(e)) <> 2 OR "
                    + bad.format(h=_PG_HOURS, p=_PG_PAIN))
            return (f"coalesce(jsonb_typeof(diary) <> 'array', false) OR EXISTS (SELECT 1 FROM jsonb_array_elements("
                    f"{_PG_DIARY}) e WHERE jsonb_typeof(e) <> 'object' OR {test})")
        if self.name == "duckdb":  # a flag per entry, searched for a true: no list of entries is copied
            ok = "e.hours_since_onset BETWEEN 0 AND hours_since_onset AND e.pain BETWEEN 0 AND 10"
            return f"list_position(list_transform(diary, lambda e: NOT coalesce({ok}, false)), true) IS NOT NULL"
        test = "e IS NULL OR " + bad.format(h="e.hours_since_onset", p="e.pain")
        return f"coalesce(size(filter(diary, e -> {test})), 0) > 0"

    # PostgreSQL and Spark SQL count findings as lists of codes; DuckDB as bit masks (_mask_view).

    def values(self, codes: Sequence[str]) -> str:
        return self.array([_quote(c) for c in codes])

    def concat(self, a: str, b: str) -> str:
        return f"({a} || {b})" if self.name == "postgres" else f"concat({a}, {b})"

    def empty_if_null(self, column: str) -> str:
        return f"coalesce({column}, '{{}}'::text[])" if self.name == "postgres" else f"coalesce({column}, array())"

    def has_any(self, column: str, codes: Sequence[str]) -> str:
        known = self.values(codes)
        return f"({column} && {known})" if self.name == "postgres" else f"arrays_overlap({column}, {known})"

    def ordered(self, column: str, late: list[tuple[list[str], float]]) -> str:
        """The counted codes in ORDER (reasons order), once each, leaving out each late group before its hour."""

        def waits(c: str) -> str:
            parts = [f"({c} NOT IN ({', '.join(_quote(x) for x in codes)}) OR hours_since_onset >= {hour:g})"
                     for codes, hour in late]
            return " AND ".join(parts) or "true"

        if self.name == "postgres":
            return (f"ARRAY(SELECT o.c FROM unnest({self.values(ORDER)}) WITH ORDINALITY AS o(c, i) "
                    f"WHERE o.c = ANY({column}) AND {waits('o.c')} ORDER BY o.i)")
        return f"filter({self.values(ORDER)}, c -> array_contains({column}, c) AND {waits('c')})"

    def text_length(self) -> str:
        return "length(text)"

    def blank(self, column: str) -> str:
        return f"coalesce(trim({column}), '') = ''"

    def locale_ok(self) -> str:
        allowed = ", ".join(_quote(x.lower()) for x in LOCALES)
        return f"(locale IS NULL OR lower(replace(locale, '_', '-')) IN ({allowed}))"

    def create(self) -> str:
        return "CREATE OR REPLACE VIEW backspasm_triage AS"


_DIALECTS = {
    "duckdb": _Dialect("duckdb", "findings, denied, conditions VARCHAR[]; "
                                 "diary STRUCT(hours_since_onset DOUBLE, pain INTEGER)[]"),
    "postgres": _Dialect("postgres", "findings, denied, conditions text[]; diary jsonb (an array of "
                                     "{\"hours_since_onset\": ..., \"pain\": ...} objects)"),
    "spark": _Dialect("spark", "findings, denied, conditions array<string>; "
                               "diary array<struct<hours_since_onset: double, pain: int>>"),
}


def _errors(d: _Dialect, unknown: str, repeats: str) -> list[tuple[str, str]]:
    """(condition, message) for the structured checks of CONTRACT.md, in the order they are reported;
    `unknown` and `repeats` test the listed findings, in the form the dialect counts them."""
    return [
        ("hours_since_onset IS NULL", "hours_since_onset: required field is missing"),
        (f"NOT (hours_since_onset BETWEEN 0 AND {MAX_HOURS})", f"hours_since_onset: out of range (allowed: 0 to {MAX_HOURS})"),
        ("pain IS NULL", "pain: required field is missing"),
        ("NOT (pain BETWEEN 0 AND 10)", "pain: out of range (allowed: 0 to 10)"),
        ("age IS NOT NULL AND NOT (age BETWEEN 0 AND 120)", "age: out of range (allowed: 0 to 120)"),
        (unknown, "findings: unknown finding code (long_duration is derived and cannot be listed)"),
        (repeats, "findings: a code is listed more than once"),
        (d.has_unknown("denied", REPORTABLE), "denied: unknown finding code"),
        (d.has_unknown("conditions", CONDITION_CODES), "conditions: unknown condition code"),
        (d.bad_diary(), "diary: an entry is out of range or later than hours_since_onset"),
        (f"NOT {d.locale_ok()}", f"locale: unknown locale (allowed: {', '.join(LOCALES)})"),
        (f"coalesce({d.text_length()}, 0) > {MAX_TEXT}", f"text: is longer than {MAX_TEXT} characters"),
    ]


def _case(conditions: list[tuple[str, str]]) -> str:
    return "CASE " + " ".join(f"WHEN {cond} THEN {_quote(msg)}" for cond, msg in conditions) + " END"


# Findings the numbers establish (findings.derived): code -> the test on a row's columns.
_DERIVED = {
    "severe_pain": f"pain >= {SEVERE_PAIN}",
    "long_duration": f"hours_since_onset >= {LONG_DURATION_HOURS}",
    "not_improving": f"diary_rows > 0 AND hours_since_onset >= {NOT_IMPROVING_AFTER_HOURS:g} "
                     f"AND pain > earliest_pain - {MEANINGFUL_CHANGE}",
    "worsening": f"diary_rows > 0 AND pain >= lowest_pain + {MEANINGFUL_CHANGE}",
}


def _late() -> dict[float, list[str]]:
    """Findings whose level waits (persistent_from_hour), by that hour: they count towards urgency
    and reasons only from it."""
    kb = load()
    late: dict[float, list[str]] = {}
    for code in FINDING_CODES:
        hour = kb.findings[code].persistent_from_hour
        if hour is not None:
            late.setdefault(float(hour), []).append(code)
    return late


def _header(dialect: str, d: _Dialect) -> list[str]:
    return [
        f"-- backspasm triage as SQL ({dialect}), compiled from the knowledge base.",
        "-- Input: a table backspasm_input(id, hours_since_onset, pain, age, findings, denied, conditions,",
        "--   diary, text, locale), one row per assessment, with the contract's meaning.",
        f"-- Types: {d.input_types}.",
        "-- The view reads structured columns only: findings stated in `text` are NOT read (rows with",
        "-- text are marked unread_text; screen them with `backspasm screen`, which reads the words).",
        "-- Answers a person was unsure of (the contract's `unsure`) count as present: list them in `findings`.",
        "-- Rows the contract would refuse get urgency NULL and an error; screen them for the full message.",
    ] + (["-- Output: urgency and reasons are ENUMs (they compare, print and export as text)."] if dialect == "duckdb" else [])


def _list_view(d: _Dialect) -> list[str]:
    """PostgreSQL and Spark SQL: the counted findings as a list of codes."""
    kb = load()
    derived_list = d.drop_nulls(d.array([f"CASE WHEN {cond} THEN {_quote(code)} END" for code, cond in _DERIVED.items()]))
    counted = d.concat(d.empty_if_null("findings"), derived_list)
    late = _late()
    levels = []
    for level in reversed(URGENCY_LEVELS[1:]):
        now = [c for c in FINDING_CODES if kb.findings[c].level == level and kb.findings[c].persistent_from_hour is None]
        tests = [d.has_any("counted", now)] if now else []
        for hour, codes in late.items():
            waiting = [c for c in codes if kb.findings[c].level == level]
            if waiting:
                tests.append(f"(hours_since_onset >= {hour:g} AND {d.has_any('counted', waiting)})")
        if tests:
            levels.append(f"WHEN {' OR '.join(tests)} THEN {_quote(level)}")
    reasons = d.ordered("counted", [(codes, hour) for hour, codes in late.items()])
    error = _case(_errors(d, d.has_unknown("findings", REPORTABLE), d.has_repeats("findings")))
    return [
        d.create(),
        "WITH facts AS (",
        f"  SELECT *, {d.diary_rows()} AS diary_rows, {d.earliest_pain()} AS earliest_pain, {d.lowest_pain()} AS lowest_pain,",
        f"    {error} AS error",
        "  FROM backspasm_input",
        "), counts AS (",
        f"  SELECT id, hours_since_onset, text, error, {counted} AS counted",
        "  FROM facts",
        ")",
        "SELECT id,",
        f"  CASE WHEN error IS NOT NULL THEN NULL {' '.join(levels)} ELSE 'self_care' END AS urgency,",
        f"  CASE WHEN error IS NULL THEN {reasons} END AS reasons,",
        "  error,",
        f"  NOT {d.blank('text')} AS unread_text",
        "FROM counts;",
    ]


# DuckDB counts findings as a bit mask: bit i is ORDER[i], so the reasons are the set bits in
# ascending order. A listed code outside the list sets _UNKNOWN.
_BIT = {code: 1 << i for i, code in enumerate(ORDER)}
_UNKNOWN = 1 << len(ORDER)
assert _UNKNOWN < 1 << 62, "the codes and the unknown bit must fit in a BIGINT"
_ALL = _UNKNOWN - 1
_BYTE = 8  # reasons are looked up a byte of the mask at a time, in tables built once per query


def _mask(codes: Sequence[str]) -> int:
    return sum(_BIT[c] for c in codes)


def _mask_view(d: _Dialect) -> list[str]:
    """DuckDB: each row's findings as one integer (a code is a bit), so the levels are bitwise ANDs and
    the reasons a few table lookups; every step is integer arithmetic rather than work on lists of text.
    Codes are read as ENUMs (one hash lookup each; an unknown code becomes NULL) and urgency and reasons
    come out as ENUMs, which Parquet writes from their dictionaries: writing the reasons as lists of
    text took about as long as all the rules."""
    kb = load()
    code, urgency = _enum(ORDER), _enum(URGENCY_LEVELS)  # a code's place in ORDER is its bit
    # A listed code outside ORDER (or a NULL) is NULL as an ENUM.
    listed = (f"coalesce(list_bit_or(list_transform(codes, lambda c: 1::BIGINT << enum_code(c))), 0) "
              f"| CASE WHEN list_position(codes, NULL) IS NOT NULL THEN {_UNKNOWN} ELSE 0 END")
    derived = " | ".join(f"CASE WHEN {cond} THEN {_BIT[code]} ELSE 0 END" for code, cond in _DERIVED.items())
    # Before its hour a late finding counts towards nothing: its bits are cleared.
    waits = "".join(f" & CASE WHEN hours_since_onset >= {hour:g} THEN {_ALL} ELSE {_ALL & ~_mask(codes)} END"
                    for hour, codes in _late().items())
    levels = []
    for level in reversed(URGENCY_LEVELS[1:]):
        at = [c for c in FINDING_CODES if kb.findings[c].level == level]
        if at:
            levels.append(f"WHEN counted & {_mask(at)} <> 0 THEN {_quote(level)}::{urgency}")
    unknown = f"listed & {_UNKNOWN | _mask(sorted(DERIVED_ONLY_FINDINGS))} <> 0"
    repeats = "bit_count(listed) <> coalesce(len(findings), 0)"  # a repeated code sets its bit once
    error = _case(_errors(d, unknown, repeats))
    starts = range(0, len(ORDER), _BYTE)
    byte_codes = [f"{d.array([_quote(c) for c in ORDER[k:k + _BYTE]])}::{code}[]" for k in starts]
    tables = ",\n    ".join(
        f"list_transform(range({1 << _BYTE}), lambda v: list_filter({codes}, lambda c, i: (v >> (i - 1)) & 1 = 1)) AS byte{j}"
        for j, codes in enumerate(byte_codes))
    per_byte = [f"byte{j}[({f'(counted >> {k})' if k else 'counted'} & {(1 << _BYTE) - 1}) + 1]" for j, k in enumerate(starts)]
    lookups, last = ", ".join(per_byte), per_byte[-1]  # the last byte holds the least urgent codes: most rows need it alone
    # Each step is a CTE of its own: DuckDB keeps each as a projection computed once per row, and
    # runs them on every thread (an OFFSET 0 between steps would keep them apart but on one thread).
    return [
        d.create(),
        "WITH names AS (  -- for each value of each byte of a mask, the codes of its bits in order",
        f"  SELECT {tables}",
        "), typed AS (",
        f"  SELECT *, TRY_CAST(findings AS {code}[]) AS codes",
        "  FROM backspasm_input",
        "), coded AS (",
        f"  SELECT *, {listed} AS listed,",
        f"    {d.diary_rows()} AS diary_rows,",
        # Only rows with a diary need its figures (and the earliest pain only from the hour it counts).
        f"    CASE WHEN len(diary) > 0 AND hours_since_onset >= {NOT_IMPROVING_AFTER_HOURS:g} THEN {d.earliest_pain()} END "
        "AS earliest_pain,",
        f"    CASE WHEN len(diary) > 0 THEN {d.lowest_pain()} END AS lowest_pain",
        "  FROM typed",
        "), counts AS (",
        f"  SELECT id, hours_since_onset, text, {error} AS error,",
        f"    (listed | {derived}){waits} AS counted",
        "  FROM coded",
        ")",
        "SELECT id,",
        f"  CASE WHEN error IS NOT NULL THEN NULL {' '.join(levels)} ELSE 'self_care'::{urgency} END AS urgency,",
        f"  CASE WHEN error IS NOT NULL THEN NULL WHEN counted & {(1 << starts[-1]) - 1} = 0 THEN {last} "
        f"ELSE flatten([{lookups}]) END AS reasons,",
        "  error,",
        f"  NOT {d.blank('text')} AS unread_text",
        "FROM counts, names;",
    ]


def view_sql(dialect: str) -> str:
    """The CREATE VIEW statement for `dialect` (duckdb, postgres or spark)."""
    if dialect not in _DIALECTS:
        raise ValueError(f"unknown SQL dialect '{dialect}'; allowed: {', '.join(DIALECTS)}")
    d = _DIALECTS[dialect]
    body = _mask_view(d) if dialect == "duckdb" else _list_view(d)
    return "\n".join(_header(dialect, d) + body) + "\n"


__all__ = ["DIALECTS", "view_sql"]
