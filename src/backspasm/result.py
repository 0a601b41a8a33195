"""The assessment result as plain frozen dataclasses, serialised without a model layer.

Items (reasons, plan entries, options) are built once from the knowledge base and
shared between results; each keeps its JSON text, so a result serialises by joining
fragments. `ResultModel` in contract.py is the matching schema for the API docs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
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

    def __hash__(self) -> int:
        # The JSON says everything the item holds, and a string's hash is computed once: cached
        # decisions key their shared fragments on tuples of items, so hashing must be cheap.
        return hash(self.json)

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
class Note:
    """How one answer was counted: unsure, or words and answer in disagreement (see `backspasm.notes`)."""

    code: str
    kind: str
    label: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "label": self.label, "text": self.text}


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
class Fragments:
    """A cached decision's JSON, cut where a result's own parts go (evidence, the hour, to_ask).

    `head` runs to the opening of "evidence", `now` holds the text of each step due now after
    its hour, `ahead` the steps still to come, `watch` runs from the end of "schedule" to the
    opening of "to_ask", and `tail` closes the object.
    """

    head: tuple[str, ...]
    now: tuple[str, ...]
    ahead: str
    watch: tuple[str, ...]
    tail: str


@lru_cache(maxsize=4096)
def _names_json(codes: tuple[str, ...]) -> str:
    return ",".join(f'"{c}"' for c in codes)


@lru_cache(maxsize=1024)
def _text_json(text: str) -> str:
    """A sentence as a JSON string, once per distinct sentence (headlines and disclaimers repeat)."""
    return _dumps(text)


def _number(value: float) -> str:
    """A finite number as JSON writes it (the contract's numbers are never NaN or infinite)."""
    return float.__repr__(value) if isinstance(value, float) else str(int(value))


@lru_cache(maxsize=1024)
def _step_rest(text: str, ref: str) -> str:
    """A step's JSON after its hour: ',"text":...,"source":{"ref":...}}'."""
    return _dumps({"text": text, "source": {"ref": ref}}).replace("{", ",", 1)


@lru_cache(maxsize=16384)
def _joined(items: tuple[Cited, ...]) -> str:
    """The items' JSON joined once per distinct list, so cached decisions share one copy of it."""
    return ",".join(i.json for i in items)


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
    fragments: Fragments | None = field(default=None, compare=False, repr=False)
    notes: tuple[Note, ...] = ()

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
        } | ({"notes": [n.as_dict() for n in self.notes]} if self.notes else {})

    def to_json(self) -> str:
        """Compact JSON: the cached decision's fragments around this result's own parts."""
        f = self.fragments
        if f is None:
            return self._with_notes(self._json_from_items())
        schedule = f.ahead
        if f.now:
            hour = '{"at_hour":' + _number(self.hours_since_onset)
            schedule = ",".join([hour + rest for rest in f.now] + ([f.ahead] if f.ahead else []))
        evidence = ",".join(_dumps(e.as_dict()) for e in self.evidence) if self.evidence else ""
        return self._with_notes(
            "".join((*f.head, evidence, '],"schedule":[', schedule, *f.watch, _names_json(self.to_ask), f.tail))
        )

    def _with_notes(self, text: str) -> str:
        """The JSON with `notes` added before the closing brace, when there are any."""
        if not self.notes:
            return text
        return text[:-1] + ',"notes":[' + ",".join(_dumps(n.as_dict()) for n in self.notes) + "]}"

    def _json_from_items(self) -> str:
        """Compact JSON, assembled from the items' cached fragments."""
        return "".join(self._json_pieces())

    def _json_pieces(self) -> list[str]:
        """The JSON in pieces: [0:19] up to the evidence, 19 evidence, 21 schedule, [22:25] the safety net
        up to to_ask, 25 to_ask, [26:] the locale and the end."""
        return [
            '{"urgency":"',
            self.urgency,
            '","headline":',
            _text_json(self.headline),
            ',"findings":[',
            ",".join(f'"{c}"' for c in self.findings),
            '],"reasons":[',
            _joined(self.reasons),
            '],"plan":[',
            _joined(self.plan),
            '],"professional":[',
            _joined(self.professional),
            '],"prevention":[',
            _joined(self.prevention),
            '],"disclaimer":',
            _text_json(self.disclaimer),
            ',"conditions":[',
            ",".join(f'"{c}"' for c in self.conditions),
            '],"evidence":[',
            ",".join(_dumps(e.as_dict()) for e in self.evidence),
            '],"schedule":[',
            ",".join(s.json or '{"at_hour":' + _number(s.at_hour) + _step_rest(s.text, s.ref) for s in self.schedule),
            '],"watch_for":[',
            _joined(self.watch_for),
            '],"to_ask":[',
            _names_json(self.to_ask),
            '],"locale":"',
            self.locale,
            '"}',
        ]


def decision_fragments(result: Result) -> Fragments:
    """The fragments every result of one cached decision shares, cut from a representative result."""
    pieces = result._json_pieces()
    now = tuple(_step_rest(s.text, s.ref) for s in result.schedule if not s.json)
    ahead = ",".join(s.json for s in result.schedule if s.json)
    return Fragments(tuple(pieces[:19]), now, ahead, tuple(pieces[22:25]), "".join(pieces[26:]))
