"""The spaCy/medspaCy pipeline, built once per process from the rule files.

spacy.blank("en") (no model, nothing downloaded) plus: a normaliser (spelling map and
phrase rewrites on token norms, offsets untouched), a sentence splitter, medspaCy's
TargetMatcher, a step that adds the numbers and splits joint labels, and medspaCy's
ConText. Importing this module imports spaCy: only text/reader.py does, lazily.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

from . import numbers
from .rules import (
    NONE_CODE,
    OPTIONAL_HYPHEN,
    CompiledContext,
    ContextData,
    compile_context,
    compile_targets,
    load_context,
    load_lexicon,
    membership_key,
    split_label,
    upper,
)

GROUP = "backspasm"
SENTENCE_END = frozenset(".!?…")
CLAUSE_PUNCT = frozenset(",;:")
LIST_LEAD = 3
NEW_SUBJECT = frozenset({"i", "my", "it", "he", "she", "they", "we", "you", "this", "that", "there", "now", "then"})
LIST_JOINERS = frozenset({"or", "and", "nor", "no", "any", "either", "neither", "&", "/"})
NEAR_BLOCKERS = frozenset(
    {"pain", "pains", "spasm", "spasms", "back", "ache", "aches", "cramp", "cramps", "stiffness", "spine", "i"}
)
_lock = threading.Lock()


def _quiet() -> None:
    """Library chatter (debug logs, deprecation notes) is not for the person reading results."""
    for name in ("spacy", "medspacy", "PyRuSH", "thinc", "weasel", "numba"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"(spacy|medspacy|thinc|weasel|PyRuSH)(\..*)?")


def _import_medspacy_without_quickumls() -> None:
    """Import medspaCy without QuickUMLS. medspacy.util imports QuickUMLS (and through it NLTK, a
    fifth of a second at load) only so that its optional UMLS component registers; this pipeline
    never uses it. A placeholder stands in while medspaCy imports and is removed at once, so any
    later `import quickumls` in the process gets the real package."""
    import sys
    import types

    if "medspacy.util" in sys.modules or "quickumls" in sys.modules:
        return
    stub = types.ModuleType("quickumls")
    stub.spacy_component = types.ModuleType("quickumls.spacy_component")  # type: ignore[attr-defined]
    sys.modules["quickumls"] = stub
    try:
        import medspacy.util  # noqa: F401
    finally:
        if sys.modules.get("quickumls") is stub:
            del sys.modules["quickumls"]


class Pipeline:
    """The tokenizer and the matchers, run in order on one text."""

    def __init__(self) -> None:
        _quiet()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _import_medspacy_without_quickumls()
            import spacy
            from medspacy.context import ConText, ConTextRule
            from medspacy.target_matcher import TargetMatcher, TargetRule
            from spacy.matcher import PhraseMatcher
            from spacy.tokens import Doc
        self._Doc = Doc

        lexicon = load_lexicon()
        self.context_data: ContextData = load_context()
        self.nlp = spacy.blank("en")
        self._spelling = dict(lexicon.spelling)
        self._norm_cache: dict[str, list[str]] = {}
        self._special = {k.lower() for k in getattr(self.nlp.tokenizer, "rules", None) or ()}
        self._rewrites: dict[str, list[tuple[list[str], list[str]]]] = {}
        for r in lexicon.rewrites:
            src, dst = self.norms(r.phrase), self.norms(r.as_)
            if len(src) != len(dst):
                raise ValueError(f"lexicon.yaml: rewrite {r.phrase!r} -> {r.as_!r} changes the number of words")
            self._rewrites.setdefault(src[0], []).append((src, dst))
        # Rules that are plain word sequences go to spaCy's PhraseMatcher (a hash lookup per
        # token) as literals; the rest are token patterns. medspaCy builds a literal's words
        # through the `nlp` it is given: _Literals hands back the already-normalised words.
        literals = _Literals(self.nlp.vocab, self._norm_doc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")

            def target_matcher() -> Any:
                tm = TargetMatcher(
                    literals,
                    name="backspasm_targets",
                    result_type="group",
                    span_group_name=GROUP,
                    prune=False,
                    phrase_matcher_attr="NORM",
                )
                _inner_matcher(tm).validate = False
                return tm

            self._targets = target_matcher()
            self._context = ConText(
                literals,
                name="backspasm_context",
                rules=None,
                span_attrs=None,
                input_span_type="group",
                span_group_name=GROUP,
                phrase_matcher_attr="NORM",
            )
        # spaCy re-validates every pattern through pydantic as it is added, which would cost
        # about a second at load; the compiled patterns are validated once, in the test suite.
        _inner_matcher(self._context).validate = False
        self._set_matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        for name, members in lexicon.sets.items():
            docs = []
            for member in members:
                words = self.norms(member)
                docs.append(self._norm_doc(words))
                if len(words) > 1:
                    docs.append(self._norm_doc(" - ".join(words).split()))
            self._set_matcher.add(name, docs)
        # spaCy's Matcher tries every token pattern at every token, so token patterns are
        # grouped by what their first word can be, and a group runs only when such a word occurs.
        literal_rules = []
        grouped: dict[str, tuple[set[tuple[str, str]], list[Any]]] = {}
        for t in compile_targets(lexicon, self.norms):
            for literal, pattern in _as_literals(t.pattern):
                if pattern is None:
                    literal_rules.append(TargetRule(literal or t.source, t.label))
                    continue
                key = json.dumps(pattern[0], sort_keys=True)
                anchors, rules = grouped.setdefault(key, (_anchors(pattern[0]), []))
                rules.append(TargetRule(t.source, t.label, pattern=pattern))
        self._targets.add(literal_rules)
        self._anchored: list[tuple[frozenset[tuple[str, str]], Any]] = []
        for anchors, rules in grouped.values():
            tm = target_matcher()
            tm.add(rules)
            self._anchored.append((frozenset(anchors), tm))
        context_rules = []
        for c in compile_context(self.context_data, lexicon.sets, self.norms):
            for literal, pattern in _as_literals(c.pattern):
                context_rules.append(_context_rule(ConTextRule, c, literal, pattern))
        self._context.add(context_rules)

    def norms(self, text: str) -> list[str]:
        """The normalised words of a phrase, exactly as a text's tokens are normalised."""
        words = self._norm_cache.get(text)
        if words is None:
            low = text.lower()
            if low.isalpha() and low not in self._special:  # most rule words: one plain token
                norm = self.nlp.vocab[low].norm_
                words = [self._spelling.get(norm) or self._spelling.get(low) or norm]
            else:
                words = [t.norm_ for t in self._normalise(self.nlp.make_doc(text))]
            self._norm_cache[text] = words
        return list(words)

    def _norm_doc(self, words: list[str]) -> Any:
        doc = self._Doc(self.nlp.vocab, words=words)
        for t, w in zip(doc, words, strict=True):
            t.norm_ = w
        return doc

    def _mark_sets(self, doc: Any) -> None:
        """Tag each token with the lexicon sets whose members it is part of (for `$SET` patterns)."""
        marks: dict[int, list[str]] = {}
        strings = self.nlp.vocab.strings
        for match_id, start, end in self._set_matcher(doc):
            name = strings[match_id]
            for i in range(start, end):
                marks.setdefault(i, []).append(name)
        for i, names in marks.items():
            doc[i].lemma_ = membership_key(set(names))

    def __call__(self, text: str) -> Any:
        compact, offsets = compact_spaces(text)
        doc = self.nlp.make_doc(compact)
        doc.user_data["backspasm_offsets"] = offsets
        self._normalise(doc)
        self._mark_sets(doc)
        _sentences(doc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # spaCy warns that this matcher has phrases but no token patterns
            self._targets(doc)
        present = {("NORM", t.norm_) for t in doc} | {("LEMMA", t.lemma_) for t in doc if t.lemma_}
        for anchors, matcher in self._anchored:
            if not anchors.isdisjoint(present):
                matcher(doc)
        _finish_targets(doc)
        self._context(doc)
        return doc

    def _normalise(self, doc: Any) -> Any:
        spelling = self._spelling
        for t in doc:
            n = t.norm_
            fixed = spelling.get(n) or spelling.get(t.lower_)
            if fixed is not None and fixed != n:
                t.norm_ = fixed
        if self._rewrites:
            toks = list(doc)
            for i, t in enumerate(toks):
                for phrase, replacement in self._rewrites.get(t.norm_, ()):
                    if i + len(phrase) <= len(toks) and all(toks[i + k].norm_ == w for k, w in enumerate(phrase)):
                        for k, w in enumerate(replacement):
                            toks[i + k].norm_ = w
                        break
        return doc


def _inner_matcher(component: Any) -> Any:
    """The spaCy Matcher inside a medspaCy component (medspaCy does not expose it)."""
    for name, value in vars(component).items():
        if name.endswith("__matcher"):
            for inner_name, inner in vars(value).items():
                if inner_name.endswith("__matcher"):
                    return inner
    raise RuntimeError(f"cannot find the spaCy Matcher inside {type(component).__name__}")


@cache
def pipeline() -> Pipeline:
    """The loaded pipeline (cached: built on first use, once per process)."""
    with _lock:
        return Pipeline()


_SPACE_RUN = re.compile(r"[^\S\n]{2,}|[^\S\n]*\n\s*")


def compact_spaces(text: str) -> tuple[str, list[int]]:
    """The text in lower case with runs of spaces as one space and line breaks as one newline, and for
    each of its characters the offset of the character it came from (so evidence points at the original)."""
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _SPACE_RUN.finditer(text):
        parts.append(text[pos : m.start()])
        offsets.extend(range(pos, m.start()))
        parts.append("\n" if "\n" in m.group() else " ")
        offsets.append(m.start())
        pos = m.end()
    parts.append(text[pos:])
    offsets.extend(range(pos, len(text)))
    # lower case (where it keeps the length), so "CANT" splits like "cant" and shouting reads the same
    return "".join(c if len(low := c.lower()) != 1 else low for c in "".join(parts)), offsets


def _sentences(doc: Any) -> Any:
    """Sentences end at . ! ? and at line breaks; ConText scopes never cross them."""
    prev = None
    for t in doc:
        if prev is None:
            t.is_sent_start = True
        else:
            end = (prev.is_punct and prev.text[-1:] in SENTENCE_END and not t.is_punct) or (prev.is_space and "\n" in prev.text)
            t.is_sent_start = bool(end)
        prev = t
    return doc


def _finish_targets(doc: Any) -> Any:
    """One span per code (joint labels split), bare symptom words inside a non-leg site dropped, numbers added."""
    from spacy.tokens import Span

    spans: dict[tuple[str, int, int], Any] = {}
    hiders: list[tuple[int, int]] = []
    bare: list[tuple[str, int, int]] = []
    for span in doc.spans.get(GROUP, ()):
        codes, is_bare = split_label(span.label_)
        for code in codes:
            if code == NONE_CODE:
                hiders.append((span.start, span.end))
            elif is_bare:
                bare.append((code, span.start, span.end))
            else:
                spans.setdefault((code, span.start, span.end), Span(doc, span.start, span.end, label=code.upper()))
    for code, s, e in bare:
        if not any(hs <= s and e <= he for hs, he in hiders):
            spans.setdefault((code, s, e), Span(doc, s, e, label=code.upper()))
    # keep only the widest mention of each code: a set word matched in part gives nested copies
    by_code: dict[str, list[tuple[int, int]]] = {}
    for code, s, e in spans:
        by_code.setdefault(code, []).append((s, e))
    for code, ranges in by_code.items():
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
    doc.user_data["backspasm_numbers"] = chars
    doc.user_data["backspasm_target_starts"] = {sp.start for sp in spans.values()}
    return doc


class _Literals:
    """What medspaCy calls to turn a literal rule into words: our normalised words, exactly."""

    def __init__(self, vocab: Any, make: Callable[[list[str]], Any]) -> None:
        self.vocab = vocab
        self._make = make
        self.tokenizer = self  # medspaCy keeps only `nlp.tokenizer` for building literals

    def __call__(self, literal: str) -> Any:
        return self._make(literal.split(LITERAL_SEP))


LITERAL_SEP = "\u241f"  # joins a literal's words; never inside a word


def _as_literals(pattern: list[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]] | None]]:
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


