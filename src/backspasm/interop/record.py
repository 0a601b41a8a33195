"""Reading a health record (the CDS Hooks prefetch) into what the triage needs.

Every resource is read through codemap.yaml's value sets: pain scores (several LOINC
codes, integer, Quantity or answer code), body temperature, age, the back pain's onset,
red-flag Conditions and Observations, blood thinners from MedicationStatement and
MedicationRequest (the medicine inline, contained, or a Medication elsewhere in the
prefetch), and NSAID allergies. What cannot be read is not skipped in silence: it is
listed in `not_understood`, for the card to name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .codemap import READ_SYSTEMS, CodeMap, Meaning, load_codemap
from .fhir import codings, parse_datetime
from .systems import (
    ALLERGY_CLINICAL_INACTIVE,
    ALLERGY_VOID_VERIFICATION,
    CONDITION_INACTIVE,
    CONDITION_VOID_VERIFICATION,
    MEDICATION_REQUEST_CURRENT,
    MEDICATION_STATEMENT_CURRENT,
    OBSERVATION_VOID,
)


def _list(value: Any) -> list[Any]:
    """A FHIR array element as a list; anything else (a record may hold any JSON) as an empty one."""
    return value if isinstance(value, list) else []


@dataclass
class Record:
    """What the record says, with notes on what was missing, skipped or not understood."""

    available: set[str] = field(default_factory=set)  # prefetch keys that were satisfied (null counts)
    pains: list[tuple[datetime, int, str]] = field(default_factory=list)  # (when, score, reference)
    onset: tuple[datetime, str, bool] | None = None  # (when, reference, estimated from recordedDate)
    back_pain: list[str] = field(default_factory=list)
    findings: dict[str, str] = field(default_factory=dict)  # code -> reference
    denied: dict[str, str] = field(default_factory=dict)  # observed absent
    conditions: dict[str, str] = field(default_factory=dict)
    birth: datetime | None = None
    age: int | None = None  # from an age Observation, when there is no birth date
    skipped: list[str] = field(default_factory=list)  # malformed values
    not_understood: list[str] = field(default_factory=list)  # resources that could not be mapped
    partial: list[str] = field(default_factory=list)  # prefetch keys with pages left unread


def resources_of(value: Any) -> list[dict[str, Any]] | None:
    """The resources in one prefetch value (a resource or a Bundle); None when unusable."""
    if value is None:
        return []
    if not isinstance(value, dict) or value.get("resourceType") == "OperationOutcome":
        return None
    if value.get("resourceType") == "Bundle":
        entries = _list(value.get("entry"))
        if not isinstance(entries, list):
            return None
        out = []
        for entry in entries:
            res = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(res, dict) and isinstance(res.get("resourceType"), str):
                out.append(res)
        return out
    return [value] if isinstance(value.get("resourceType"), str) else None


def next_link(value: Any) -> str | None:
    """The URL of a searchset Bundle's next page, if any."""
    if not isinstance(value, dict) or value.get("resourceType") != "Bundle":
        return None
    for link in _list(value.get("link")):
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return str(link["url"])
    return None


def ref(res: dict[str, Any]) -> str:
    rid = res.get("id")
    return f"{res['resourceType']}/{rid}" if isinstance(rid, str) else str(res["resourceType"])


def _text(value: Any) -> str | None:
    """A string element, or None for anything else (a malformed record must not crash the service)."""
    return value if isinstance(value, str) else None


def _status(concept: Any) -> str | None:
    for _system, code in codings(concept):
        return code
    return None


def _names(*concepts: Any) -> list[str]:
    """The human words of CodeableConcepts: text and each coding's display."""
    out = []
    for concept in concepts:
        if not isinstance(concept, dict):
            continue
        if isinstance(concept.get("text"), str):
            out.append(concept["text"])
        for coding in _list(concept.get("coding")):
            if isinstance(coding, dict) and isinstance(coding.get("display"), str):
                out.append(coding["display"])
    return out


