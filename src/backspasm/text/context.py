"""Fifth stage: medspaCy ConText, which decides whether each mention counts.

The rules are context.yaml; each rule's scope is one of the callbacks below, and every
callback first asks whether modifier and mention share a clause: a line break or a new
clause between them (sentences.py) ends negation, fear, someone else's and the past
("no numbness / my legs keep giving way" reads the legs as they are).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from typing import Any

from .matching import GROUP, TARGET_STARTS, as_literals, inner_matcher
from .rules import CompiledContext, ContextData, Lexicon, compile_context, upper
from .sentences import CLAUSE_STARTS, LINE_STARTS, SENTENCE_END, VERBS
from .words import Words, in_set

CLAUSE_PUNCT = frozenset(",;:")
# Negation, fear and someone else's end with their clause; a time ("in 2015 I had...") does not.
CLAUSE_BOUND = frozenset({"NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY"})
# "Still", "came back": marks of a finding present now may reach across a wrapped line (that only ever
# raises urgency); everything that sets a mention aside stops at a line break.
CROSSES_LINES = frozenset({"CURRENT"})
# Triggers whose own words may run into the mention they set aside ("if I lose control").
OVERLAPPING = frozenset({"HYPOTHETICAL", "FAMILY"})
EXTRA = "backspasm_extra_context"  # doc.user_data: (label, start, end) -> categories ConText could not attach
QUESTION_WORDS = frozenset(
    {"is", "are", "does", "do", "can", "could", "should", "will", "would", "what", "why", "how", "when", "which",
     "has", "have", "did", "was", "were", "may", "might"}
)  # fmt: skip
FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "we", "our", "us"})
ANSWERS = frozenset({"no", "nope", "none", "nil", "never", "n", "yes", "yeah", "yep", "y", "yea", "sometimes"})
LIST_ITEM = 4  # words in a list item that is not itself a finding ("SOB", "night sweats")
NEW_SUBJECT = frozenset({"i", "my", "it", "he", "she", "they", "we", "you", "this", "that", "there", "now", "then"})
LIST_JOINERS = frozenset({"or", "and", "nor", "no", "any", "either", "neither", "&", "/"})
NEAR_BLOCKERS = frozenset(
    {"pain", "pains", "spasm", "spasms", "back", "ache", "aches", "cramp", "cramps", "stiffness", "spine", "i"}
)


class Context:
    """The context stage: ConText over the mentions in doc.spans[GROUP]."""

    def __init__(self, words: Words, lexicon: Lexicon, data: ContextData) -> None:
        from medspacy.context import ConText, ConTextRule

        from .matching import Literals

        _spans_overlap_fully()

        self.data = data
        self.effects = {name: cat.effect for name, cat in data.categories.items()}
        literals = Literals(words.nlp.vocab, words.norm_doc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
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
        inner_matcher(self._context).validate = False
        rules = []
        for c in compile_context(data, lexicon.sets, words.norms):
            for literal, pattern in as_literals(c.pattern):
                rules.append(_context_rule(ConTextRule, c, literal, pattern))
        self._context.add(rules)

    def __call__(self, doc: Any) -> Any:
        doc = self._context(doc)
        extra: dict[tuple[str, int, int], set[str]] = {}
        graph = doc._.context_graph
        for modifier in graph.modifiers:
            if modifier.category not in OVERLAPPING or modifier.direction != "FORWARD":
                continue
            start, end = modifier.modifier_span
            for target in graph.targets:
                # "if I lose control", "my pregnant wife": the trigger's own words run into the mention
                if start < target.start < end and modifier.allows(target.label_.upper()):
                    extra.setdefault((target.label_, target.start, target.end), set()).add(modifier.category)
        for sent_start, sent_end in _questions(doc):
            for target in graph.targets:
                if sent_start <= target.start < sent_end:
                    extra.setdefault((target.label_, target.start, target.end), set()).add("HYPOTHETICAL")
        doc.user_data[EXTRA] = extra
        return doc


def _questions(doc: Any) -> list[tuple[int, int]]:
    """Sentences that ask about a sign in general ("Does back pain that's worse at night mean...?",
    "Is a lump on your back serious?"): a question word first, a question mark last, nothing said of
    oneself, and no yes/no answer after it. "I can't pee, is this serious?" speaks of oneself."""
    out = []
    sents = list(doc.sents)
    for i, sent in enumerate(sents):
        words = [t for t in sent if not t.is_space]
        if not words or words[-1].text != "?" or words[0].norm_ not in QUESTION_WORDS:
            continue
        if len(words) > 1 and words[1].norm_ in ("not", "n't"):
            continue  # "Can't pee, any advice?" states something
        if any(t.norm_ in FIRST_PERSON for t in words):
            continue
        nxt = next((t for t in sents[i + 1] if not t.is_space), None) if i + 1 < len(sents) else None
        if nxt is not None and nxt.norm_ in ANSWERS:
            continue
        out.append((sent.start, sent.end))
    return out


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two [start, end) token ranges share a token (either may contain the other)."""
    return a[0] < b[1] and b[0] < a[1]


