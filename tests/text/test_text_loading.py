"""Loading: the rule files are strict, the pipeline is cached and quiet, and text-free paths never load spaCy."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from backspasm.codes import CONDITION_CODES, FINDING_CODES
from backspasm.text import rules
from backspasm.text.pipeline import pipeline


def test_importing_backspasm_and_assessing_without_text_never_imports_spacy() -> None:
    code = (
        "import sys, json\n"
        "from backspasm import assess, parse_assessment\n"
        "r = assess(parse_assessment({'hours_since_onset': 30, 'pain': 5, 'findings': ['leg_tingling']}))\n"
        "r = assess(parse_assessment({'hours_since_onset': 30, 'pain': 5, 'text': '   '}))\n"
        "print(json.dumps([m for m in ('spacy', 'medspacy', 'backspasm.text.reader') if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_loading_skips_quickumls_but_leaves_it_importable() -> None:
    code = (
        "import sys\n"
        "from backspasm.text.reader import load\n"
        "load()\n"
        "assert 'quickumls' not in sys.modules and 'nltk' not in sys.modules\n"
        "import quickumls\n"
        "assert hasattr(quickumls, 'QuickUMLS')\n"
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=True)


def test_the_pipeline_is_built_once_per_process() -> None:
    assert pipeline() is pipeline()


def test_reading_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    from backspasm.text import read

    read("no numbness but my legs keep giving way")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_every_readable_code_has_lexicon_entries() -> None:
    lexicon = rules.load_lexicon()
    covered = {c for entry in lexicon.targets for c in entry.codes}
    readable = (set(FINDING_CODES) - {"long_duration"}) | set(CONDITION_CODES)
    assert readable - {"severe_pain"} <= covered | {"severe_pain"}
    assert readable <= covered


def test_every_compiled_pattern_is_a_valid_spacy_pattern() -> None:
    from spacy.schemas import validate_token_pattern

    nlp = pipeline()
    lexicon = rules.load_lexicon()
    patterns = [t.pattern for t in rules.compile_targets(lexicon, nlp.norms)]
    patterns += [c.pattern for c in rules.compile_context(rules.load_context(), lexicon.sets, nlp.norms)]
    assert len(patterns) > 500
    invalid = [(p, errors) for p in patterns if (errors := validate_token_pattern(p))]
    assert invalid == []


def _patched(monkeypatch: pytest.MonkeyPatch, name: str, change: Any) -> None:
    original = rules.read_yaml

    def fake(file: str, package: str) -> Any:
        data = original(file, package)
        return change(data) if file == name else data

    monkeypatch.setattr(rules, "read_yaml", fake)


def test_an_unknown_key_in_the_lexicon_fails_at_load_naming_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def change(data: dict[str, Any]) -> dict[str, Any]:
        data["targets"][0]["phrasez"] = ["x"]
        return data

    _patched(monkeypatch, "lexicon.yaml", change)
    with pytest.raises(rules.RulesError, match=r"lexicon\.yaml: targets\.0\.phrasez"):
        rules.load_lexicon()


def test_an_unknown_code_in_the_lexicon_fails_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def change(data: dict[str, Any]) -> dict[str, Any]:
        data["targets"][0]["code"] = "leg_tingle"
        return data

    _patched(monkeypatch, "lexicon.yaml", change)
    with pytest.raises(rules.RulesError, match="unknown code 'leg_tingle'"):
        rules.load_lexicon()


def test_an_unknown_category_in_the_context_rules_fails_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def change(data: dict[str, Any]) -> dict[str, Any]:
        data["rules"][0]["terminated_by"] = ["CLAUS"]
        return data

    _patched(monkeypatch, "context.yaml", change)
    with pytest.raises(rules.RulesError, match="unknown category 'CLAUS'"):
        rules.load_context()


def test_a_phrase_naming_an_unknown_set_fails_at_compile() -> None:
    compiler = rules.PhraseCompiler(lambda s: s.split(), {"LEG": ["leg"]}, "lexicon.yaml")
    with pytest.raises(rules.RulesError, match=r"unknown set \$LEGS"):
        compiler.compile("numb ~2 $LEGS", "targets[0]")
