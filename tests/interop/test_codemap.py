"""codemap.yaml: every entry loads, maps to a real code, and no record code means two things."""

from __future__ import annotations

import pytest

from backspasm.codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES
from backspasm.interop.codemap import load_codemap
from backspasm.interop.systems import CONDITION_SYSTEM, FINDING_SYSTEM, SNOMED


def test_codemap_loads_with_onset_codes_and_mappings() -> None:
    cmap = load_codemap()
    assert (SNOMED, "279039007") in cmap.onset
    assert cmap.clinical and cmap.medications


@pytest.mark.parametrize("code", [c for c in FINDING_CODES if c not in DERIVED_ONLY_FINDINGS])
def test_every_reportable_finding_maps_from_our_own_code_system(code: str) -> None:
    (meaning,) = load_codemap().meaning([(FINDING_SYSTEM, code)])
    assert (meaning.kind, meaning.code) == ("finding", code)


@pytest.mark.parametrize("code", CONDITION_CODES)
def test_every_condition_maps_from_our_own_code_system(code: str) -> None:
    (meaning,) = load_codemap().meaning([(CONDITION_SYSTEM, code)])
    assert (meaning.kind, meaning.code) == ("condition", code)


def test_derived_only_findings_cannot_come_from_the_record() -> None:
    for code in DERIVED_ONLY_FINDINGS:
        assert load_codemap().meaning([(FINDING_SYSTEM, code)]) == []


def test_cancer_counts_as_history_and_the_rest_by_episode() -> None:
    cmap = load_codemap()
    scopes = {m.code: m.scope for m in cmap.clinical.values() if m.kind == "finding"}
    assert scopes.pop("cancer_history") == "history"
    assert set(scopes.values()) == {"episode"}


def test_unknown_codes_mean_nothing() -> None:
    assert load_codemap().meaning([(SNOMED, "0000000"), ("", "fever")]) == []
