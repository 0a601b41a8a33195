"""The development corpus (tests/text/corpus/) and the phrase table, and how the reader scores on them.

Shared by the corpus tests and `make text-report`. Precision and recall are counted per code
over texts (a code read from a text is a true positive when the annotation has it, a false
positive when it does not); "ruled out" is scored the same way against Reading.ruled_out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from backspasm.codes import CONDITION_CODES, FINDING_CODES
from backspasm.safetynet import red_flags
from backspasm.text import Reading, read
from backspasm.triage import level_of

HERE = Path(__file__).parent
CORPUS_DIR = HERE / "corpus"
FINDINGS = frozenset(FINDING_CODES) - {"long_duration"}
CONDITIONS = frozenset(CONDITION_CODES)
EMERGENCY = frozenset(c for c in FINDINGS if level_of(c) == "emergency")
RED_FLAGS = frozenset(red_flags())


@dataclass(frozen=True)
class Row:
    """One annotated text."""

    text: str
    present: frozenset[str]
    ruled_out: frozenset[str]
    where: str  # file:index, for messages
    source: str = ""  # the URL whose phrasing the text keeps
    judged: frozenset[str] | None = None  # codes the row speaks about (phrase table); None: all


def sources() -> dict[str, str]:
    data: dict[str, str] = yaml.safe_load((CORPUS_DIR / "sources.yaml").read_text(encoding="utf-8"))
    return data


def corpus() -> list[Row]:
    """Every text of the development corpus, with the URL that taught its phrasing."""
    urls = sources()
    rows: list[Row] = []
    for path in sorted(CORPUS_DIR.glob("*.yaml")):
        if path.name == "sources.yaml":
            continue
        items: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, item in enumerate(items):
            rows.append(
                Row(
                    item["text"],
                    frozenset(item.get("present") or ()),
                    frozenset(item.get("ruled_out") or ()),
                    f"{path.name}:{i}",
                    urls.get(item["source"], ""),
                )
            )
    return rows


def phrase_table() -> list[Row]:
    """The unit phrase table (phrases.yaml): `absent` codes count as annotated absent."""
    items: list[dict[str, Any]] = yaml.safe_load((HERE / "phrases.yaml").read_text(encoding="utf-8"))
    return [
        Row(
            r["text"],
            frozenset(r.get("present", ())),
            frozenset(),
            f"phrases.yaml:{i}",
            judged=frozenset((*r.get("present", ()), *r.get("absent", ()))),
        )
        for i, r in enumerate(items)
    ]


@dataclass
class Score:
    """Counts per code: true positives, false positives, false negatives."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (where, code, text)
    raises: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, row: Row, expected: frozenset[str], found: frozenset[str]) -> None:
        for c in expected & found:
            self.tp[c] += 1
        for c in found - expected:
            self.fp[c] += 1
            self.raises.append((row.where, c, row.text))
        for c in expected - found:
            self.fn[c] += 1
            self.misses.append((row.where, c, row.text))

    def totals(self, codes: Iterable[str]) -> tuple[int, int, int]:
        cs = set(codes)
        return (
            sum(v for k, v in self.tp.items() if k in cs),
            sum(v for k, v in self.fp.items() if k in cs),
            sum(v for k, v in self.fn.items() if k in cs),
        )

    def precision(self, codes: Iterable[str]) -> float:
        tp, fp, _ = self.totals(codes)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, codes: Iterable[str]) -> float:
        tp, _, fn = self.totals(codes)
        return tp / (tp + fn) if tp + fn else 1.0

    def f1(self, codes: Iterable[str]) -> float:
        codes = list(codes)
        p, r = self.precision(codes), self.recall(codes)
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Result:
    present: Score
    ruled_out: Score
    readings: list[tuple[Row, Reading]]


def score(rows: list[Row], with_ruled_out: bool = True) -> Result:
    present, ruled = Score(), Score()
    readings = []
    for row in rows:
        reading = read(row.text)
        readings.append((row, reading))
        found = frozenset(reading.findings | reading.conditions)
        present.add(row, row.present, found if row.judged is None else found & row.judged)
        if with_ruled_out:
            ruled.add(row, row.ruled_out, frozenset(reading.ruled_out))
    return Result(present, ruled, readings)
