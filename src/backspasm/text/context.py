"""Fifth stage: medspaCy ConText, which decides whether each mention counts.

The rules are context.yaml; each rule's scope is one of the callbacks below, and every
callback first asks whether modifier and mention share a clause: a line break or a new
clause between them (sentences.py) ends negation, fear, someone else's and the past
("no numbness / my legs keep giving way" reads the legs as they are).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from .matching import GROUP, TARGET_STARTS, as_literals, inner_matcher
from .rules import CompiledContext, ContextData, Lexicon, compile_context, upper
from .sentences import CLAUSE_STARTS, LINE_STARTS, SENTENCE_END
from .words import Words, in_set

CLAUSE_PUNCT = frozenset(",;:")
# Negation, fear and someone else's end with their clause; a time ("in 2015 I had...") does not.
CLAUSE_BOUND = frozenset({"NEGATED_EXISTENCE", "HYPOTHETICAL", "FAMILY"})
LIST_LEAD = 3
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
        return self._context(doc)


def _context_rule(cls: Any, c: CompiledContext, literal: str | None, pattern: list[dict[str, Any]] | None) -> Any:
    g = c.group
    return cls(
        literal or c.source,
        g.category,
        pattern=pattern,
        direction=g.direction,
        on_modifies=_clause_local(_SCOPES[g.scope], clause=g.category in CLAUSE_BOUND),
        allowed_types=upper(g.codes),
        excluded_types=upper(g.except_codes),
        max_scope=g.max_scope,
        terminated_by=set(g.terminated_by),
    )


def _clause_local(scope: Callable[[Any, Any, Any], bool], clause: bool) -> Callable[[Any, Any, Any], bool]:
    """A scope callback that never reaches across a line break (nor, with `clause`, into another clause)."""
    keys = (LINE_STARTS, CLAUSE_STARTS) if clause else (LINE_STARTS,)

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
    """A negation or fear crosses a comma only along a list of findings ('no A, B or C')."""
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