def _anchors(first: dict[str, Any]) -> set[tuple[str, str]]:
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


def _context_rule(cls: Any, c: CompiledContext, literal: str | None, pattern: list[dict[str, Any]] | None) -> Any:
    g = c.group
    return cls(
        literal or c.source,
        g.category,
        pattern=pattern,
        direction=g.direction,
        on_modifies=_SCOPES[g.scope],
        allowed_types=upper(g.codes),
        excluded_types=upper(g.except_codes),
        max_scope=g.max_scope,
        terminated_by=set(g.terminated_by),
    )


def _between(target: Any, modifier: Any) -> Any:
    doc = target.doc
    if modifier.end <= target.start:
        return doc[modifier.end : target.start]
    return doc[target.end : modifier.start]


def _inside(target: Any, modifier: Any) -> bool:
    """A modifier sharing words with its target is part of that mention, not context for it."""
    return bool(modifier.start < target.end and target.start < modifier.end)


def _sentence_scope(target: Any, modifier: Any, span_between: Any) -> bool:
    return not _inside(target, modifier)


def _in_set(token: Any, name: str) -> bool:
    return name in token.lemma_.split("|")


def _subject_scope(target: Any, modifier: Any, span_between: Any) -> bool:
    """Someone else as the subject ('my dad had ...') covers the clause; as an owner
    ('my dad's cancer') only the words that follow at once; as an object ('lift my kid') nothing."""
    if _inside(target, modifier) or not _near_scope_words(target, modifier):
        return False
    doc = target.doc
    j = modifier.end
    while j < len(doc) and (doc[j].norm_ in {",", "also", "too", "both", "who", "then", "just", "recently"}):
        j += 1
    if j < len(doc) and doc[j].norm_ in {"'s", "'"}:
        return bool(target.start <= j + 3)
    return j < len(doc) and _in_set(doc[j], "SUBJECT_VERB")


