"""Helpers for the CDS tests: small record resources and the card a record gets."""

from __future__ import annotations

import json
from typing import Any

from fhirhelpers import EXAMPLE_NOW, example

from backspasm.interop.service import handle

SNOMED = "http://snomed.info/sct"


def condition(code: str, system: str = SNOMED, **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Condition", "id": code, "code": {"coding": [{"system": system, "code": code}]},
            "subject": {"reference": "Patient/x"}, **extra}


def pain(score: Any, when: str = "2026-11-25T11:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": f"p{when[-9:-7]}", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
            "effectiveDateTime": when, "valueInteger": score, **extra}


def triage(*resources: dict[str, Any], onset: str = "2026-11-25T02:00:00Z") -> str:
    entries = [{"resource": r} for r in (condition("279039007", onsetDateTime=onset), *resources)]
    entries.append({"resource": pain(3)})
    body = {**example("patient-view-self-care.json")}
    body["prefetch"] = {"conditions": {"resourceType": "Bundle", "type": "searchset", "entry": entries},
                        "painObservations": None}
    status, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    assert status == 200
    return str(out["cards"][0]["source"]["topic"]["code"])


def card_of(*resources: dict[str, Any], key: str = "conditions") -> dict[str, Any]:
    body = example("patient-view-self-care.json")
    body["prefetch"].setdefault(key, {"resourceType": "Bundle", "type": "searchset", "entry": []})
    body["prefetch"][key]["entry"] += [{"resource": r} for r in resources]
    status, out = handle(json.dumps(body).encode(), "http://h", EXAMPLE_NOW)
    assert status == 200, out
    return dict(out["cards"][0])
