"""The lexicon and context rules as data: strict schemas, and their compilation into spaCy and medspaCy rules.

lexicon.yaml and context.yaml are reviewed data; this module only checks them (unknown
keys, codes, sets or categories fail at load, naming the file and entry) and turns
each phrase into spaCy token patterns matched on normalised words. Nothing in the
data is ever evaluated.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..codes import CONDITION_CODES, DERIVED_ONLY_FINDINGS, FINDING_CODES
from ..knowledge import read_yaml

READABLE_CODES: frozenset[str] = frozenset(FINDING_CODES) - DERIVED_ONLY_FINDINGS
CONDITIONS: frozenset[str] = frozenset(CONDITION_CODES)
NONE_CODE = "none"  # a span that is no finding: it hides bare symptom words inside it
BARE_SUFFIX = "#BARE"
UNSURE_SUFFIX = "#UNSURE"
MAX_EXPANSIONS = 3000

# Words a `~N` gap never crosses: they start a new clause or negate what follows.
GAP_STOP = [
    "but", "however", "although", "though", "except", "no", "not", "never", "without", "nor",
    "whereas", "while", "whilst", "so", "because", "yet", "otherwise", "apart",
]  # fmt: skip
HYPHENS = ["-", "–"]
OPTIONAL_HYPHEN: dict[str, Any] = {"ORTH": "-", "OP": "?"}  # plain equality: spaCy tests it without a Python call

Direction = Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "PSEUDO"]
Scope = Literal["skin_type", "skin_type_sentence", "sentence", "list", "near", "near_plain", "subject", "fear", "conditional"]
Effect = Literal["deny", "discard", "discard_unless_current", "current", "boundary", "none"]


_M = TypeVar("_M", bound=BaseModel)


class RulesError(ValueError):
    """The lexicon or context data is malformed (names the file and the entry)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Rewrite(_Strict):
    phrase: str
    as_: str = Field(alias="as")


class TargetEntry(_Strict):
    code: str | list[str]
    phrases: list[str] = Field(min_length=1)
    bare_phrases: list[str] = []
    uncertain: bool = False
    note: str | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.code,) if isinstance(self.code, str) else tuple(self.code)

    @field_validator("code")
    @classmethod
    def _known(cls, v: str | list[str]) -> str | list[str]:
        for code in [v] if isinstance(v, str) else v:
            if code != NONE_CODE and code not in READABLE_CODES and code not in CONDITIONS:
                raise ValueError(f"unknown code {code!r}")
        return v


class Lexicon(_Strict):
    spelling: dict[str, str]
    rewrites: list[Rewrite]
    sets: dict[str, list[str]]
    targets: list[TargetEntry]


class Category(_Strict):
    effect: Effect
    meaning: str


class ContextGroup(_Strict):
    category: str
    direction: Direction
    phrases: list[str] = []
    patterns: list[list[dict[str, Any]]] = []
    max_scope: int | None = Field(default=None, ge=1)
    scope: Scope = "sentence"
    terminated_by: list[str] = []
    codes: list[str] | None = None
    except_codes: list[str] | None = None


class ContextData(_Strict):
    categories: dict[str, Category]
    rules: list[ContextGroup]


@dataclass(frozen=True, slots=True)
class CompiledTarget:
    """One spaCy token pattern of a target rule, with the label that carries its codes."""

    label: str
    pattern: list[dict[str, Any]]
    source: str


@dataclass(frozen=True, slots=True)
class CompiledContext:
    """One spaCy pattern for ConText, with the group it came from."""

    group: ContextGroup
    pattern: list[dict[str, Any]]
    source: str


def load_lexicon() -> Lexicon:
    return _parse("lexicon.yaml", Lexicon)


def load_context() -> ContextData:
    data = _parse("context.yaml", ContextData)
    known = set(data.categories)
    for i, group in enumerate(data.rules):
        where = f"context.yaml: rules[{i}] ({group.category})"
        if group.category not in known:
            raise RulesError(f"{where}: unknown category {group.category!r}")
        for other in group.terminated_by:
            if other not in known:
                raise RulesError(f"{where}: terminated_by names unknown category {other!r}")
        for code in [*(group.codes or ()), *(group.except_codes or ())]:
            if code not in READABLE_CODES and code not in CONDITIONS:
                raise RulesError(f"{where}: unknown code {code!r}")
        if not group.phrases and not group.patterns:
            raise RulesError(f"{where}: needs phrases or patterns")
    return data


