"""The assessment result as plain frozen dataclasses, serialised without a model layer.

Items (reasons, plan entries, options) are built once from the knowledge base and
shared between results; each keeps its JSON text, so a result serialises by joining
fragments. `ResultModel` in contract.py is the matching schema for the API docs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Cited:
    """An item with a code, text and a source; `extra` holds its kind-specific fields."""

    code: str
    title: str
    text: str
    ref: str
    note: str | None
    extra: tuple[tuple[str, Any], ...] = ()
    json: str = field(default="", compare=False, repr=False)

    @staticmethod
    def make(
        code: str, title: str, text: str, ref: str, note: str | None, **extra: Any
    ) -> Cited:
        item = Cited(code, title, text, ref, note, tuple(extra.items()))
        object.__setattr__(item, "json", _dumps(item.as_dict()))
        return item

    def get(self, key: str, default: Any = None) -> Any:
        for k, v in self.extra:
            if k == key:
                return v
        return default

    @property
    def source(self) -> dict[str, str]:
        src = {"ref": self.ref}
        if self.note:
            src["note"] = self.note
        return src

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code}
        extra = dict(self.extra)
        for key in ("status", "level"):
            if key in extra:
                out[key] = extra.pop(key)
        out["title" if "level" not in out else "label"] = self.title
        out["text"] = self.text
        out["source"] = self.source
        out.update((k, list(v) if isinstance(v, tuple) else v) for k, v in extra.items())
        return out


@dataclass(frozen=True, slots=True)
class EvidenceSpan:
    """Words in the person's text that were read as a finding or condition.

    `uncertain`: the words name an emergency site with a feeling the rules cannot settle
    ("peeing feels weird"); the finding counts (the safe reading) and the person should be
    asked to confirm it. Serialised only when true.
    """

    code: str
    start: int
    end: int
    text: str
    uncertain: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "span": [self.start, self.end], "text": self.text}
        if self.uncertain:
            out["uncertain"] = True
        return out


@dataclass(frozen=True, slots=True)
class Step:
    """A step of the plan by the clock."""

    at_hour: float
    text: str
    ref: str
    json: str = field(default="", compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"at_hour": self.at_hour, "text": self.text, "source": {"ref": self.ref}}


@dataclass(frozen=True, slots=True)
class Result:
    """What `assess()` returns: CONTRACT.md's result, plus evidence, conditions and schedule."""

    urgency: str
    headline: str
    findings: tuple[str, ...]
    reasons: tuple[Cited, ...]
    plan: tuple[Cited, ...]
    professional: tuple[Cited, ...]
    prevention: tuple[Cited, ...]
    disclaimer: str
    conditions: tuple[str, ...] = ()
    evidence: tuple[EvidenceSpan, ...] = ()
    schedule: tuple[Step, ...] = ()
    hours_since_onset: float = 0.0
    watch_for: tuple[Cited, ...] = ()
    to_ask: tuple[str, ...] = ()
    locale: str = "en-US"

    def codes(self, part: str) -> list[str]:
        """The codes of one list-valued part ('reasons', 'plan', 'professional', 'prevention')."""
        return [item.code for item in getattr(self, part)]

    def status(self, code: str) -> str | None:
        """The status of a plan item, or None when it is not in the plan."""
        for item in self.plan:
            if item.code == code:
                return str(item.get("status"))
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "urgency": self.urgency,
            "headline": self.headline,
            "findings": list(self.findings),
            "reasons": [r.as_dict() for r in self.reasons],
            "plan": [p.as_dict() for p in self.plan],
            "professional": [p.as_dict() for p in self.professional],
            "prevention": [p.as_dict() for p in self.prevention],
            "disclaimer": self.disclaimer,
            "conditions": list(self.conditions),
            "evidence": [e.as_dict() for e in self.evidence],
            "schedule": [s.as_dict() for s in self.schedule],
            "watch_for": [w.as_dict() for w in self.watch_for],
            "to_ask": list(self.to_ask),
            "locale": self.locale,
        }

    def to_json(self) -> str:
        """Compact JSON, assembled from the items' cached fragments."""
        return "".join(
            (
                '{"urgency":"',
                self.urgency,
                '","headline":',
                _dumps(self.headline),
                ',"findings":[',
                ",".join(f'"{c}"' for c in self.findings),
                '],"reasons":[',
                ",".join(r.json for r in self.reasons),
                '],"plan":[',
                ",".join(p.json for p in self.plan),
                '],"professional":[',
                ",".join(p.json for p in self.professional),
                '],"prevention":[',
                ",".join(p.json for p in self.prevention),
                '],"disclaimer":',
                _dumps(self.disclaimer),
                ',"conditions":[',
                ",".join(f'"{c}"' for c in self.conditions),
                '],"evidence":[',
                ",".join(_dumps(e.as_dict()) for e in self.evidence),
                '],"schedule":[',
                ",".join(s.json or _dumps(s.as_dict()) for s in self.schedule),
                '],"watch_for":[',
                ",".join(w.json for w in self.watch_for),
                '],"to_ask":[',
                ",".join(f'"{c}"' for c in self.to_ask),
                '],"locale":"',
                self.locale,
                '"}',
            )
        )