def _near_scope_words(target: Any, modifier: Any) -> bool:
    return bool(target.start >= modifier.end)


def _conditional_scope(target: Any, modifier: Any, span_between: Any) -> bool:
    """'If I can't pass urine ...' is conditional; 'if I sit for long my foot goes numb' reports a symptom."""
    if _inside(target, modifier) or target.start < modifier.end:
        return False
    return bool(target.start - modifier.end <= 2) and _near_plain_scope(target, modifier, span_between)


FEAR_OBJECTS = frozenset({"the", "my", "this", "these", "that", "those", "his", "her", "our", "your"})
FEAR_LEADS = frozenset(
    {"getting", "losing", "developing", "having", "becoming", "going", "ending", "being", "needing", "lose", "get",
     "develop", "become", "end", "need", "it", "'s", "i", "something", "anything", "a", "an", "possibly", "maybe"}
)  # fmt: skip
FEARED_DIRECTLY = frozenset({"CANCER_HISTORY", "INJURY", "BLADDER_BOWEL_CONTROL_LOSS"})


def _fear_scope(target: Any, modifier: Any, span_between: Any) -> bool:
    """'Scared of losing control' or 'worried it's cancer' is a fear; 'worried about the numbness
    in my leg' or 'worried about numbness in my legs' reports a symptom (the safe reading)."""
    if _inside(target, modifier) or not _list_scope(target, modifier, span_between):
        return False
    doc = target.doc
    if modifier.end >= len(doc):
        return False
    nxt = doc[modifier.end]
    if nxt.norm_ in FEAR_OBJECTS:
        return False
    if target.start == modifier.end:
        return nxt.norm_.endswith("ing") or target.label_ in FEARED_DIRECTLY
    return nxt.norm_ in FEAR_LEADS


