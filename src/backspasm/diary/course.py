"""The course of an episode: ratings, findings present or gone, and clinician visits, folded in time order.

An episode's state after its latest entry is a `Course`, kept as JSON beside the episode,
so a check-in costs the same on the first day and after five thousand ratings. Nothing
here decides urgency: `assessment()` builds the contract's input for one moment and the
engine assesses it. The one rule of its own is the finding's lifetime: a finding reported
gone stops counting from that entry, except an emergency finding, which holds until the
person records that a clinician has seen them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..contract import MAX_HOURS, Assessment, parse_assessment
from ..findings import diary_basis
from ..result import EvidenceSpan
from ..text.reading import EMPTY, Reading
from ..triage import level_of
from . import validation as v

Rating = tuple[float, int]  # (hours since onset, pain 0-10)


@dataclass(frozen=True, slots=True)
class Course:
    """Where an episode stands after its latest entry (the first rating, a check-in or a visit)."""

    prior: tuple[Rating, ...]  # the ratings before the latest, reduced to the ones the trend rules read
    last: Rating | None  # the latest rating
    last_is_first: bool  # the latest rating is the one that opened the episode
    last_at: datetime | None  # when the latest entry was made
    present: Mapping[str, float] = field(default_factory=dict)  # finding -> hour since it counts
    from_text: frozenset[str] = frozenset()  # present only because the first words said so
    held: frozenset[str] = frozenset()  # emergency findings reported gone: they hold until a visit
    gone: frozenset[str] = frozenset()  # findings reported gone and not back since
    seen: tuple[float, ...] = ()  # hours since onset of each clinician visit
    urgency: str = "self_care"  # the urgency at the latest entry

    def as_dict(self) -> dict[str, Any]:
        return {
            "v": 1,
            "prior": [list(r) for r in self.prior],
            "last": list(self.last) if self.last else None,
            "last_is_first": self.last_is_first,
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "present": dict(self.present),
            "from_text": sorted(self.from_text),
            "held": sorted(self.held),
            "gone": sorted(self.gone),
            "seen": list(self.seen),
            "urgency": self.urgency,
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Course:
        last = data.get("last")
        at = data.get("last_at")
        return Course(
            prior=tuple((float(h), int(p)) for h, p in data.get("prior", ())),
            last=(float(last[0]), int(last[1])) if last else None,
            last_is_first=bool(data.get("last_is_first")),
            last_at=datetime.fromisoformat(at) if at else None,
            present={str(k): float(h) for k, h in dict(data.get("present", {})).items()},
            from_text=frozenset(data.get("from_text", ())),
            held=frozenset(data.get("held", ())),
            gone=frozenset(data.get("gone", ())),
            seen=tuple(float(h) for h in data.get("seen", ())),
            urgency=str(data.get("urgency", "self_care")),
        )

    @property
    def visited(self) -> bool:
        return bool(self.seen)


def _listed(first: Mapping[str, Any]) -> list[str]:
    """The findings the first answers report: those answered yes and those the person was not sure of
    (not sure counts as present, the safer reading, for the whole episode as in its first result)."""
    return list(dict.fromkeys([*(first.get("findings") or ()), *(first.get("unsure") or ())]))


def begin(first: Mapping[str, Any], reading: Mapping[str, Any]) -> Course:
    """The course before any entry: the first answers' findings count from the onset."""
    text_codes = set(reading.get("findings", ())) if reading else set()
    listed = _listed(first)
    present = dict.fromkeys([*listed, *sorted(text_codes)], 0.0)
    earlier = [(float(e["hours_since_onset"]), int(e["pain"])) for e in first.get("diary") or ()]
    return Course(
        prior=tuple(diary_basis(earlier)),
        last=None,
        last_is_first=False,
        last_at=None,
        present=present,
        from_text=frozenset(text_codes - set(listed)),
    )


def first_rating(c: Course, first: Mapping[str, Any], reading: Mapping[str, Any], at: datetime) -> Course:
    """The rating that opened the episode, re-asserting the first answers' findings at its moment."""
    text_codes = set(reading.get("findings", ())) if reading else set()
    listed = _listed(first)
    c = with_rating(c, at, float(first["hours_since_onset"]), int(first["pain"]), listed, (), from_text=text_codes)
    return replace(c, last_is_first=True)


