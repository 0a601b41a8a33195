"""What the text reader hands the engine: findings, conditions and numbers read from words."""

from __future__ import annotations

from dataclasses import dataclass

from ..result import EvidenceSpan


@dataclass(frozen=True, slots=True)
class Reading:
    """The findings and conditions a text states as present, with the words behind each.

    `pain` is a 0-10 score stated in the text ("it's 8/10"), `hours_since_onset` a
    duration stated in it ("started 3 days ago"); both None when not stated.
    `ruled_out` holds the finding codes the text denies ("no numbness"): they count as
    asked for `to_ask`, never as present. A feared, family or past mention settles nothing.
    """

    findings: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()
    evidence: tuple[EvidenceSpan, ...] = ()
    pain: int | None = None
    hours_since_onset: float | None = None
    ruled_out: frozenset[str] = frozenset()


EMPTY = Reading()
