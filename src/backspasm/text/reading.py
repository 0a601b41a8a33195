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

    def without(self, rejected: frozenset[str]) -> Reading:
        """The reading less what the person said it is not: those codes and their words. Rejecting severe pain
        also drops a pain score read from the words, or the score alone would count it again."""
        if not rejected:
            return self
        return Reading(
            findings=self.findings - rejected,
            conditions=self.conditions - rejected,
            evidence=tuple(e for e in self.evidence if e.code not in rejected),
            pain=None if "severe_pain" in rejected else self.pain,
            hours_since_onset=self.hours_since_onset,
            ruled_out=self.ruled_out,
        )


EMPTY = Reading()