def _parse(name: str, model: type[_M]) -> _M:
    raw = read_yaml(name, __package__ or "backspasm.text")
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise RulesError(f"{name}: {loc}: {first['msg']}") from None


class PhraseCompiler:
    """Turns the phrase syntax of lexicon.yaml into spaCy token patterns on NORM."""

    def __init__(self, norms: Callable[[str], list[str]], sets: dict[str, list[str]], where: str) -> None:
        self._norms = norms
        self._where = where
        self._set_tokens = set_tokens(sets, norms)

    def _words(self, text: str, where: str) -> list[str]:
        words = self._norms(text)
        if not words:
            raise RulesError(f"{self._where}: {where}: {text!r} has no words")
        return words

    def _choices(self, members: list[list[str]], literal: bool) -> list[list[dict[str, Any]]]:
        """The alternatives of one item. In a literal phrase each is its own word sequence (a
        PhraseMatcher entry); in a pattern, single words share one element, longer ones expand."""
        unique = list(dict.fromkeys(tuple(m) for m in members))
        if literal:
            return [_with_hyphens([{"NORM": w} for w in m]) for m in unique]
        singles = [m[0] for m in unique if len(m) == 1]
        out: list[list[dict[str, Any]]] = []
        if singles:
            out.append([{"NORM": singles[0]} if len(singles) == 1 else {"NORM": {"IN": sorted(singles)}}])
        out.extend(_with_hyphens([{"NORM": w} for w in m]) for m in unique if len(m) > 1)
        return out

    def compile(self, phrase: str, where: str) -> list[list[dict[str, Any]]]:
        """Every spaCy pattern one phrase stands for.

        `a|b` lists single-word alternatives; `(a b|c)` lists phrases of any length.
        """
        items = _ITEM.findall(phrase)
        literal = not any(i.startswith(("~", "$")) or (i.endswith("?") and len(i) > 1) for i in items)
        alternatives: list[list[list[dict[str, Any]]]] = []
        for item in items:
            optional = item.endswith("?") and len(item) > 1
            if optional:
                item = item[:-1]
            if item.startswith("(") and item.endswith(")"):
                choices = self._choices([self._words(w, where) for w in item[1:-1].split("|") if w.strip()], literal)
            elif item.startswith("~") and item[1:].isdigit():
                choices = [[_gap(int(item[1:]))]]
            elif item.startswith("$"):
                if item[1:] not in self._set_tokens:
                    raise RulesError(f"{self._where}: {where}: unknown set {item}")
                choices = [[dict(self._set_tokens[item[1:]])]]
            elif "|" in item:
                choices = self._choices([self._words(w, where) for w in item.split("|") if w], literal)
            else:
                choices = [_with_hyphens([{"NORM": w} for w in self._words(item, where)])]
            if optional:
                choices = [*choices, []]
            alternatives.append(choices)
        patterns = []
        for combo in itertools.islice(itertools.product(*alternatives), MAX_EXPANSIONS + 1):
            pattern: list[dict[str, Any]] = []
            for part in combo:
                if pattern and part and _is_word(pattern[-1]) and _is_word(part[0]):
                    pattern.append(dict(OPTIONAL_HYPHEN))
                pattern.extend(part)
            while pattern and not _is_word(pattern[-1]):
                pattern.pop()  # a trailing gap or optional item adds nothing to a match
            while pattern and not _is_word(pattern[0]):
                pattern.pop(0)
            if not pattern:
                raise RulesError(f"{self._where}: {where}: {phrase!r} has an alternative with no words")
            patterns.append(pattern)
        if len(patterns) > MAX_EXPANSIONS:
            raise RulesError(f"{self._where}: {where}: {phrase!r} expands to too many patterns")
        return patterns


_ITEM = re.compile(r"\([^)]*\)\??|\S+")


MAX_SETS_PER_WORD = 12


def membership_key(names: Iterable[str]) -> str:
    """How a token's set memberships are written into its LEMMA (free in a blank pipeline)."""
    return "|".join(sorted(names))