def _label(concept: Any) -> str:
    names = _names(concept)
    return f" ('{names[0][:60]}')" if names else ""


def obs_time(res: dict[str, Any]) -> datetime | None:
    period = res.get("effectivePeriod")
    for value in (res.get("effectiveDateTime"), res.get("effectiveInstant"),
                  period.get("end") if isinstance(period, dict) else None,
                  period.get("start") if isinstance(period, dict) else None, res.get("issued")):
        moment = parse_datetime(value)
        if moment is not None:
            return moment
    return None


def _number(res: dict[str, Any]) -> tuple[float | None, str | None]:
    """(value, unit code) of an Observation's integer or Quantity value."""
    value: Any = res.get("valueInteger")
    unit = None
    if value is None and isinstance(res.get("valueQuantity"), dict):
        q = res["valueQuantity"]
        value, unit = q.get("value"), _text(q.get("code")) or _text(q.get("unit"))
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None, unit
    return float(value), unit


class _Reader:
    def __init__(self, cmap: CodeMap, index: dict[str, dict[str, Any]]) -> None:
        self.cmap = cmap
        self.index = index  # "Type/id" and fullUrl -> resource
        self.rec = Record()
        self.episode: list[tuple[dict[str, Any], Meaning]] = []  # findings whose timing needs the onset

    def not_understood(self, res: dict[str, Any], why: str) -> None:
        self.rec.not_understood.append(f"{ref(res)}: {why}")

    def unreadable(self, res: dict[str, Any], concept: Any, what: str) -> bool:
        """True (and noted) when a concept has no coding in a system the value sets read."""
        codes = codings(concept)
        if any(system in READ_SYSTEMS for system, _ in codes):
            return False
        if codes:
            systems = ", ".join(sorted({s or "(no system)" for s, _ in codes}))
            self.not_understood(res, f"{what}{_label(concept)} is coded only in {systems}")
        elif _names(concept):
            self.not_understood(res, f"{what}{_label(concept)} is recorded only as text")
        else:
            self.not_understood(res, f"{what} has no code")
        return True

    def observation(self, res: dict[str, Any]) -> None:
        if _text(res.get("status")) in OBSERVATION_VOID:
            return
        codes = set(codings(res.get("code")))
        if codes & self.cmap.pain_codes:
            self.pain(res)
        elif codes & self.cmap.temperature_codes:
            self.temperature(res)
        elif codes & self.cmap.age_codes:
            value, _unit = _number(res)
            if value is not None and 0 <= value <= 120:
                self.rec.age = int(value)
        else:
            meanings = self.cmap.meaning(codes)
            if not meanings:
                self.unreadable(res, res.get("code"), "the observation")
                return
            absent = res.get("valueBoolean") is False
            for meaning in meanings:
                self.meaning(res, meaning, absent=absent)

    def pain(self, res: dict[str, Any]) -> None:
        value, _unit = _number(res)
        if value is None and isinstance(res.get("valueCodeableConcept"), dict):
            for _system, code in codings(res["valueCodeableConcept"]):
                if code in self.cmap.pain_answers:
                    value = float(self.cmap.pain_answers[code])
        when = obs_time(res)
        if value is None or when is None or value != int(value) or not 0 <= value <= 10:
            self.rec.skipped.append(f"{ref(res)}: a pain score needs a 0-10 value and a time")
            return
        self.rec.pains.append((when, int(value), ref(res)))

    def temperature(self, res: dict[str, Any]) -> None:
        value, unit = _number(res)
        if value is None:
            return
        threshold = self.cmap.fever_at.get(unit or "")
        if threshold is None:
            self.not_understood(res, f"body temperature in unit '{unit}' (expected Cel or [degF])")
        elif value >= threshold:
            self.episode.append((res, Meaning("finding", "fever", "episode")))

    def meaning(self, res: dict[str, Any], meaning: Meaning, *, absent: bool = False, active: bool = True) -> None:
        if meaning.kind == "finding":
            if absent:
                self.rec.denied.setdefault(meaning.code, ref(res))
            elif meaning.scope == "history" or (active and meaning.scope == "episode" and res["resourceType"] == "Condition"):
                self.rec.findings.setdefault(meaning.code, ref(res))
            else:
                self.episode.append((res, meaning))
        elif meaning.kind == "condition" and not absent and (active or meaning.scope == "history"):
            self.rec.conditions.setdefault(meaning.code, ref(res))

    def condition(self, res: dict[str, Any]) -> None:
        if _status(res.get("verificationStatus")) in CONDITION_VOID_VERIFICATION:
            return
        active = _status(res.get("clinicalStatus")) not in CONDITION_INACTIVE  # missing or unknown counts
        meanings = self.cmap.meaning(codings(res.get("code")))
        if not meanings:
            if _status(res.get("verificationStatus")) != "refuted":
                self.unreadable(res, res.get("code"), "the condition")
            return
        for meaning in meanings:
            if meaning.kind == "onset":
                if active:
                    self.onset(res)
            else:
                self.meaning(res, meaning, active=active)

    def onset(self, res: dict[str, Any]) -> None:
        self.rec.back_pain.append(ref(res))
        started = parse_datetime(res.get("onsetDateTime"))
        if started is None and isinstance(res.get("onsetPeriod"), dict):
            started = parse_datetime(res["onsetPeriod"].get("start"))
        estimated = started is None
        started = started or parse_datetime(res.get("recordedDate"))
        # The most recent back-pain record dates the current episode.
        if started is not None and (self.rec.onset is None or started > self.rec.onset[0]):
            self.rec.onset = (started, ref(res), estimated)

    def medicine(self, res: dict[str, Any]) -> None:
        current = MEDICATION_STATEMENT_CURRENT if res["resourceType"] == "MedicationStatement" else MEDICATION_REQUEST_CURRENT
        if _text(res.get("status")) not in (*current, None):
            return
        if res["resourceType"] == "MedicationRequest" and res.get("doNotPerform") is True:
            return
        concept = res.get("medicationCodeableConcept")
        extra: list[Any] = []
        if concept is None:
            medication = self.resolve(res, res.get("medicationReference"))
            if medication is None:
                return
            concept = medication.get("code")
            extra = [i.get("itemCodeableConcept") for i in _list(medication.get("ingredient")) if isinstance(i, dict)]
        concepts = [concept, *extra]
        all_codes = [c for x in concepts for c in codings(x)]
        meanings = self.cmap.medication(all_codes, [n for x in concepts for n in _names(x)])
        if meanings:
            for meaning in meanings:
                self.rec.conditions.setdefault(meaning.code, ref(res))
        elif not any(system in READ_SYSTEMS for system, _ in all_codes):
            self.unreadable(res, concept, "the medicine")

    def resolve(self, res: dict[str, Any], reference: Any) -> dict[str, Any] | None:
        """The Medication a medicationReference points to: contained, or elsewhere in the prefetch."""
        target = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(target, str):
            display = _text(reference.get("display")) if isinstance(reference, dict) else None
            if display:
                meanings = self.cmap.medication([], [display])
                for meaning in meanings:
                    self.rec.conditions.setdefault(meaning.code, ref(res))
                if meanings:
                    return None
            self.not_understood(res, "the medicine is not given (no medicationCodeableConcept or medicationReference)")
            return None
        if target.startswith("#"):
            for contained in _list(res.get("contained")):
                if isinstance(contained, dict) and contained.get("id") == target[1:]:
                    return contained
        else:
            found = self.index.get(target) or self.index.get("/".join(target.rstrip("/").split("/")[-2:]))
            if found is not None and found.get("resourceType") == "Medication":
                return found
        self.not_understood(res, f"its medicine ({target}) is neither contained nor in the prefetch")
        return None

    def allergy(self, res: dict[str, Any]) -> None:
        if _status(res.get("verificationStatus")) in ALLERGY_VOID_VERIFICATION:
            return
        if _status(res.get("clinicalStatus")) in ALLERGY_CLINICAL_INACTIVE:
            return
        concepts = [res.get("code"), *[r.get("substance") for r in _list(res.get("reaction")) if isinstance(r, dict)]]
        codes = [c for x in concepts for c in codings(x)]
        meanings = self.cmap.allergy(codes, [n for x in concepts for n in _names(x)])
        for meaning in meanings:
            self.rec.conditions.setdefault(meaning.code, ref(res))
        if not meanings and not any(system in READ_SYSTEMS for system, _ in codes):
            self.unreadable(res, res.get("code"), "the allergy")

    def timing(self) -> None:
        """Findings that count only within this episode: dated on or after the onset (or undated and new).

        Without a dated back-pain record the episode is taken to start at the earliest pain
        score (as the triage does); with neither, every sign that is not resolved counts: an
        incomplete record may over-read, never under-read.
        """
        onset = self.rec.onset[0] if self.rec.onset else min((p[0] for p in self.rec.pains), default=None)
        for res, meaning in self.episode:
            if res["resourceType"] == "Observation":
                start, ended = obs_time(res), None
            else:
                start = (parse_datetime(res.get("onsetDateTime")) or parse_datetime(res.get("recordedDate")))
                ended = parse_datetime(res.get("abatementDateTime"))
            active = res["resourceType"] == "Condition" and _status(res.get("clinicalStatus")) not in CONDITION_INACTIVE
            if onset is None:
                counts = res["resourceType"] == "Observation" or active
            else:
                counts = (start is not None and start >= onset) or (ended is not None and ended >= onset)
                counts = counts or (active and start is None and ended is None)
            if counts:
                self.rec.findings.setdefault(meaning.code, ref(res))


