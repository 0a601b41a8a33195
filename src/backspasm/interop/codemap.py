"""The record-code value sets (codemap.yaml): which SNOMED / ICD-10 / RxNorm / ATC / LOINC codes mean what.

Loaded once with a closed schema, like the knowledge base, so a typo in a system name
or a finding code fails at load with the entry named. ICD-10 and ATC match by prefix
(their hierarchy is in the code); SNOMED CT and RxNorm by the listed codes; medicines
and allergies also by name, so a record that spells the drug out is still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES, ConditionCode, ReportableFindingCode
from ..knowledge import KnowledgeError, read_yaml
from .systems import ATC, CONDITION_SYSTEM, FINDING_SYSTEM, ICD10, ICD10CM, LOINC, RXNORM, SNOMED

SYSTEMS: dict[str, str] = {"snomed": SNOMED, "icd10cm": ICD10CM, "icd10": ICD10, "loinc": LOINC, "rxnorm": RXNORM,
                           "atc": ATC}
ICD_SYSTEMS = frozenset({ICD10CM, ICD10})
# The systems whose codes this table reads: a record coded only in others cannot be understood.
READ_SYSTEMS = frozenset({SNOMED, ICD10CM, ICD10, LOINC, RXNORM, ATC, FINDING_SYSTEM, CONDITION_SYSTEM})
Scope = Literal["episode", "new", "history", "active"]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Code(_Closed):
    system: Literal["snomed", "icd10cm", "icd10", "loinc", "rxnorm", "atc"]
    code: str
    display: str

    @property
    def uri(self) -> str:
        return SYSTEMS[self.system]


class Prefix(_Closed):
    system: Literal["icd10", "atc"]
    prefix: str
    display: str


class Plain(_Closed):
    code: str
    display: str


class _Entry(_Closed):
    codes: tuple[Code, ...] = ()
    prefixes: tuple[Prefix, ...] = ()


class FindingEntry(_Entry):
    finding: ReportableFindingCode
    scope: Literal["episode", "new", "history"]


class ConditionEntry(_Entry):
    condition: ConditionCode
    scope: Literal["active", "history"]


class MedicineEntry(_Closed):
    condition: ConditionCode
    cls: str
    atc: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    ingredients: tuple[Plain, ...] = ()
    products: tuple[Plain, ...] = ()
    snomed: tuple[Plain, ...] = ()


class _Numbers(_Closed):
    codes: tuple[Code, ...]
    answers: dict[str, int] = {}
    fever_at: dict[str, float] = {}


class _File(_Closed):
    onset: _Entry
    findings: tuple[dict[str, Any], ...]
    conditions: tuple[dict[str, Any], ...]
    medicines: tuple[dict[str, Any], ...]
    allergies: tuple[dict[str, Any], ...]
    pain: _Numbers
    temperature: _Numbers
    age: tuple[Code, ...]


@dataclass(frozen=True)
class Meaning:
    """What one record code means: a finding (with its scope), a condition, or the back pain's onset."""

    kind: Literal["finding", "condition", "onset"]
    code: str
    scope: Scope


def _norm_icd(code: str) -> str:
    return code.replace(".", "").strip().upper()


@dataclass(frozen=True)
class _Table:
    """Exact codes and prefixes (ICD-10, ATC) to meanings."""

    exact: dict[tuple[str, str], tuple[Meaning, ...]]
    icd: dict[str, tuple[Meaning, ...]]  # normalised prefix -> meanings
    atc: dict[str, tuple[Meaning, ...]]
    names: tuple[tuple[re.Pattern[str], Meaning], ...] = ()

    def lookup(self, system: str, code: str) -> tuple[Meaning, ...]:
        found = self.exact.get((system, code), ())
        if system in ICD_SYSTEMS:
            found += _by_prefix(self.icd, _norm_icd(code))
        elif system == ATC:
            found += _by_prefix(self.atc, code.strip().upper())
        return found

    def by_name(self, text: str) -> tuple[Meaning, ...]:
        return tuple(m for pattern, m in self.names if pattern.search(text))


