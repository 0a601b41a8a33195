"""read(text) -> Reading: the findings, conditions and numbers a person's words state as present.

Every mention the lexicon finds is kept unless its context rules it out: negated,
feared or conditional, someone else's, or past and resolved (unless marked current
again). Anything else, including an uncertain mention, counts: the safe reading wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from ..codes import CONDITION_CODES, FINDING_CODES
from ..findings import SEVERE_PAIN
from ..result import EvidenceSpan
from .numbers import durations
from .pipeline import GROUP, pipeline
from .reading import EMPTY, Reading

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
    doc = nlp(text)
    effects = {name: cat.effect for name, cat in nlp.context_data.categories.items()}

    categories: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    for target, modifier in doc._.context_graph.edges:
        categories[(target.label_, target.start, target.end)].add(modifier.category)

    numbers = doc.user_data.get("backspasm_numbers", {})
    offsets: list[int] = doc.user_data["backspasm_offsets"]
    kept: dict[str, tuple[int, int]] = {}
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
        start, end = offsets[start], offsets[end - 1] + 1  # back to the person's own text
        if kind == "pain":
            value = num[2] if num else None
            if value is None:
                continue
            pain = value if pain is None else max(pain, value)
            if value >= SEVERE_PAIN:
                _keep(kept, "severe_pain", start, end)
            continue
        if kind in _FINDINGS or kind in _CONDITIONS:
            _keep(kept, kind, start, end)

    onset = [d.value for d in durations(text)]
    evidence = tuple(
        EvidenceSpan(code, s, e, text[s:e]) for code, (s, e) in sorted(kept.items(), key=lambda kv: (kv[1][0], _ORDER[kv[0]]))
    )
    findings = frozenset(c for c in kept if c in _FINDINGS and c != "long_duration")
    return Reading(
        findings=findings,
        conditions=frozenset(c for c in kept if c in _CONDITIONS),
        evidence=evidence,
        pain=None if pain is None else round(pain),
        hours_since_onset=max(onset) if onset else None,
        ruled_out=frozenset(c for c in denied if c in _FINDINGS) - findings,
    )


def _verdict(categories: set[str], effects: Mapping[str, str]) -> str:
    """'counts', 'denied' (stated as absent, and nothing else set it aside) or 'set aside'."""
    found = {effects.get(c, "none") for c in categories}
    if "discard" in found:
        return "set aside"  # feared, someone else's...: settles nothing, even when also negated
    if "discard_unless_current" in found and "current" not in found:
        return "set aside"
    return "denied" if "deny" in found else "counts"


def _keep(kept: dict[str, tuple[int, int]], code: str, start: int, end: int) -> None:
    """One evidence span per code: the first mention, the shorter one when two start together."""
    prev = kept.get(code)
    if prev is None or (start, end - start) < (prev[0], prev[1] - prev[0]):
        kept[code] = (start, end)
