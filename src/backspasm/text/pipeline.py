"""The spaCy pipeline, built once per process from the rule files, stage by stage.

spacy.blank("en") (no model, nothing downloaded) with its tokenizer reading the normalised
text (normalise.py), then, in the order text flows: words (spelling, rewrites, sets),
sentences (sentence, line and clause starts), matching (spaCy's phrase and token matchers
over the lexicon's target rules, and the numbers) and context (medspaCy's ConText). Each stage is a spaCy component, so `nlp.pipe`
reads a batch. Importing this module imports spaCy: only text/reader.py does, lazily.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

from .context import Context
from .matching import GROUP, Targets
from .rules import ContextData, load_context, load_lexicon
from .sentences import mark
from .words import NormalisingTokenizer, Words

__all__ = ["GROUP", "Pipeline", "pipeline"]

STAGES = ("backspasm_words", "backspasm_sentences", "backspasm_targets", "backspasm_context")
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
    """spaCy's `nlp` with the four stages; calling it reads one text, `pipe` a batch."""

    def __init__(self) -> None:
        _quiet()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _import_medspacy_without_quickumls()
            import spacy
            from spacy.language import Language

        lexicon = load_lexicon()
        self.context_data: ContextData = load_context()
        nlp = spacy.blank("en")
        nlp.tokenizer = NormalisingTokenizer(nlp.tokenizer)
        self.words = Words(nlp, lexicon)
        self.targets = Targets(self.words, lexicon)
        self.context = Context(self.words, lexicon, self.context_data)
        stages: dict[str, Callable[[Any], Any]] = {
            "backspasm_words": self.words,
            "backspasm_sentences": mark,
            "backspasm_targets": self.targets,
            "backspasm_context": self.context,
        }
        for name in STAGES:
            Language.component(name, func=stages[name])
            nlp.add_pipe(name)
        self.nlp = nlp

    def norms(self, text: str) -> list[str]:
        """The normalised words of a phrase, exactly as a text's tokens are normalised."""
        return self.words.norms(text)

    def __call__(self, text: str) -> Any:
        return self.nlp(text)

    def pipe(self, texts: Any, batch_size: int = 64) -> Any:
        """Read many texts (spaCy's nlp.pipe through the same stages)."""
        return self.nlp.pipe(texts, batch_size=batch_size)


@cache
def pipeline() -> Pipeline:
    """The loaded pipeline (cached: built on first use, once per process)."""
    with _lock:
        return Pipeline()
