"""The triage rules compiled into SQL: a view `backspasm_triage` over a table `backspasm_input`.

A data team can triage in place, in DuckDB, PostgreSQL or Spark SQL, with no Python: the view
gives each row its urgency and reasons from the structured columns, the levels, the hour-72
persistence and the derived findings (severe_pain from pain, long_duration from the clock,
not_improving and worsening from the diary) all compiled from the knowledge base. It does not
read the `text` column: rows with text are marked `unread_text` (screen them with
`backspasm screen`). Rows the contract would refuse get urgency NULL and a short `error`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES, LOCALES, URGENCY_LEVELS, URGENCY_RANK
from ..contract import MAX_HOURS, MAX_TEXT
from ..findings import LONG_DURATION_HOURS, MEANINGFUL_CHANGE, NOT_IMPROVING_AFTER_HOURS, SEVERE_PAIN
from ..knowledge import load

DIALECTS: tuple[str, ...] = ("duckdb", "postgres", "spark")
REPORTABLE = tuple(c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS)
_DERIVED = ("severe_pain", "long_duration", "not_improving", "worsening")


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


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

    def contains(self, column: str, code: str) -> str:
        q = _quote(code)
        if self.name == "postgres":
            return f"coalesce({q} = ANY({column}), false)"
        return f"coalesce({'list_contains' if self.name == 'duckdb' else 'array_contains'}({column}, {q}), false)"

    def drop_nulls(self, array: str) -> str:
        if self.name == "postgres":
            return f"array_remove({array}, NULL)"
        if self.name == "duckdb":
            return f"list_filter({array}, lambda x: x IS NOT NULL)"
        return f"filter({array}, x -> x IS NOT NULL)"

    def has_unknown(self, column: str, allowed: tuple[str, ...]) -> str:
        known = self.array([_quote(c) for c in allowed])
        if self.name == "postgres":
            return f"NOT coalesce({column} <@ {known}, true) OR array_position({column}, NULL) IS NOT NULL"
        if self.name == "duckdb":
            return f"coalesce(len(list_filter({column}, lambda x: x IS NULL OR NOT list_contains({known}, x))), 0) > 0"
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
        test = "e IS NULL OR " + bad.format(h="e.hours_since_onset", p="e.pain")
        if self.name == "duckdb":
            return f"coalesce(len(list_filter(diary, lambda e: {test})), 0) > 0"
        return f"coalesce(size(filter(diary, e -> {test})), 0) > 0"

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


def _errors(d: _Dialect) -> list[tuple[str, str]]:
    """(condition, message) for the structured checks of CONTRACT.md, in the order they are reported."""
    out = [
        ("hours_since_onset IS NULL", "hours_since_onset: required field is missing"),
        (f"NOT (hours_since_onset BETWEEN 0 AND {MAX_HOURS})", f"hours_since_onset: out of range (allowed: 0 to {MAX_HOURS})"),
        ("pain IS NULL", "pain: required field is missing"),
        ("NOT (pain BETWEEN 0 AND 10)", "pain: out of range (allowed: 0 to 10)"),
        ("age IS NOT NULL AND NOT (age BETWEEN 0 AND 120)", "age: out of range (allowed: 0 to 120)"),
        (d.has_unknown("findings", REPORTABLE), "findings: unknown finding code (long_duration is derived and cannot be listed)"),
        (d.has_repeats("findings"), "findings: a code is listed more than once"),
        (d.has_unknown("denied", REPORTABLE), "denied: unknown finding code"),
        (d.has_unknown("conditions", CONDITION_CODES), "conditions: unknown condition code"),
        (d.bad_diary(), "diary: an entry is out of range or later than hours_since_onset"),
        (f"NOT {d.locale_ok()}", f"locale: unknown locale (allowed: {', '.join(LOCALES)})"),
        (f"coalesce({d.text_length()}, 0) > {MAX_TEXT}", f"text: is longer than {MAX_TEXT} characters"),
    ]
    return out


def view_sql(dialect: str) -> str:
    """The CREATE VIEW statement for `dialect` (duckdb, postgres or spark)."""
    if dialect not in _DIALECTS:
        raise ValueError(f"unknown SQL dialect '{dialect}'; allowed: {', '.join(DIALECTS)}")
    d = _DIALECTS[dialect]
    kb = load()
    present = {code: d.contains("findings", code) for code in REPORTABLE}
    present["severe_pain"] = f"({present['severe_pain']} OR pain >= {SEVERE_PAIN})"
    present["long_duration"] = f"(hours_since_onset >= {LONG_DURATION_HOURS})"
    present["not_improving"] = (f"({present['not_improving']} OR (diary_rows > 0 AND hours_since_onset >= "
                                f"{NOT_IMPROVING_AFTER_HOURS:g} AND pain > earliest_pain - {MEANINGFUL_CHANGE}))")
    present["worsening"] = f"({present['worsening']} OR (diary_rows > 0 AND pain >= lowest_pain + {MEANINGFUL_CHANGE}))"
    counts: dict[str, str] = {}
    for code in FINDING_CODES:
        f = kb.findings[code]
        counts[code] = code if f.persistent_from_hour is None else f"({code} AND hours_since_onset >= {f.persistent_from_hour:g})"
    order = sorted(FINDING_CODES, key=lambda c: (-URGENCY_RANK[kb.findings[c].level], FINDING_CODES.index(c)))
    levels = [
        f"WHEN {' OR '.join(counts[c] for c in FINDING_CODES if kb.findings[c].level == level)} THEN {_quote(level)}"
        for level in reversed(URGENCY_LEVELS[1:])
        if any(kb.findings[c].level == level for c in FINDING_CODES)
    ]
    reasons = d.drop_nulls(d.array([f"CASE WHEN {counts[c]} THEN {_quote(c)} END" for c in order]))
    checks = _errors(d)
    error = "CASE " + " ".join(f"WHEN {cond} THEN {_quote(msg)}" for cond, msg in checks) + " END"
    flags = ",\n    ".join(f"{expr} AS {code}" for code, expr in present.items())
    lines = [
        f"-- backspasm triage as SQL ({dialect}), compiled from the knowledge base.",
        "-- Input: a table backspasm_input(id, hours_since_onset, pain, age, findings, denied, conditions,",
        "--   diary, text, locale), one row per assessment, with the contract's meaning.",
        f"-- Types: {d.input_types}.",
        "-- The view reads structured columns only: findings stated in `text` are NOT read (rows with",
        "-- text are marked unread_text; screen them with `backspasm screen`, which reads the words).",
        "-- Rows the contract would refuse get urgency NULL and an error; screen them for the full message.",
        d.create(),
        "WITH facts AS (",
        f"  SELECT *, {d.diary_rows()} AS diary_rows, {d.earliest_pain()} AS earliest_pain, {d.lowest_pain()} AS lowest_pain,",
        f"    {error} AS error",
        "  FROM backspasm_input",
        "), present AS (",
        "  SELECT id, hours_since_onset, text, error,",
        f"    {flags}",
        "  FROM facts",
        ")",
        "SELECT id,",
        f"  CASE WHEN error IS NOT NULL THEN NULL {' '.join(levels)} ELSE 'self_care' END AS urgency,",
        f"  CASE WHEN error IS NULL THEN {reasons} END AS reasons,",
        "  error,",
        f"  NOT {d.blank('text')} AS unread_text",
        "FROM present;",
    ]
    return "\n".join(lines) + "\n"


__all__ = ["DIALECTS", "view_sql"]
