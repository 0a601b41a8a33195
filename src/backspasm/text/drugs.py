"""Medicine names read through misspellings: "wafarin" is warfarin, "rivaroxiban" rivaroxaban.

A person on a blood thinner writes its name as they heard it; missing it would put an
anti-inflammatory in their plan without a caution. drugs.yaml lists the names (every
medicine of interop/codemap.yaml among them); a word within a few edits of one (RapidFuzz's
optimal string alignment distance, so a swap of two letters is one edit) and starting
with the same letter reads as that name. The limit grows with the name's length and
short names match exactly only, so everyday words stay themselves (tests check the
limit against every word of the phrase table and the development corpus).
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from ..knowledge import read_yaml

MIN_WORD = 5


class Limit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_length: int = Field(ge=1)
    edits: int = Field(ge=0, le=3)


class DrugData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    max_distance: list[Limit]
    names: list[str] = Field(min_length=1)
    never: list[str] = []


@cache
def load_drugs() -> DrugData:
    return DrugData.model_validate(read_yaml("drugs.yaml", __package__ or "backspasm.text"))


class DrugNames:
    """word -> the medicine name it stands for (or None); results are cached per word."""

    def __init__(self, data: DrugData | None = None) -> None:
        data = data or load_drugs()
        self.names = tuple(n.lower() for n in data.names)
        self._exact = frozenset(self.names)
        self._never = frozenset(w.lower() for w in data.never)
        limits = sorted(data.max_distance, key=lambda m: m.min_length)
        self._limit = {n: max([m.edits for m in limits if len(n) >= m.min_length], default=0) for n in self.names}
        self._by_letter: dict[str, list[str]] = {}
        for n in self.names:
            if self._limit[n]:
                self._by_letter.setdefault(n[0], []).append(n)
        self._cache: dict[str, str | None] = {}

    def limit(self, name: str) -> int:
        """How many edits a word may be from `name` and still read as it."""
        return self._limit.get(name, 0)

    def __call__(self, word: str) -> str | None:
        if word in self._cache:
            return self._cache[word]
        found = self._match(word)
        if len(self._cache) < 50_000:
            self._cache[word] = found
        return found

    def _match(self, word: str) -> str | None:
        if word in self._exact:
            return word
        if len(word) < MIN_WORD or not word.isalpha() or word in self._never:
            return None
        candidates = self._by_letter.get(word[0])
        if not candidates:
            return None
        from rapidfuzz.distance import OSA

        best: tuple[int, str] | None = None
        for name in candidates:
            limit = self._limit[name]
            if abs(len(name) - len(word)) > limit:
                continue
            d = OSA.distance(word, name, score_cutoff=limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, name)
        return best[1] if best else None