def _list_scope(target: Any, modifier: Any, span_between: Any) -> bool:
    """A negation or fear crosses a comma only along a list of findings ('no A, B or C')."""
    if _inside(target, modifier):
        return False
    between = _between(target, modifier)
    if modifier.start >= target.end:  # a rule after its finding: keep it plain and close
        return _near_plain_scope(target, modifier, span_between)
    commas = [t.i for t in between if t.text in CLAUSE_PUNCT]
    if not commas:
        return True
    starts = target.doc.user_data.get("backspasm_target_starts", set())
    # the first list item must follow the trigger directly, before any comma
    if not any(modifier.end <= s < commas[0] for s in starts):
        return False
    doc = target.doc
    for c in commas:
        j = c + 1
        while j < target.start and doc[j].norm_ in LIST_JOINERS:
            j += 1
        # the next list item is a finding, perhaps after a word or two ("bowel or bladder dysfunction")
        item = next((k for k in range(j, min(j + LIST_LEAD, target.start) + 1) if k in starts or k == target.start), None)
        if item is None or any(doc[k].norm_ in NEW_SUBJECT or doc[k].is_punct for k in range(j, item)):
            return False
    return True


def _near_scope(target: Any, modifier: Any, span_between: Any) -> bool:
    """Resolution words attach to a nearby mention, never across talk of the pain itself."""
    if _inside(target, modifier):
        return False
    return not any(t.norm_ in NEAR_BLOCKERS for t in _between(target, modifier))


