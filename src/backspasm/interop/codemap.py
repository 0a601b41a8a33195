"""The record-code table (codemap.yaml): which SNOMED / ICD-10 / RxNorm codes mean which finding.

Loaded once with a closed schema, like the knowledge base, so a typo in a system
name or a finding code fails at load with the entry named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES, ConditionCode, ReportableFindingCode
from ..knowledge import KnowledgeError, parse_entries, read_yaml
from .systems import ATC, CONDITION_SYSTEM, FINDING_SYSTEM, ICD10CM, LOINC, RXNORM, SNOMED

SYSTEMS: dict[str, str] = {"snomed": SNOMED, "icd10cm": ICD10CM, "loinc": LOINC, "rxnorm": RXNORM, "atc": ATC}
Scope = Literal["episode", "history", "active"]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Code(_Closed):
    system: Literal["snomed", "icd10cm", "loinc", "rxnorm", "atc"]
    code: str
    display: str

    @property
    def uri(self) -> str:
        return SYSTEMS[self.system]


class FindingEntry(_Closed):
    finding: ReportableFindingCode
    scope: Literal["episode", "history"]
    codes: tuple[Code, ...]


class ConditionEntry(_Closed):
    condition: ConditionCode
    codes: tuple[Code, ...]


class _File(_Closed):
    onset: tuple[Code, ...]
    findings: tuple[dict[str, Any], ...]
    conditions: tuple[dict[str, Any], ...]
    medications: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Meaning:
    """What one record code means: a finding (with its scope) or a condition."""

    kind: Literal["finding", "condition", "onset"]
    code: str
    scope: Scope


@dataclass(frozen=True)
class CodeMap:
    onset: frozenset[tuple[str, str]]
    clinical: dict[tuple[str, str], Meaning]  # Condition / Observation codes
    medications: dict[tuple[str, str], Meaning]
    first_code: dict[str, Code]  # finding or condition code -> its first standard code

    def meaning(self, codings: Iterable[tuple[str, str]]) -> list[Meaning]:
        """Every meaning of a resource's codings (a concept may carry several codings)."""
        out: list[Meaning] = []
        for system, code in codings:
            if (system, code) in self.onset:
                out.append(Meaning("onset", "back_pain", "active"))
            elif system == FINDING_SYSTEM and code in _reportable():
                out.append(Meaning("finding", code, _own_scope(code)))
            elif system == CONDITION_SYSTEM and code in _conditions():
                out.append(Meaning("condition", code, "active"))
            elif (system, code) in self.clinical:
                out.append(self.clinical[(system, code)])
        return out

    def medication(self, codings: Iterable[tuple[str, str]]) -> list[Meaning]:
        return [self.medications[c] for c in codings if c in self.medications] + [
            Meaning("condition", code, "active") for system, code in codings if system == CONDITION_SYSTEM
        ]


def _reportable() -> frozenset[str]:
    return frozenset(FINDING_CODES) - DERIVED_ONLY_FINDINGS


def _conditions() -> frozenset[str]:
    return frozenset(CONDITION_CODES)


def _own_scope(code: str) -> Scope:
    return "history" if code == "cancer_history" else "episode"


@cache
def load_codemap() -> CodeMap:
    """Load and check codemap.yaml (once per process)."""
    name = "codemap.yaml"
    raw = read_yaml(name, __package__ or "backspasm.interop")
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{name}: expected a mapping with onset, findings, conditions, medications")
    try:
        top = _File.model_validate(raw)
    except Exception as e:  # pydantic's message names the key
        raise KnowledgeError(f"{name}: {e}") from None
    findings = parse_entries(name, FindingEntry, list(top.findings))
    conditions = parse_entries(name, ConditionEntry, list(top.conditions))
    medications = parse_entries(name, ConditionEntry, list(top.medications))
    clinical: dict[tuple[str, str], Meaning] = {}
    first: dict[str, Code] = {}
    for f in findings:
        for c in f.codes:
            _put(name, clinical, (c.uri, c.code), Meaning("finding", f.finding, f.scope))
            first.setdefault(f.finding, c)
    for cond in conditions:
        for c in cond.codes:
            _put(name, clinical, (c.uri, c.code), Meaning("condition", cond.condition, "active"))
            first.setdefault(cond.condition, c)
    meds: dict[tuple[str, str], Meaning] = {}
    for m in medications:
        for c in m.codes:
            _put(name, meds, (c.uri, c.code), Meaning("condition", m.condition, "active"))
    onset = frozenset((c.uri, c.code) for c in top.onset)
    clash = onset & clinical.keys()
    if clash:
        raise KnowledgeError(f"{name}: {sorted(clash)[0]} is both an onset code and a finding or condition")
    return CodeMap(onset=onset, clinical=clinical, medications=meds, first_code=first)


def _put(name: str, table: dict[tuple[str, str], Meaning], key: tuple[str, str], meaning: Meaning) -> None:
    if key in table and table[key] != meaning:
        raise KnowledgeError(f"{name}: {key[0]}|{key[1]} maps to both {table[key].code} and {meaning.code}")
    table[key] = meaning


__all__ = ["CodeMap", "Meaning", "load_codemap"]