def _by_prefix(table: dict[str, tuple[Meaning, ...]], code: str) -> tuple[Meaning, ...]:
    out: tuple[Meaning, ...] = ()
    for end in range(1, len(code) + 1):
        out += table.get(code[:end], ())
    return out


@dataclass(frozen=True)
class CodeMap:
    clinical_table: _Table  # Condition and Observation codes (onset, findings, conditions)
    medicine_table: _Table
    allergy_table: _Table
    pain_codes: frozenset[tuple[str, str]]
    pain_answers: dict[str, int]
    temperature_codes: frozenset[tuple[str, str]]
    fever_at: dict[str, float]
    age_codes: frozenset[tuple[str, str]]
    first_code: dict[str, Code]  # finding or condition code -> its first standard code (for export)

    def meaning(self, codings: Iterable[tuple[str, str]]) -> list[Meaning]:
        """Every meaning of a Condition's or Observation's codings (a concept may carry several codings)."""
        out: list[Meaning] = []
        for system, code in codings:
            if system == FINDING_SYSTEM and code in _reportable():
                out.append(Meaning("finding", code, _own_scope(code)))
            elif system == CONDITION_SYSTEM and code in _conditions():
                out.append(Meaning("condition", code, "history" if code == "nsaid_allergy" else "active"))
            else:
                out += self.clinical_table.lookup(system, code)
        return _unique(out)

    def medication(self, codings: Iterable[tuple[str, str]], names: Iterable[str] = ()) -> list[Meaning]:
        """The conditions a medicine sets, from its codes (RxNorm, ATC, our own) or its names."""
        return self._substance(self.medicine_table, codings, names)

    def allergy(self, codings: Iterable[tuple[str, str]], names: Iterable[str] = ()) -> list[Meaning]:
        """The conditions an allergy's substance sets (an NSAID or aspirin allergy)."""
        return self._substance(self.allergy_table, codings, names)

    def _substance(self, table: _Table, codings: Iterable[tuple[str, str]], names: Iterable[str]) -> list[Meaning]:
        out: list[Meaning] = []
        for system, code in codings:
            if system == CONDITION_SYSTEM and code in _conditions():
                out.append(Meaning("condition", code, "active"))
            else:
                out += table.lookup(system, code)
        for name in names:
            out += table.by_name(name)
        return _unique(out)


def _unique(meanings: list[Meaning]) -> list[Meaning]:
    return list(dict.fromkeys(meanings))


@cache
def _reportable() -> frozenset[str]:
    return frozenset(FINDING_CODES) - DERIVED_ONLY_FINDINGS


@cache
def _conditions() -> frozenset[str]:
    return frozenset(CONDITION_CODES)


def _own_scope(code: str) -> Scope:
    return "history" if code == "cancer_history" else "episode"


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.exact: dict[tuple[str, str], tuple[Meaning, ...]] = {}
        self.icd: dict[str, tuple[Meaning, ...]] = {}
        self.atc: dict[str, tuple[Meaning, ...]] = {}
        self.names: list[tuple[re.Pattern[str], Meaning]] = []

    def add(self, key: Any, meaning: Meaning, table: dict[Any, tuple[Meaning, ...]]) -> None:
        if meaning not in table.get(key, ()):
            table[key] = (*table.get(key, ()), meaning)

    def entry(self, entry: _Entry, meaning: Meaning) -> None:
        for c in entry.codes:
            self.add((c.uri, c.code), meaning, self.exact)
        for p in entry.prefixes:
            if p.system == "icd10":
                self.add(_norm_icd(p.prefix), meaning, self.icd)
            else:
                self.add(p.prefix.upper(), meaning, self.atc)

    def substance(self, m: MedicineEntry) -> None:
        meaning = Meaning("condition", m.condition, "active")
        for c in (*m.ingredients, *m.products):
            self.add((RXNORM, c.code), meaning, self.exact)
        for c in m.snomed:
            self.add((SNOMED, c.code), meaning, self.exact)
        for prefix in m.atc:
            self.add(prefix.upper(), meaning, self.atc)
        for word in m.names:
            self.names.append((re.compile(rf"\b{re.escape(word.lower())}", re.IGNORECASE), meaning))

    def table(self) -> _Table:
        return _Table(self.exact, self.icd, self.atc, tuple(self.names))


