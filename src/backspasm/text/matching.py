"""Fourth stage: mentions of findings and conditions (spaCy's PhraseMatcher and Matcher), and numbers.

Rules that are plain word sequences go to spaCy's PhraseMatcher (a hash lookup per token);
the rest are token patterns, grouped by what their first word can be, each group run only
when one of its patterns has every word it cannot do without. Joint labels ("BILATERAL_LEG_SYMPTOMS+LEG_NUMBNESS") are split into
one span per code, bare symptom words inside a non-leg site are dropped, the numbers
(temperatures, scores...) are added as spans of their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from . import numbers
from .rules import NONE_CODE, OPTIONAL_HYPHEN, Lexicon, compile_targets, split_label
from .sentences import CLAUSE_STARTS, LINE_STARTS
from .words import Words

GROUP = "backspasm"
NUMBERS = "backspasm_numbers"  # doc.user_data: (kind, start, end) -> (char start, char end, value)
TARGET_STARTS = "backspasm_target_starts"  # doc.user_data: token indices where a mention starts
UNSURE = "backspasm_unsure"  # doc.user_data: (code, start, end) of mentions the rules cannot settle
LITERAL_SEP = "\u241f"  # joins a literal's words; never inside a word


class Targets:
    """The matching stage: every mention of a finding or condition as a span in doc.spans[GROUP]."""

    def __init__(self, words: Words, lexicon: Lexicon) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.words = words
        vocab = words.nlp.vocab
        # plain word sequences: one PhraseMatcher entry per label, all its phrases at once
        self._literal = PhraseMatcher(vocab, attr="NORM")
        phrases: dict[str, dict[tuple[str, ...], None]] = {}
        grouped: dict[str, tuple[set[tuple[str, str]], dict[str, list[list[dict[str, Any]]]]]] = {}
        for t in compile_targets(lexicon, words.norms):
            for literal, pattern in as_literals(t.pattern):
                if pattern is None:
                    phrases.setdefault(t.label, {})[tuple((literal or t.source).split(LITERAL_SEP))] = None
                    continue
                key = json.dumps(pattern[0], sort_keys=True)
                _, by_label = grouped.setdefault(key, (anchors(pattern[0]), {}))
                by_label.setdefault(t.label, []).append(pattern)
        for label, seqs in phrases.items():
            self._literal.add(label, [words.norm_doc(list(seq)) for seq in seqs])
        # token patterns: one Matcher per first word, run only when a pattern of it can match.
        # spaCy re-validates every pattern through pydantic as it is added, which would cost about
        # a second at load; the compiled patterns are validated once, in the test suite.
        self._anchored: list[tuple[frozenset[tuple[str, str]], list[list[frozenset[tuple[str, str]]]], Any]] = []
        for anchor_set, by_label in grouped.values():
            matcher = Matcher(vocab, validate=False)
            needs: list[list[frozenset[tuple[str, str]]]] = []
            for label, patterns in by_label.items():
                matcher.add(label, patterns)
                needs.extend(requirements(p) for p in patterns)
            self._anchored.append((frozenset(anchor_set), needs, matcher))

    def __call__(self, doc: Any) -> Any:
        from spacy.tokens import Span

        strings = doc.vocab.strings
        matches = list(self._literal(doc))
        present = {("NORM", t.norm_) for t in doc} | {("LEMMA", t.lemma_) for t in doc if t.lemma_}
        present |= {("ORTH", t.text) for t in doc} | {("LOWER", t.lower_) for t in doc}
        for anchor_set, needs, matcher in self._anchored:
            # run a group only when one of its patterns has every word it cannot do without
            if not anchor_set.isdisjoint(present) and any(all(not n.isdisjoint(present) for n in need) for need in needs):
                matches.extend(matcher(doc))
        doc.spans[GROUP] = [Span(doc, start, end, label=strings[match_id]) for match_id, start, end in matches]
        return finish(doc)

def inner_matcher(component: Any) -> Any:
    """The spaCy Matcher inside a medspaCy component (medspaCy does not expose it)."""
    for name, value in vars(component).items():
        if name.endswith("__matcher"):
            for inner_name, inner in vars(value).items():
                if inner_name.endswith("__matcher"):
                    return inner
    raise RuntimeError(f"cannot find the spaCy Matcher inside {type(component).__name__}")


def finish(doc: Any) -> Any:
    """One span per code (joint labels split), bare symptom words inside a non-leg site dropped, numbers added."""
    from spacy.tokens import Span

    spans: dict[tuple[str, int, int], Any] = {}
    hiders: list[tuple[int, int]] = []
    bare: list[tuple[str, int, int]] = []
    unsure: set[tuple[str, int, int]] = set()
    breaks = doc.user_data.get(LINE_STARTS, frozenset()) | doc.user_data.get(CLAUSE_STARTS, frozenset())
    for span in doc.spans.get(GROUP, ()):
        codes, is_bare, is_unsure = split_label(span.label_)
        for code in codes:
            if is_unsure:
                unsure.add((code, span.start, span.end))
            if code == NONE_CODE:
                # "weakness and my back has been spasming": a site in another clause hides nothing
                if not any(span.start < b < span.end for b in breaks):
                    hiders.append((span.start, span.end))
            elif is_bare:
                bare.append((code, span.start, span.end))
            else:
                spans.setdefault((code, span.start, span.end), Span(doc, span.start, span.end, label=code.upper()))
    for code, s, e in bare:
        if not any(hs <= s and e <= he for hs, he in hiders):
            spans.setdefault((code, s, e), Span(doc, s, e, label=code.upper()))
    # a mention the rules can settle wins over an unsure one of the same words
    unsure -= {k for k in spans if k in unsure and _certain_too(doc, k)}
    # keep only the widest mention of each code (a set word matched in part gives nested copies);
    # a settled mention is never swallowed by a wider unsure one
    by_code: dict[tuple[str, bool], list[tuple[int, int]]] = {}
    for code, s, e in spans:
        by_code.setdefault((code, (code, s, e) in unsure), []).append((s, e))
    for (code, _), ranges in by_code.items():
        for s, e in ranges:
            if any(os <= s and e <= oe and (os, oe) != (s, e) for os, oe in ranges):
                del spans[(code, s, e)]
    chars: dict[tuple[str, int, int], tuple[int, int, float]] = {}
    for num in numbers.all_numbers(doc.text):
        span = doc.char_span(num.start, num.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        key = (num.kind, span.start, span.end)
        spans.setdefault(key, Span(doc, span.start, span.end, label=num.kind.upper()))
        prev = chars.get(key)
        if prev is None or num.value > prev[2]:
            chars[key] = (num.start, num.end, num.value)
    doc.spans[GROUP] = sorted(spans.values(), key=lambda sp: (sp.start, sp.end, sp.label_))
    doc.user_data[NUMBERS] = chars
    doc.user_data[TARGET_STARTS] = {sp.start for sp in spans.values()}
    doc.user_data[UNSURE] = frozenset(k for k in unsure if k in spans)
    return doc


def _certain_too(doc: Any, key: tuple[str, int, int]) -> bool:
    """Whether a certain rule matched exactly these words as this code as well."""
    code, s, e = key
    for span in doc.spans.get(GROUP, ()):
        if span.start == s and span.end == e:
            codes, _, is_unsure = split_label(span.label_)
            if code in codes and not is_unsure:
                return True
    return False


class Literals:
    """What medspaCy calls to turn a literal rule into words: our normalised words, exactly."""

    def __init__(self, vocab: Any, make: Callable[[list[str]], Any]) -> None:
        self.vocab = vocab
        self._make = make
        self.tokenizer = self  # medspaCy keeps only `nlp.tokenizer` for building literals

    def __call__(self, literal: str) -> Any:
        return self._make(literal.split(LITERAL_SEP))


def as_literals(pattern: list[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]] | None]]:
    """A plain word sequence as literal rules (with and without hyphens); anything else as a pattern."""
    words: list[str] = []
    for t in pattern:
        if t == OPTIONAL_HYPHEN:
            continue
        if set(t) != {"NORM"} or not isinstance(t["NORM"], str):
            return [(None, pattern)]
        words.append(t["NORM"])
    out: list[tuple[str | None, list[dict[str, Any]] | None]] = [(LITERAL_SEP.join(words), None)]
    if len(words) > 1 and OPTIONAL_HYPHEN in pattern:
        hyphenated = [x for w in words for x in (w, "-")][:-1]
        out.append((LITERAL_SEP.join(hyphenated), None))
    return out


def requirements(pattern: list[dict[str, Any]]) -> list[frozenset[tuple[str, str]]]:
    """For each element a match cannot skip, the (attribute, value) pairs it can match (elements
    tested otherwise, by a flag or a regex, are left out: they never rule a pattern out)."""
    out = []
    for element in pattern:
        op = str(element.get("OP", ""))
        if op in ("?", "*", "!") or op.startswith("{0"):
            continue
        shared = element.get("LEMMA")
        if isinstance(shared, dict) and isinstance(shared.get("IN"), list) and len(element) <= 2:
            # a $SET element: its value list is shared by every pattern naming the set
            key = id(shared["IN"])
            if key not in _SET_NEEDS:
                _SET_NEEDS[key] = (shared["IN"], frozenset(("LEMMA", v) for v in shared["IN"]))
            out.append(_SET_NEEDS[key][1])
            continue
        alternatives: set[tuple[str, str]] | None = set()
        for attr in ("NORM", "LEMMA", "ORTH", "LOWER"):
            value = element.get(attr)
            if value is None:
                continue
            if isinstance(value, str):
                alternatives.add((attr, value))  # type: ignore[union-attr]
            elif isinstance(value, dict) and set(value) == {"IN"}:
                alternatives.update((attr, v) for v in value["IN"])  # type: ignore[union-attr]
            else:
                alternatives = None
                break
        if alternatives:
            out.append(frozenset(alternatives))
    return out


_SET_NEEDS: dict[int, tuple[list[str], frozenset[tuple[str, str]]]] = {}  # keeps each list alive with its id


def anchors(first: dict[str, Any]) -> set[tuple[str, str]]:
    """The token values a pattern's first element can match: (attribute, value) pairs."""
    out: set[tuple[str, str]] = set()
    for attr in ("NORM", "LEMMA"):
        value = first.get(attr)
        if isinstance(value, str):
            out.add((attr, value))
        elif isinstance(value, dict) and set(value) == {"IN"}:
            out.update((attr, v) for v in value["IN"])
        elif value is not None:
            raise ValueError(f"a token pattern cannot start with {first!r}")
    if not out:
        raise ValueError(f"a token pattern cannot start with {first!r}")
    return out