def _spans_overlap_fully() -> None:
    """medspaCy 1.3 asks whether two ranges overlap with a test that misses one range containing the
    other, so a "but" whose sentence reaches past a negation's scope failed to end it, and a neutral
    sentence added after a text changed its reading. Its modules get a test that counts containment."""
    from medspacy.context import context_graph, context_modifier

    context_modifier.tuple_overlaps = overlaps
    context_graph.tuple_overlaps = overlaps


def _context_rule(cls: Any, c: CompiledContext, literal: str | None, pattern: list[dict[str, Any]] | None) -> Any:
    g = c.group
    return cls(
        literal or c.source,
        g.category,
        pattern=pattern,
        direction=g.direction,
        on_modifies=_clause_local(_SCOPES[g.scope], line=g.category not in CROSSES_LINES, clause=g.category in CLAUSE_BOUND),
        allowed_types=upper(g.codes),
        excluded_types=upper(g.except_codes),
        max_scope=g.max_scope,
        terminated_by=set(g.terminated_by),
    )


def _clause_local(scope: Callable[[Any, Any, Any], bool], line: bool, clause: bool) -> Callable[[Any, Any, Any], bool]:
    """A scope callback that, with `line`, never reaches across a line break and, with `clause`, never
    into another clause."""
    keys = tuple(k for k, on in ((LINE_STARTS, line), (CLAUSE_STARTS, clause)) if on)

    def on_modifies(target: Any, modifier: Any, span_between: Any) -> bool:
        doc = target.doc
        if modifier.end <= target.start:
            lo, hi = modifier.end - 1, target.start
        elif target.end <= modifier.start:
            lo, hi = target.end - 1, modifier.start
        else:
            return scope(target, modifier, span_between)
        for key in keys:
            if any(lo < s <= hi for s in doc.user_data.get(key, ())):
                return False
        return scope(target, modifier, span_between)

    on_modifies.__name__ = scope.__name__
    return on_modifies


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
    return j < len(doc) and in_set(doc[j], "SUBJECT_VERB")


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
    """A negation or fear crosses a comma only along a list ("no A, B or C", "denies chest pain, SOB,
    fever"): the first item follows the trigger directly, and every item between is short, with no
    subject or verb of its own ("no fever, the pain is awful, can't pee" stops at "is")."""
    if _inside(target, modifier):
        return False
    between = _between(target, modifier)
    if modifier.start >= target.end:  # a rule after its finding: keep it plain and close
        return _near_plain_scope(target, modifier, span_between)
    commas = [t.i for t in between if t.text in CLAUSE_PUNCT]
    if not commas:
        return True
    starts = target.doc.user_data.get(TARGET_STARTS, set())
    # the first list item must follow the trigger directly, before any comma
    if not any(modifier.end <= s < commas[0] for s in starts) and commas[0] - modifier.end > LIST_ITEM:
        return False
    doc = target.doc
    bounds = [*commas, target.start]
    for c, nxt in itertools.pairwise(bounds):
        item = [t for t in doc[c + 1 : nxt] if t.norm_ not in LIST_JOINERS and not t.is_space]
        if len(item) > LIST_ITEM and not any(k in starts for k in range(c + 1, nxt)):
            return False
        if any(t.norm_ in NEW_SUBJECT or t.lower_ in VERBS or (t.is_punct and t.text not in CLAUSE_PUNCT) for t in item):
            return False
    # after a comma, a mention with a verb of its own is a clause, not a list item ("..., legs are numb")
    return not any(t.lower_ in VERBS for t in target)


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
    return any(in_set(t, "CA_SITE") and t.norm_ != "skin" for t in words)


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
