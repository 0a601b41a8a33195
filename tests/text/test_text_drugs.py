"""Misspelt medicine names (drugs.py): RapidFuzz within a tested distance, never an everyday word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from backspasm.text import read
from backspasm.text.drugs import DrugNames, load_drugs
from backspasm.text.rules import load_lexicon

CODEMAP = Path(__file__).parents[2] / "src" / "backspasm" / "interop" / "codemap.yaml"
HERE = Path(__file__).parent


def test_every_medicine_of_the_code_map_is_a_known_name() -> None:
    data = yaml.safe_load(CODEMAP.read_text(encoding="utf-8"))
    names = {name.lower() for group in data["medicines"] for name in group.get("names", ())}
    assert names
    assert names - set(load_drugs().names) == set()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I'm on wafarin", "blood_thinner"),
        ("taking rivaroxiban for a clot", "blood_thinner"),
        ("apixiban twice a day", "blood_thinner"),
        ("on xeralto", "blood_thinner"),
        ("clopidogral since my stent", "blood_thinner"),
        ("allergic to ibuprofin", "nsaid_allergy"),
        ("I react to dicolfenac", "nsaid_allergy"),
        ("naproxin gives me hives", "nsaid_allergy"),
    ],
)
def test_a_misspelt_medicine_reads_as_the_medicine(text: str, code: str) -> None:
    reading = read(text)
    assert code in reading.conditions


def test_the_distance_limit_grows_with_the_name_and_short_names_match_exactly() -> None:
    drugs = DrugNames()
    assert all(drugs.limit(n) == 0 for n in drugs.names if len(n) < 6)
    assert drugs.limit("plavix") == 1
    assert drugs.limit("rivaroxaban") == 2
    assert drugs("alive") is None
    assert drugs("rivaroxiban") == "rivaroxaban"
    assert drugs("rivoroxibon") is None  # three edits: too far


def _vocabulary() -> set[str]:
    words: set[str] = set()
    texts = [r["text"] for r in yaml.safe_load((HERE / "phrases.yaml").read_text(encoding="utf-8"))]
    for path in (HERE / "corpus").glob("*.yaml"):
        if path.name != "sources.yaml":
            texts += [r["text"] for r in yaml.safe_load(path.read_text(encoding="utf-8"))]
    lexicon = load_lexicon()
    texts += [m for ms in lexicon.sets.values() for m in ms]
    texts += [p for t in lexicon.targets for p in t.phrases]
    for t in texts:
        words.update(re.findall(r"[a-z]+", t.lower()))
    return words


def test_no_everyday_word_of_the_phrase_table_corpus_or_lexicon_is_taken_for_a_medicine() -> None:
    drugs = DrugNames()
    names = set(drugs.names)
    hits = {w: drugs(w) for w in _vocabulary() - names if drugs(w) is not None}
    # the only words near a name are misspellings of it, written on purpose in the tests
    assert set(hits) <= {"wafarin", "rivaroxiban", "apixiban", "xeralto", "ibruprofen", "ibuprofin", "naproxin",
                         "warferin", "warfrin", "elliquis", "eliqus", "ibuprophen", "ibroprofen", "zarelto",
                         "ibuprofene", "warfarine", "keptoprofen"}, hits  # fmt: skip