def _parse(name: str, model: type[BaseModel], rows: tuple[dict[str, Any], ...]) -> list[Any]:
    out = []
    for i, row in enumerate(rows):
        data = dict(row)
        if "class" in data:
            data["cls"] = data.pop("class")
        try:
            out.append(model.model_validate(data))
        except Exception as e:  # pydantic names the key; we name the entry
            raise KnowledgeError(f"{name}: entry {i} ({row.get('finding') or row.get('condition')}): {e}") from None
    return out


@cache
def load_codemap() -> CodeMap:
    """Load and check codemap.yaml (once per process)."""
    name = "codemap.yaml"
    raw = read_yaml(name, __package__ or "backspasm.interop")
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{name}: expected a mapping with onset, findings, conditions, medicines, ...")
    try:
        top = _File.model_validate(raw)
    except Exception as e:  # pydantic's message names the key
        raise KnowledgeError(f"{name}: {e}") from None
    clinical = _Builder(name)
    clinical.entry(top.onset, Meaning("onset", "back_pain", "active"))
    first: dict[str, Code] = {}
    for f in _parse(name, FindingEntry, top.findings):
        clinical.entry(f, Meaning("finding", f.finding, f.scope))
        if f.codes:
            first.setdefault(f.finding, f.codes[0])
    for c in _parse(name, ConditionEntry, top.conditions):
        clinical.entry(c, Meaning("condition", c.condition, c.scope))
        if c.codes:
            first.setdefault(c.condition, c.codes[0])
    medicines = _Builder(name)
    for m in _parse(name, MedicineEntry, top.medicines):
        medicines.substance(m)
    allergies = _Builder(name)
    for m in _parse(name, MedicineEntry, top.allergies):
        allergies.substance(m)
    bad = [k for k, v in top.pain.answers.items() if not 0 <= v <= 10]
    if bad:
        raise KnowledgeError(f"{name}: pain answer {bad[0]} is outside 0-10")
    return CodeMap(
        clinical_table=clinical.table(),
        medicine_table=medicines.table(),
        allergy_table=allergies.table(),
        pain_codes=frozenset((c.uri, c.code) for c in top.pain.codes),
        pain_answers=dict(top.pain.answers),
        temperature_codes=frozenset((c.uri, c.code) for c in top.temperature.codes),
        fever_at=dict(top.temperature.fever_at),
        age_codes=frozenset((c.uri, c.code) for c in top.age),
        first_code=first,
    )


def search_codes(kind: Literal["observations", "conditions"]) -> list[tuple[str, str]]:
    """The exact (system, code) pairs a prefetch search by code can ask for (prefixes cannot be searched)."""
    raw = read_yaml("codemap.yaml", __package__ or "backspasm.interop")
    out: list[tuple[str, str]] = []
    entries = [*raw["findings"], *(raw["conditions"] if kind == "conditions" else [])]
    for entry in entries:
        out += [(SYSTEMS[c["system"]], c["code"]) for c in entry.get("codes", ())]
    out += [(FINDING_SYSTEM, code) for code in FINDING_CODES if code not in DERIVED_ONLY_FINDINGS]
    if kind == "observations":
        out += [(SYSTEMS[c["system"]], c["code"]) for c in raw["age"]]
    return list(dict.fromkeys(out))


__all__ = ["READ_SYSTEMS", "CodeMap", "Meaning", "load_codemap", "search_codes"]
