"""Third stage: sentences, lines and clauses, so that context is decided where a finding is stated.

A sentence ends at . ! ? and at a line break that starts a new line of thought (normalise.py
keeps those as a newline). Every line break, even one the screen wrapped, and every new
clause is recorded too: negation, fear and the like never reach across them
("no numbness / wet myself", "no numbness my legs keep giving way"). A new clause begins
where a new subject does: a pronoun or "my ..." that is followed by a verb, and that is no
object of a preposition ("pain in my legs" goes on; "my legs keep giving way" starts one).
"""

from __future__ import annotations

from typing import Any

from .words import NORMALISED

SENTENCE_END = frozenset(".!?…")
LINE_STARTS = "backspasm_line_starts"  # doc.user_data: token indices that open a line of the original
CLAUSE_STARTS = "backspasm_clause_starts"  # doc.user_data: token indices that open a new clause

PAIN_NOUNS = frozenset({"pain", "back", "spasm", "spasms", "ache", "aching", "sciatica", "numbness", "tingling"})
SUBJECTS = frozenset({"i", "it", "he", "she", "they", "we", "there", "this", "that", "everything", "nothing"})
OWNER = frozenset({"my", "his", "her", "their", "our", "the"})
PREPOSITIONS = frozenset(
    {"in", "of", "to", "on", "at", "down", "into", "with", "from", "around", "between", "under", "for", "about",
     "through", "over", "across", "along", "up", "below", "above", "behind", "near", "towards", "toward", "round",
     "by", "like", "than", "without", "within", "onto", "off", "out", "both", "either", "neither", "and", "or", "nor",
     "no", "not", "any", "lift", "lifting", "carry", "carrying", "move", "moving", "feel", "bend", "bending",
     "straighten", "that", "if", "when", "whether", "what", "how", "where", "because", "as"}
)  # fmt: skip
# verbs whose object is a clause: "worried I might", "don't think I've", "feels like it is"
COMPLEMENT = frozenset(
    {"worried", "worry", "worrying", "scared", "afraid", "terrified", "frightened", "concerned", "nervous", "think",
     "thought", "thinks", "sure", "hope", "hoping", "hoped", "fear", "feared", "guess", "believe", "said", "says",
     "say", "told", "tell", "know", "knew", "realise", "realize", "realised", "realized", "wonder", "wondering",
     "suspect", "reckon", "mean", "means", "meant", "unsure", "convinced", "doubt", "imagine", "pretend", "tells",
     "asked", "ask", "asking", "check", "checked", "checking", "notice", "noticed", "felt", "feel", "feels"}
)  # fmt: skip
VERBS = frozenset(
    {"is", "are", "was", "were", "am", "be", "been", "'s", "'re", "'m", "have", "has", "had", "'ve", "'d", "do",
     "does", "did", "can", "could", "will", "would", "'ll", "should", "might", "may", "must", "keep", "keeps",
     "kept", "feel", "feels", "felt", "went", "goes", "go", "gone", "gave", "give", "gives", "giving", "get", "gets",
     "got", "woke", "wake", "wakes", "started", "starts", "began", "begins", "seem", "seems", "seemed", "hurt",
     "hurts", "ache", "aches", "tingle", "tingles", "buckle", "buckled", "buckles", "collapsed", "wet", "need",
     "needs", "needed", "think", "thought", "noticed", "notice", "just", "also", "still", "then", "now", "never",
     "cannot", "ca", "wo", "sometimes", "suddenly", "really", "lost", "fell", "slipped", "tripped", "became",
     "become", "come", "came", "comes", "stopped", "stop", "drag", "drags", "dragging", "look", "looks"}
)  # fmt: skip


def mark(doc: Any) -> Any:
    """Set sentence starts; record line and clause starts in doc.user_data."""
    n = doc.user_data.get(NORMALISED)
    breaks = n.line_starts if n is not None else frozenset()
    lines: set[int] = set()
    prev = None
    for t in doc:
        if prev is None:
            t.is_sent_start = True
        else:
            end = (prev.is_punct and prev.text[-1:] in SENTENCE_END and not t.is_punct) or (prev.is_space and "\n" in prev.text)
            t.is_sent_start = bool(end)
        if t.idx in breaks:
            lines.add(t.i)
        prev = t
    doc.user_data[LINE_STARTS] = frozenset(lines)
    doc.user_data[CLAUSE_STARTS] = frozenset(_clause_starts(doc))
    return doc


def _clause_starts(doc: Any) -> set[int]:
    out: set[int] = set()
    n = len(doc)
    for t in doc:
        i = t.i
        if i == 0 or t.is_sent_start:
            continue
        before = doc[i - 1].norm_
        if before in PREPOSITIONS or before in COMPLEMENT or before in VERBS or doc[i - 1].is_punct:
            continue
        w = t.norm_
        if w in SUBJECTS:
            nxt = doc[i + 1].norm_ if i + 1 < n else ""
            if nxt in VERBS or (i + 1 < n and nxt.endswith("ed")):
                out.add(i)
        elif w in OWNER and (w != "the" or (i + 1 < n and doc[i + 1].norm_ in PAIN_NOUNS)):
            # "my legs keep giving way": owner, up to two words, then a verb
            for k in range(i + 2, min(i + 4, n)):
                if doc[k].norm_ in VERBS:
                    if not any(doc[j].is_punct for j in range(i, k)):
                        out.add(i)
                    break
                if doc[k].is_punct:
                    break
    return out


def between(doc: Any, a: int, b: int, starts: frozenset[int]) -> bool:
    """Whether a line or clause start lies in (a, b]: the two token positions are in different clauses."""
    lo, hi = (a, b) if a <= b else (b, a)
    return any(lo < s <= hi for s in starts)
