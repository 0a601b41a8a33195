"""The knowledge base: complete, cited, and strict about its own format."""

from __future__ import annotations

import pytest

from backspasm.codes import CONDITION_CODES, FINDING_CODES, PLAN_CODES, PREVENTION_CODES, PROFESSIONAL_CODES
from backspasm.knowledge import KnowledgeError, _exactly_once, load, parse_entries, vocabulary
from backspasm.knowledge.schema import PlanRule

KB = load()


@pytest.mark.parametrize(("section", "code", "ref"), KB.citations())
def test_every_rule_cites_a_known_source(section: str, code: str, ref: str) -> None:
    assert ref in KB.sources, f"{section} {code} cites unknown {ref}"


@pytest.mark.parametrize("code", FINDING_CODES)
def test_every_finding_has_a_label_question_and_reason_text(code: str) -> None:
    f = KB.findings[code]
    assert f.label and f.question.endswith("?") and len(f.text) > 30


def test_every_code_of_the_contract_is_described() -> None:
    assert set(KB.findings) == set(FINDING_CODES)
    assert set(KB.conditions) == set(CONDITION_CODES)
    assert [r.code for r in KB.plan] == list(PLAN_CODES)
    assert {r.code for r in KB.professional} == set(PROFESSIONAL_CODES)
    assert {r.code for r in KB.prevention} == set(PREVENTION_CODES)


def test_guideline_facts_cite_guidelines_and_article_facts_cite_the_article() -> None:
    assert KB.findings["saddle_numbness"].source.ref.startswith("guideline:")
    assert KB.findings["leg_tingling"].source.ref == "article:when-to-consult"
    assert {r.source.ref for r in KB.prevention} == {"article:prevention"}


def test_an_unknown_key_fails_at_load_naming_file_and_entry() -> None:
    raw = [{"code": "nsaid", "title": "t", "text": "x", "source": {"ref": "label:otc-nsaid"},
            "when": {"urgency_in": ["self_care"], "hours_since_onset_over": 3}}]
    with pytest.raises(KnowledgeError, match=r"plan.yaml: entry 0 \(nsaid\).*hours_since_onset_over"):
        parse_entries("plan.yaml", PlanRule, raw)


def test_an_unknown_code_fails_at_load() -> None:
    raw = [{"code": "nsaid", "title": "t", "text": "x", "source": {"ref": "label:otc-nsaid"},
            "when": {"findings_any": ["fevr"]}}]
    with pytest.raises(KnowledgeError, match="fevr"):
        parse_entries("plan.yaml", PlanRule, raw)


def test_an_unknown_source_fails_at_load() -> None:
    raw = [{"code": "nsaid", "title": "t", "text": "x", "source": {"ref": "blog:someone"}, "when": {}}]
    with pytest.raises(KnowledgeError, match="source"):
        parse_entries("plan.yaml", PlanRule, raw)


def test_a_missing_or_repeated_entry_fails() -> None:
    with pytest.raises(KnowledgeError, match="no entry for b"):
        _exactly_once("x.yaml", ["a"], ["a", "b"])
    with pytest.raises(KnowledgeError, match="more than once"):
        _exactly_once("x.yaml", ["a", "a"], ["a"])


def test_vocabulary_is_the_one_json_registry() -> None:
    v = vocabulary()
    assert {f["code"] for f in v["findings"]} == set(FINDING_CODES)
    assert v["levels"][0]["code"] == "self_care"
    assert all("ref" in s for s in v["sources"])