def set_tokens(sets: dict[str, list[str]], norms: Callable[[str], list[str]]) -> dict[str, dict[str, Any]]:
    """For each set, one pattern element matching a whole member, single or multi-word.

    Before matching, each token of a member found in the text gets the names of its sets
    in LEMMA. A set's element lists every LEMMA value that includes it, so spaCy tests it
    as a plain value lookup (a custom `_` attribute would cost a Python call per token).
    """
    members = {name: [norms(m) for m in ms] for name, ms in sets.items()}
    sets_of_word: dict[str, set[str]] = {}
    for name, ms in members.items():
        for words in ms:
            for w in words:
                sets_of_word.setdefault(w, set()).add(name)
    keys: dict[str, set[str]] = {name: set() for name in sets}
    for word, names in sets_of_word.items():
        if len(names) > MAX_SETS_PER_WORD:
            raise RulesError(f"lexicon.yaml: the word {word!r} is in {len(names)} sets; at most {MAX_SETS_PER_WORD}")
        ordered = sorted(names)
        for r in range(1, len(ordered) + 1):
            for combo in itertools.combinations(ordered, r):
                key = membership_key(combo)
                for name in combo:
                    keys[name].add(key)
    out: dict[str, dict[str, Any]] = {}
    for name, ms in members.items():
        element: dict[str, Any] = {"LEMMA": {"IN": sorted(keys[name])}}
        if any(len(words) > 1 for words in ms):
            element["OP"] = "+"
        out[name] = element
    return out


def _gap(n: int) -> dict[str, Any]:
    return {"NORM": {"NOT_IN": GAP_STOP}, "IS_PUNCT": False, "IS_SPACE": False, "OP": f"{{0,{n}}}"}


def _is_word(token: dict[str, Any]) -> bool:
    """An element that matches at least one word (not a gap, an optional item or a hyphen)."""
    op = str(token.get("OP", ""))
    return ("NORM" in token or "LEMMA" in token) and op not in ("?", "*") and not op.startswith("{0")


def _with_hyphens(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for t in tokens:
        if out and t.get("NORM") not in HYPHENS and out[-1].get("NORM") not in HYPHENS:
            out.append(dict(OPTIONAL_HYPHEN))
        out.append(t)
    return out


def compile_targets(lexicon: Lexicon, norms: Callable[[str], list[str]]) -> list[CompiledTarget]:
    """The target rules' patterns: label = the entry's codes joined by '+', bare ones marked."""
    compiler = PhraseCompiler(norms, lexicon.sets, "lexicon.yaml")
    out: list[CompiledTarget] = []
    for i, entry in enumerate(lexicon.targets):
        label = "+".join(c.upper() for c in entry.codes)
        bare = set(entry.bare_phrases)
        unknown = bare - set(entry.phrases)
        if unknown:
            raise RulesError(f"lexicon.yaml: targets[{i}]: bare_phrases not in phrases: {sorted(unknown)}")
        for j, phrase in enumerate(entry.phrases):
            where = f"targets[{i}].phrases[{j}]"
            mark = (BARE_SUFFIX if phrase in bare else "") + (UNSURE_SUFFIX if entry.uncertain else "")
            for pattern in compiler.compile(phrase, where):
                out.append(CompiledTarget(label + mark, pattern, f"{where}: {phrase}"))
    return out


def compile_context(data: ContextData, sets: dict[str, list[str]], norms: Callable[[str], list[str]]) -> list[CompiledContext]:
    """ConText's patterns, one per phrase expansion or raw pattern."""
    compiler = PhraseCompiler(norms, sets, "context.yaml")
    out: list[CompiledContext] = []
    for i, group in enumerate(data.rules):
        for j, phrase in enumerate(group.phrases):
            for pattern in compiler.compile(phrase, f"rules[{i}].phrases[{j}]"):
                out.append(CompiledContext(group, pattern, f"rules[{i}]: {phrase}"))
        for j, raw in enumerate(group.patterns):
            out.append(CompiledContext(group, raw, f"rules[{i}].patterns[{j}]"))
    return out


def split_label(label: str) -> tuple[tuple[str, ...], bool, bool]:
    """A target label back into its codes, whether it came from a bare phrase, and whether it is unsure."""
    unsure = label.endswith(UNSURE_SUFFIX)
    core = label[: -len(UNSURE_SUFFIX)] if unsure else label
    bare = core.endswith(BARE_SUFFIX)
    core = core[: -len(BARE_SUFFIX)] if bare else core
    return tuple(c.lower() for c in core.split("+")), bare, unsure


def effects(data: ContextData) -> dict[str, Effect]:
    return {name: cat.effect for name, cat in data.categories.items()}


def upper(codes: Iterable[str] | None) -> set[str] | None:
    return None if codes is None else {c.upper() for c in codes}
