"""read(text) -> Reading: the findings, conditions and numbers a person's words state as present.

Every mention the lexicon finds is kept unless its context rules it out: negated,
feared or conditional, someone else's, or past and resolved (unless marked current
again). Anything else counts: the safe reading wins. A mention the rules cannot settle (an
emergency site with an odd feeling: "peeing feels weird") counts too, and its evidence
says `uncertain`, so the person is asked to confirm it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..codes import CONDITION_CODES, FINDING_CODES
from ..findings import SEVERE_PAIN
from ..result import EvidenceSpan
from .context import EXTRA
from .matching import GROUP, NUMBERS, UNSURE
from .numbers import durations
from .pipeline import pipeline
from .reading import EMPTY, Reading
from .words import NORMALISED

_FINDINGS = frozenset(FINDING_CODES)
_CONDITIONS = frozenset(CONDITION_CODES)
_ORDER: dict[str, int] = {code: i for i, code in enumerate((*FINDING_CODES, *CONDITION_CODES))}


def load() -> None:
    """Build the pipeline now (it is otherwise built on the first read)."""
    pipeline()


def read(text: str) -> Reading:
    """The findings, conditions, pain score and onset that `text` states as present."""
    if not text or not text.strip():
        return EMPTY
    nlp = pipeline()
    return reading_of(nlp(text), text, nlp.context.effects)


def read_many(texts: list[str], batch_size: int = 64) -> list[Reading]:
    """Read a batch of texts through spaCy's nlp.pipe (same readings as read() one by one)."""
    nlp = pipeline()
    out: list[Reading] = [EMPTY] * len(texts)
    todo = [i for i, t in enumerate(texts) if t and t.strip()]
    for i, doc in zip(todo, nlp.pipe((texts[i] for i in todo), batch_size=batch_size), strict=True):
        out[i] = reading_of(doc, texts[i], nlp.context.effects)
    return out


def reading_of(doc: Any, text: str, effects: Mapping[str, str]) -> Reading:
    """The Reading of one processed Doc of `text`."""

    categories: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    for target, modifier in doc._.context_graph.edges:
        categories[(target.label_, target.start, target.end)].add(modifier.category)
    for key, cats in doc.user_data.get(EXTRA, {}).items():
        categories[key] |= cats

    numbers = doc.user_data.get(NUMBERS, {})
    norm = doc.user_data[NORMALISED]
    unsure = doc.user_data.get(UNSURE, frozenset())
    kept: dict[str, tuple[int, int, bool]] = {}
    denied: set[str] = set()
    pain: float | None = None
    for span in doc.spans.get(GROUP, ()):
        cats = categories.get((span.label_, span.start, span.end), set())
        verdict = _verdict(cats, effects)
        kind = span.label_.lower()
        if verdict == "denied":
            denied.add(kind)
        if verdict != "counts":
            continue
        num = numbers.get((kind, span.start, span.end))
        start, end = (num[0], num[1]) if num else (span.start_char, span.end_char)
        start, end = norm.span(start, end)  # back to the person's own text
        if kind == "pain":
            value = num[2] if num else None
            if value is None:
                continue
            pain = value if pain is None else max(pain, value)
            if value >= SEVERE_PAIN:
                _keep(kept, "severe_pain", start, end, False)
            continue
        if kind in _FINDINGS or kind in _CONDITIONS:
            _keep(kept, kind, start, end, (kind, span.start, span.end) in unsure)

    onset = [d.value for d in durations(norm.text)]
    evidence = tuple(
        EvidenceSpan(code, s, e, text[s:e], u)
        for code, (s, e, u) in sorted(kept.items(), key=lambda kv: (kv[1][0], _ORDER[kv[0]]))
    )
    findings = frozenset(c for c in kept if c in _FINDINGS and c != "long_duration")
    return Reading(
        findings=findings,
        conditions=frozenset(c for c in kept if c in _CONDITIONS),
        evidence=evidence,
        pain=None if pain is None else round(pain),
        hours_since_onset=max(onset) if onset else None,
        ruled_out=_ruled_out(denied) - findings,
    )


def _ruled_out(denied: set[str]) -> frozenset[str]:
    """Finding codes stated as absent; no injury at all is no serious accident either."""
    out = {c for c in denied if c in _FINDINGS}
    if "injury" in out:
        out.add("major_trauma")
    return frozenset(out)


def _verdict(categories: set[str], effects: Mapping[str, str]) -> str:
    """'counts', 'denied' (stated as absent, and nothing else set it aside) or 'set aside'."""
    found = {effects.get(c, "none") for c in categories}
    if "discard" in found:
        return "set aside"  # feared, someone else's...: settles nothing, even when also negated
    if "discard_unless_current" in found and "current" not in found:
        return "set aside"
    return "denied" if "deny" in found else "counts"


def _keep(kept: dict[str, tuple[int, int, bool]], code: str, start: int, end: int, unsure: bool) -> None:
    """One evidence span per code: a certain mention before an unsure one, then the first, then the shorter."""
    prev = kept.get(code)
    if prev is None or (unsure, start, end - start) < (prev[2], prev[0], prev[1] - prev[0]):
        kept[code] = (start, end, unsure)
