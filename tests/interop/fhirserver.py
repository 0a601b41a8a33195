"""A small FHIR server for the tests and the benchmark: realistic records, searches as an EHR answers them, a JWKS.

`search(resources, query)` answers one FHIR search (or read) over a list of resources
the way the CDS service's prefetch templates ask: patient, code (token lists), status,
_include of medicines, _count paging with `next` links. `FhirFixture` serves the same on
loopback with uvicorn, behind a bearer token, with the CDS client's JWKS at /jwks.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def _subject(res: dict[str, Any]) -> str | None:
    for key in ("subject", "patient"):
        ref = res.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            return str(ref["reference"])
    return None


def _tokens(res: dict[str, Any]) -> set[str]:
    concept = res.get("code") or res.get("medicationCodeableConcept") or {}
    out = set()
    for c in concept.get("coding", []):
        out |= {f"{c.get('system')}|{c.get('code')}", str(c.get("code"))}
    return out


def _matches(res: dict[str, Any], name: str, value: str) -> bool:
    if name == "patient":
        return _subject(res) in (f"Patient/{value}", value)
    if name == "code":
        return bool(_tokens(res) & set(value.split(",")))
    if name == "status":
        return res.get("status") in value.split(",")
    if name == "_id":
        return res.get("id") in value.split(",")
    return True  # _sort, _count, _include and the rest do not filter


def search(resources: list[dict[str, Any]], query: str, base: str = "http://fhir.test") -> dict[str, Any]:
    """The searchset Bundle (or the resource, for a read) a FHIR server gives for `query` ('Type?a=b' or 'Type/id')."""
    path, _, qs = query.partition("?")
    parts = path.strip("/").split("/")
    if len(parts) == 2:
        found = [r for r in resources if r["resourceType"] == parts[0] and r.get("id") == parts[1]]
        return found[0] if found else {}
    kind = parts[0]
    params = parse_qsl(qs, keep_blank_values=True)
    hits = [r for r in resources if r["resourceType"] == kind and all(_matches(r, k, v) for k, v in params)]
    if any(k == "_sort" and v == "-date" for k, v in params):
        hits.sort(key=lambda r: str(r.get("effectiveDateTime", "")), reverse=True)
    count = next((int(v) for k, v in params if k == "_count"), 50)
    offset = next((int(v) for k, v in params if k == "_offset"), 0)
    page = hits[offset:offset + count]
    entries = [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
               for r in page]
    if any(k == "_include" and v.endswith(":medication") for k, v in params):
        for r in page:
            target = (r.get("medicationReference") or {}).get("reference", "")
            if target.startswith("Medication/"):
                entries += [{"fullUrl": f"{base}/{m['resourceType']}/{m['id']}", "resource": m,
                             "search": {"mode": "include"}}
                            for m in resources if m["resourceType"] == "Medication" and f"Medication/{m['id']}" == target]
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": len(hits), "entry": entries}
    if offset + count < len(hits):
        rest = [(k, v) for k, v in params if k != "_offset"] + [("_offset", str(offset + count))]
        bundle["link"] = [{"relation": "next", "url": f"{base}/{kind}?" + "&".join(f"{k}={v}" for k, v in rest)}]
    return bundle


def fixture_app(resources: list[dict[str, Any]], token: str, jwks: dict[str, Any] | None = None,
                delay: float = 0.0) -> FastAPI:
    app = FastAPI()
    app.state.requests = []

    @app.get("/jwks")
    def get_jwks() -> JSONResponse:
        return JSONResponse(jwks or {"keys": []})

    @app.get("/fhir/{rest:path}")
    async def fhir(rest: str, request: Request) -> JSONResponse:
        app.state.requests.append(str(request.url))
        if request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "login", "diagnostics": "bad token"}]}, status_code=401)
        if delay:
            await asyncio.sleep(delay)
        base = str(request.base_url).rstrip("/") + "/fhir"
        query = rest + (f"?{request.url.query}" if request.url.query else "")
        found = search(resources, query, base)
        return JSONResponse(found, status_code=200 if found else 404, media_type="application/fhir+json")

    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run an ASGI app on a loopback port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def record(patient: str = "p1") -> list[dict[str, Any]]:
    """A realistic chart: back pain with sciatica two days old, CKD by ICD-10, warfarin by product code through a
    Medication, an ibuprofen allergy, a fever reading, and the ordinary clutter (diabetes, statin, labs)."""
    subj = {"reference": f"Patient/{patient}"}
    snomed, icd, loinc = "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm", "http://loinc.org"
    rx = "http://www.nlm.nih.gov/research/umls/rxnorm"
    clinical = "http://terminology.hl7.org/CodeSystem/condition-clinical"
    return [
        {"resourceType": "Patient", "id": patient, "birthDate": "1961-03-14", "gender": "female"},
        {"resourceType": "Condition", "id": "lbp", "subject": subj, "onsetDateTime": "2026-11-23T08:00:00Z",
         "clinicalStatus": {"coding": [{"system": clinical, "code": "active"}]},
         "code": {"coding": [{"system": icd, "code": "M54.50", "display": "Low back pain, unspecified"}]}},
        {"resourceType": "Condition", "id": "ckd", "subject": subj, "onsetDateTime": "2019-05-01",
         "clinicalStatus": {"coding": [{"system": clinical, "code": "active"}]},
         "code": {"coding": [{"system": icd, "code": "N18.30", "display": "Chronic kidney disease, stage 3 unspecified"}]}},
        {"resourceType": "Condition", "id": "dm2", "subject": subj, "onsetDateTime": "2015-02-01",
         "clinicalStatus": {"coding": [{"system": clinical, "code": "active"}]},
         "code": {"coding": [{"system": snomed, "code": "44054006", "display": "Diabetes mellitus type 2"}]}},
        {"resourceType": "Observation", "id": "pain-1", "status": "final", "subject": subj,
         "code": {"coding": [{"system": loinc, "code": "72514-3"}]}, "effectiveDateTime": "2026-11-23T09:00:00Z",
         "valueQuantity": {"value": 8, "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}"}},
        {"resourceType": "Observation", "id": "pain-2", "status": "final", "subject": subj,
         "code": {"coding": [{"system": loinc, "code": "38208-5"}]}, "effectiveDateTime": "2026-11-25T10:00:00Z",
         "valueCodeableConcept": {"coding": [{"system": loinc, "code": "LA10137-0", "display": "5"}]}},
        {"resourceType": "Observation", "id": "temp", "status": "final", "subject": subj,
         "code": {"coding": [{"system": loinc, "code": "8310-5", "display": "Body temperature"}]},
         "effectiveDateTime": "2026-11-25T09:30:00Z",
         "valueQuantity": {"value": 38.4, "unit": "C", "system": "http://unitsofmeasure.org", "code": "Cel"}},
        {"resourceType": "Observation", "id": "hba1c", "status": "final", "subject": subj,
         "code": {"coding": [{"system": loinc, "code": "4548-4"}]}, "effectiveDateTime": "2026-10-01",
         "valueQuantity": {"value": 7.1, "unit": "%"}},
        {"resourceType": "Medication", "id": "med-warfarin",
         "code": {"coding": [{"system": rx, "code": "855332", "display": "warfarin sodium 5 MG Oral Tablet"}]}},
        {"resourceType": "MedicationRequest", "id": "mr-warfarin", "status": "active", "intent": "order", "subject": subj,
         "medicationReference": {"reference": "Medication/med-warfarin"}},
        {"resourceType": "MedicationRequest", "id": "mr-statin", "status": "active", "intent": "order", "subject": subj,
         "medicationCodeableConcept": {"coding": [{"system": rx, "code": "617310",
                                                   "display": "atorvastatin 20 MG Oral Tablet"}]}},
        {"resourceType": "AllergyIntolerance", "id": "al-ibu", "patient": subj,
         "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                        "code": "active"}]},
         "code": {"coding": [{"system": rx, "code": "5640", "display": "ibuprofen"}]}},
    ]


__all__ = ["fixture_app", "free_port", "record", "search", "serve"]