def check_gone(c: Course, findings: Sequence[str], gone: Sequence[str]) -> None:
    """BadInput naming the entry when a code reported gone was never present, or is also reported present."""
    for i, code in enumerate(gone):
        if code in findings:
            raise v.bad(f"gone[{i}]", f"'{code}' is also reported as present at this check-in")
        if code not in c.present:
            raise v.bad(f"gone[{i}]", f"'{code}' is not recorded as present in this episode at that time")


def with_rating(
    c: Course,
    at: datetime,
    hours: float,
    pain: int,
    findings: Iterable[str],
    gone: Iterable[str],
    from_text: Iterable[str] = (),
) -> Course:
    """The course after one more rating, with the findings it reports present or gone."""
    present = dict(c.present)
    listed, words = list(dict.fromkeys(findings)), list(dict.fromkeys(from_text))
    # A finding counts as "from the words" only while nothing but the first words reported it.
    text_only = (set(c.from_text) | {t for t in words if t not in present}) - set(listed)
    held, gone_now = set(c.held), set(c.gone)
    for code in (*listed, *words):
        present.setdefault(code, hours)
        held.discard(code)
        gone_now.discard(code)
    for code in gone:
        if level_of(code) == "emergency":
            held.add(code)  # still counts: only a clinician's visit releases it
        else:
            present.pop(code, None)
        gone_now.add(code)
    prior = c.prior if c.last is None else tuple(diary_basis([*c.prior, c.last]))
    return replace(
        c,
        prior=prior,
        last=(hours, pain),
        last_is_first=False,
        last_at=at,
        present=present,
        from_text=frozenset(text_only & set(present)),
        held=frozenset(held),
        gone=frozenset(code for code in gone_now if code not in present or code in held),
    )


def with_visit(c: Course, at: datetime, hours: float) -> Course:
    """The course after a clinician has seen the person: the emergency findings so far stop counting."""
    released = {code for code in c.present if level_of(code) == "emergency"}
    present = {code: h for code, h in c.present.items() if code not in released}
    return replace(
        c,
        last_at=at,
        present=present,
        from_text=c.from_text - released,
        held=frozenset(),
        seen=(*c.seen, hours),
    )


def assessment(c: Course, first: Mapping[str, Any], hours_now: float, locale: str | None = None) -> Assessment:
    """The contract's input for a moment at or after the latest rating: the state, the clock, the trend;
    worded in `locale` when given, else in the one the episode was started in."""
    if c.last is None:
        raise ValueError("a course has no rating yet")
    hours_now = min(max(hours_now, c.last[0]), MAX_HOURS)
    # Still "not sure" while it counts from the first answers (a sign reported gone and back is simply present).
    unsure = [code for code in first.get("unsure") or () if c.present.get(code) == 0.0 and code not in c.from_text]
    listed = [code for code in c.present if code not in c.from_text and code not in unsure]
    denied = [code for code in first.get("denied") or () if code not in c.present]
    denied += [code for code in sorted(c.gone) if code not in c.present and code not in denied]
    data: dict[str, Any] = {
        "hours_since_onset": float(hours_now),
        "pain": c.last[1],
        "diary": [{"hours_since_onset": float(min(h, hours_now)), "pain": p} for h, p in c.prior],
    }
    if listed:
        data["findings"] = listed
    if unsure:
        data["unsure"] = unsure
    if denied:
        data["denied"] = denied
    for key in ("age", "conditions", "text", "locale"):
        if first.get(key) is not None:
            data[key] = first[key]
    if locale is not None:
        data["locale"] = locale
    return parse_assessment(data)


def reading_now(c: Course, data: Mapping[str, Any]) -> Reading:
    """The stored reading of the first words, less the findings no longer present.

    A pain score stated in the words counts only while the first rating is the latest.
    """
    if not data:
        return EMPTY
    keep = set(c.present)
    findings = frozenset(f for f in data.get("findings", ()) if f in keep)
    dropped = set(data.get("findings", ())) - findings
    return Reading(
        findings=findings,
        conditions=frozenset(data.get("conditions", ())),
        evidence=tuple(EvidenceSpan(row[0], row[1], row[2], row[3], len(row) > 4 and bool(row[4]))
                       for row in data.get("evidence", ()) if row[0] not in dropped),
        pain=data.get("pain") if c.last_is_first else None,
        hours_since_onset=data.get("hours_since_onset"),
        ruled_out=frozenset(data.get("ruled_out", ())),
    )
