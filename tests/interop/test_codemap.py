"""codemap.yaml: every entry loads, maps to a real code, and no record code means two things."""

from __future__ import annotations

import pytest

from backspasm.codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES
from backspasm.interop.codemap import load_codemap, search_codes
from backspasm.interop.systems import ATC, CONDITION_SYSTEM, FINDING_SYSTEM, ICD10, ICD10CM, RXNORM, SNOMED


def test_codemap_loads_with_onset_codes_and_mappings() -> None:
    cmap = load_codemap()
    assert [m.kind for m in cmap.meaning([(SNOMED, "279039007")])] == ["onset"]
    assert cmap.clinical_table.exact and cmap.medicine_table.exact and cmap.allergy_table.exact


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


def test_cancer_counts_as_history_new_signs_as_new_and_the_rest_by_episode() -> None:
    cmap = load_codemap()
    meanings = [m for table in (cmap.clinical_table.exact, cmap.clinical_table.icd) for ms in table.values() for m in ms]
    scopes = {m.code: m.scope for m in meanings if m.kind == "finding"}
    assert scopes.pop("cancer_history") == "history"
    assert {scopes.pop(c) for c in ("bladder_bowel_control_loss", "sexual_dysfunction", "back_deformity")} == {"new"}
    assert set(scopes.values()) == {"episode"}


@pytest.mark.parametrize(
    ("system", "code", "expected"),
    [
        (ICD10CM, "N18.30", {("condition", "kidney_disease")}),
        (ICD10CM, "N1830", {("condition", "kidney_disease")}),  # without the dot
        (ICD10, "N18.3", {("condition", "kidney_disease")}),  # WHO ICD-10
        (ICD10CM, "M54.41", {("onset", "back_pain"), ("finding", "radiating_leg_pain")}),
        (ICD10CM, "M54.6", {("onset", "back_pain"), ("finding", "thoracic_pain")}),
        (ICD10CM, "C44.91", set()),  # a simple skin cancer is not cancer_history
        (ICD10CM, "C50.911", {("finding", "cancer_history")}),
        (ICD10CM, "V43.52XA", {("finding", "major_trauma")}),
        (ICD10CM, "R37", {("finding", "sexual_dysfunction")}),
        (ICD10CM, "R22.2", {("finding", "back_deformity")}),
        (ICD10CM, "O26.891", {("condition", "pregnancy")}),
        (ICD10CM, "R07.0", set()),  # pain in the throat is not chest pain
        (SNOMED, "433144002", {("condition", "kidney_disease")}),  # a listed SNOMED descendant
        (SNOMED, "23056005", {("finding", "radiating_leg_pain")}),
    ],
)
def test_record_codes_map_by_exact_code_or_icd10_prefix(system: str, code: str, expected: set[tuple[str, str]]) -> None:
    assert {(m.kind, m.code) for m in load_codemap().meaning([(system, code)])} == expected


@pytest.mark.parametrize(
    ("codings", "names"),
    [([(RXNORM, "11289")], []), ([(RXNORM, "855332")], []), ([(RXNORM, "1364445")], []), ([(ATC, "B01AA03")], []),
     ([(RXNORM, "309362")], []), ([], ["Xarelto 20 mg tablet"]), ([], ["ENOXAPARIN 40MG/0.4ML INJ"])],
)
def test_blood_thinners_by_ingredient_product_atc_or_name(codings: list[tuple[str, str]], names: list[str]) -> None:
    assert [m.code for m in load_codemap().medication(codings, names)] == ["blood_thinner"]


def test_ordinary_medicines_are_not_blood_thinners() -> None:
    assert load_codemap().medication([(RXNORM, "617310")], ["atorvastatin 20 MG Oral Tablet"]) == []


def test_nsaid_allergies_by_ingredient_substance_or_name() -> None:
    cmap = load_codemap()
    assert [m.code for m in cmap.allergy([(RXNORM, "5640")])] == ["nsaid_allergy"]
    assert [m.code for m in cmap.allergy([(SNOMED, "387458008")])] == ["nsaid_allergy"]
    assert [m.code for m in cmap.allergy([], ["Aspirin-induced asthma"])] == ["nsaid_allergy"]
    assert cmap.allergy([(RXNORM, "7980")], ["penicillin G"]) == []


def test_search_codes_cover_every_exact_finding_code_and_our_own() -> None:
    codes = set(search_codes("observations"))
    assert (FINDING_SYSTEM, "saddle_numbness") in codes and (SNOMED, "29857009") in codes
    assert ("http://loinc.org", "30525-0") in codes


def test_unknown_codes_mean_nothing() -> None:
    assert load_codemap().meaning([(SNOMED, "0000000"), ("", "fever")]) == []