def _near_plain_scope(target: Any, modifier: Any, span_between: Any) -> bool:
    between = _between(target, modifier)
    if any(t.text in CLAUSE_PUNCT or (t.is_punct and t.text in SENTENCE_END) for t in between):
        return False
    return _near_scope(target, modifier, span_between)


def _names_another_organ(target: Any) -> bool:
    """Whether a cancer mention names an organ other than the skin: 'breast cancer', 'ca of the lung'."""
    doc = target.doc
    words = [*doc[max(target.start - 2, 0) : target.end]]
    if target.end < len(doc) and doc[target.end].norm_ == "of":
        words.extend(doc[target.end + 1 : target.end + 3])
    return any(_in_set(t, "CA_SITE") and t.norm_ != "skin" for t in words)


def _skin_type_scope(target: Any, modifier: Any, span_between: Any) -> bool:
    """A non-melanoma skin type ('(basal cell)') rules out only a cancer named without another
    organ: 'skin cancer removed (basal cell)', never 'breast cancer 2015 (basal cell on nose too)'."""
    if _names_another_organ(target):
        return False
    return _near_plain_scope(target, modifier, span_between)


def _skin_type_sentence_scope(target: Any, modifier: Any, span_between: Any) -> bool:
    if _names_another_organ(target):
        return False
    return _sentence_scope(target, modifier, span_between)


_SCOPES: dict[str, Callable[[Any, Any, Any], bool]] = {
    "skin_type": _skin_type_scope,
    "skin_type_sentence": _skin_type_sentence_scope,
    "sentence": _sentence_scope,
    "list": _list_scope,
    "near": _near_scope,
    "near_plain": _near_plain_scope,
    "subject": _subject_scope,
    "fear": _fear_scope,
    "conditional": _conditional_scope,
}
