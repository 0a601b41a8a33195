"""The official FHIR R4 JSON schema, fetched on first use (scripts/install-fhir-schema.sh) and never committed.

`schema_errors(resource)` validates one resource (and everything nested in it) against the
definition of its resourceType.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install-fhir-schema.sh"
LOCK = ROOT / ".cache" / "fhir-schema.lock"


@cache
def _schema() -> dict[str, Any]:
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as lock:  # pytest-xdist workers: one fetches, the others wait
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"could not fetch the FHIR R4 JSON schema: {done.stderr.strip()}")
    data: dict[str, Any] = json.loads(Path(done.stdout.strip()).read_text(encoding="utf-8"))
    if data.get("id") != "http://hl7.org/fhir/json-schema/4.0":
        raise RuntimeError(f"unexpected schema id {data.get('id')!r}: not the FHIR R4 (4.0) JSON schema")
    # The package ships the schema as first published for R4 (4.0.0); the R4 technical correction
    # 4.0.1, the version servers declare, adds itself to the list of FHIR versions and nothing else
    # this project emits depends on. That one value is the only change made here.
    versions = data["definitions"]["CapabilityStatement"]["properties"]["fhirVersion"]["enum"]
    if "4.0.1" not in versions:
        versions.append("4.0.1")
    return data


@cache
def _validator(resource_type: str) -> Any:
    from jsonschema import Draft6Validator

    full = _schema()
    if resource_type not in full["definitions"]:
        raise AssertionError(f"{resource_type} is not an R4 resource type")
    return Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": full["definitions"]})


def schema_errors(resource: dict[str, Any]) -> list[str]:
    """Every violation of the R4 schema in one resource, as 'path: message'."""
    validator = _validator(str(resource.get("resourceType")))
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message[:300]}"
            for e in validator.iter_errors(resource)]


def assert_schema_valid(resource: dict[str, Any]) -> None:
    errors = schema_errors(resource)
    assert not errors, f"{resource.get('resourceType')} violates the FHIR R4 JSON schema:\n" + "\n".join(errors[:10])
