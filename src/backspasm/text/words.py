"""Second stage: each token's word as the rules are written (spelling, rewrites, set membership).

spaCy gives every token a norm ("can't" -> can not); lexicon.yaml's `spelling` maps
misspellings and slang onto the words the rules use, a misspelt medicine name reads as the
name (drugs.py), `rewrites` re-read a few multi-word
phrases ("fell asleep" is no fall), and every token that is part of a member of a named
set gets the set names in its LEMMA, so a `$SET` pattern element is a plain lookup.
"""

from __future__ import annotations

from typing import Any

from .drugs import DrugNames
from .rules import Lexicon, membership_key

NORMALISED = "backspasm_normalised"  # doc.user_data key: the Normalised text the doc was made from


class NormalisingTokenizer:
    """spaCy's tokenizer on the normalised text; the Normalised map rides along in doc.user_data."""

    def __init__(self, tokenizer: Any) -> None:
        from .normalise import normalise

        self._tokenizer = tokenizer
        self._normalise = normalise
        self.rules = getattr(tokenizer, "rules", None)

    def __call__(self, text: str) -> Any:
        n = self._normalise(text)
        doc = self._tokenizer(n.text)
        doc.user_data[NORMALISED] = n
        return doc

    def plain(self, text: str) -> Any:
        """spaCy's tokenizer on text that needs no normalising (lower-case ASCII, single spaces)."""
        doc = self._tokenizer(text)
        doc.user_data[NORMALISED] = self._normalise(text)
        return doc

    def pipe(self, texts: Any, batch_size: int = 1000) -> Any:
        for text in texts:
            yield self(text)


class Words:
    """The lexical stage: token norms from the lexicon, and set membership marks."""

    def __init__(self, nlp: Any, lexicon: Lexicon) -> None:
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Doc

        self._Doc = Doc
        self.nlp = nlp
        for quote in ("'", '"', "`"):
            # a site in quotes ("numbness in the 'saddle region'") is still the site: a phrase's gap may
            # cross a quotation mark, and it ends no sentence (the lexeme is shared, so this is per vocab)
            nlp.vocab[quote].is_punct = False
        self._spelling = dict(lexicon.spelling)
        self.drugs = DrugNames()
        self._norm_cache: dict[str, list[str]] = {}
        self._special = {k.lower() for k in getattr(nlp.tokenizer, "rules", None) or ()}
        self._rewrites: dict[str, list[tuple[list[str], list[str]]]] = {}
        for r in lexicon.rewrites:
            src, dst = self.norms(r.phrase), self.norms(r.as_)
            if len(src) != len(dst):
                raise ValueError(f"lexicon.yaml: rewrite {r.phrase!r} -> {r.as_!r} changes the number of words")
            self._rewrites.setdefault(src[0], []).append((src, dst))
        self._set_matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for name, members in lexicon.sets.items():
            docs = []
            for member in members:
                words = self.norms(member)
                docs.append(self.norm_doc(words))
                if len(words) > 1:
                    docs.append(self.norm_doc(" - ".join(words).split()))
            self._set_matcher.add(name, docs)

    def norms(self, text: str) -> list[str]:
        """The normalised words of a phrase, exactly as a text's tokens are normalised."""
        words = self._norm_cache.get(text)
        if words is None:
            low = text.lower()
            if low.isascii() and low.isalpha() and low not in self._special:  # most rule words: one plain token
                norm = self.nlp.vocab[low].norm_
                words = [self._spelling.get(norm) or self._spelling.get(low) or norm]
            else:
                tokenizer = self.nlp.tokenizer
                if low.isascii() and low == " ".join(low.split()) and isinstance(tokenizer, NormalisingTokenizer):
                    doc = tokenizer.plain(low)  # plain ASCII already reads as itself: skip normalising
                else:
                    doc = self.nlp.make_doc(text)
                words = [t.norm_ for t in self.respell(doc, fuzzy=False)]
            self._norm_cache[text] = words
        return list(words)

    def norm_doc(self, words: list[str]) -> Any:
        """A Doc whose tokens are exactly `words`, norms included (for phrase matchers)."""
        doc = self._Doc(self.nlp.vocab, words=words)
        for t, w in zip(doc, words, strict=True):
            t.norm_ = w
        return doc

    def respell(self, doc: Any, fuzzy: bool = True) -> Any:
        """Spelling map, misspelt medicine names (unless `fuzzy` is off: a rule's own words are
        exact) and phrase rewrites on token norms (offsets untouched)."""
        spelling = self._spelling
        drugs = self.drugs
        for t in doc:
            n = t.norm_
            fixed = spelling.get(n) or spelling.get(t.lower_)
            if fixed is None and fuzzy and len(n) >= 5:
                name = drugs(n)  # a misspelt medicine name reads as the name
                if name is not None and name != n:
                    fixed = spelling.get(name, name)
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

    def mark_sets(self, doc: Any) -> Any:
        """Tag each token with the lexicon sets whose members it is part of (for `$SET` patterns)."""
        marks: dict[int, list[str]] = {}
        strings = self.nlp.vocab.strings
        for match_id, start, end in self._set_matcher(doc):
            name = strings[match_id]
            for i in range(start, end):
                marks.setdefault(i, []).append(name)
        for i, names in marks.items():
            doc[i].lemma_ = membership_key(set(names))
        return doc

    def __call__(self, doc: Any) -> Any:
        return self.mark_sets(self.respell(doc))


def in_set(token: Any, name: str) -> bool:
    """Whether a token is part of a member of the named lexicon set."""
    return name in token.lemma_.split("|")