def read_record(prefetch: dict[str, Any], keys: Iterable[str]) -> Record:
    """Gather pain, onset, red flags, conditions, medicines and allergies from the prefetch values under `keys`."""
    found: dict[str, dict[str, Any]] = {}
    index: dict[str, dict[str, Any]] = {}
    available: set[str] = set()
    skipped: list[str] = []
    partial: list[str] = []
    for key in keys:
        if key not in prefetch:
            continue
        value = prefetch[key]
        resources = resources_of(value)
        if resources is None:
            skipped.append(f"prefetch '{key}' could not be read (not a resource, a Bundle or null)")
            continue
        available.add(key)
        if next_link(value):
            partial.append(key)
        if isinstance(value, dict) and value.get("resourceType") == "Bundle":
            for entry in _list(value.get("entry")):
                if isinstance(entry, dict) and isinstance(entry.get("fullUrl"), str) and isinstance(entry.get("resource"), dict):
                    index[entry["fullUrl"]] = entry["resource"]
        for res in resources:
            found.setdefault(ref(res) if isinstance(res.get("id"), str) else f"{id(res)}", res)
            index.setdefault(ref(res), res)
    reader = _Reader(load_codemap(), index)
    reader.rec.available, reader.rec.skipped, reader.rec.partial = available, skipped, partial
    handlers = {"Observation": reader.observation, "Condition": reader.condition, "MedicationStatement": reader.medicine,
                "MedicationRequest": reader.medicine, "AllergyIntolerance": reader.allergy}
    for res in found.values():
        rtype = res["resourceType"]
        if rtype == "Patient":
            reader.rec.birth = parse_datetime(res.get("birthDate")) or reader.rec.birth
        elif rtype in handlers:
            handlers[rtype](res)
    reader.timing()
    for code in list(reader.rec.denied):
        if code in reader.rec.findings:  # presence wins
            del reader.rec.denied[code]
    return reader.rec


__all__ = ["Record", "next_link", "obs_time", "read_record", "ref", "resources_of"]
