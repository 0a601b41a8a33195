"""FHIR R4 plumbing: validating resources with fhir.resources' R4B models, OperationOutcome.

fhir.resources checks structure and data types but accepts any string where a
code is bound to a value set, so the mappings check the codes they rely on
themselves and report problems through the same `FhirError`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

from pydantic import ValidationError

FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True)
class Issue:
    """One OperationOutcome issue: what is wrong, and where (a FHIRPath expression)."""

    message: str
    expression: str = ""
    code: str = "invalid"  # http://hl7.org/fhir/issue-type
    severity: str = "error"


class FhirError(ValueError):
    """A resource that cannot be used. `status` is the HTTP status to answer with."""

    def __init__(self, issues: Sequence[Issue], status: int = 422):
        self.issues = list(issues)
        self.status = status
        super().__init__("; ".join(f"{i.expression}: {i.message}" if i.expression else i.message for i in issues))

    def outcome(self) -> dict[str, Any]:
        return operation_outcome(self.issues)


def operation_outcome(issues: Sequence[Issue]) -> dict[str, Any]:
    """An OperationOutcome resource naming each problem and its location."""
    out = []
    for issue in issues:
        entry: dict[str, Any] = {
            "severity": issue.severity,
            "code": issue.code,
            "details": {"text": issue.message},
            "diagnostics": f"{issue.expression}: {issue.message}" if issue.expression else issue.message,
        }
        if issue.expression:
            entry["expression"] = [issue.expression]
        out.append(entry)
    items = "".join(f"<li>{escape(i['diagnostics'])}</li>" for i in out)
    narrative = {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{items}</ul></div>'}
    return {"resourceType": "OperationOutcome", "text": narrative, "issue": out}


def fhir_path(resource_type: str, loc: Sequence[int | str]) -> str:
    """('item', 0, 'answer', 0, 'valueInteger') -> 'QuestionnaireResponse.item[0].answer[0].valueInteger'."""
    out = resource_type
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def model_class(resource_type: str) -> type[Any]:
    """The R4B model class for a resource type (fhir.resources' top level is R5)."""
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def check(resource: Any, expected: str | None = None) -> Any:
    """Validate a decoded JSON resource against its R4B model; FhirError (422) names each problem."""
    if not isinstance(resource, dict):
        raise FhirError([Issue("a FHIR resource must be a JSON object", code="structure")])
    rtype = resource.get("resourceType")
    if expected is not None and rtype != expected:
        got = f"'{rtype}'" if isinstance(rtype, str) else "no resourceType"
        raise FhirError([Issue(f"expected a {expected} resource, got {got}", "resourceType", code="structure")])
    if not isinstance(rtype, str):
        raise FhirError([Issue("resourceType is missing", "resourceType", code="required")])
    try:
        cls = model_class(rtype)
    except (ValueError, KeyError, AttributeError):
        raise FhirError([Issue(f"unknown resourceType '{rtype}'", "resourceType", code="not-supported")]) from None
    try:
        return cls.model_validate(resource)
    except ValidationError as e:
        raise FhirError(_issues(rtype, e)) from None
    except (TypeError, ValueError, RecursionError) as e:  # the models raise these for some malformed values
        raise FhirError([Issue(f"not a valid {rtype}: {e}", rtype, code="structure")]) from None


def _issues(rtype: str, exc: ValidationError) -> list[Issue]:
    issues = []
    for err in exc.errors(include_url=False)[:20]:
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        kind = err["type"]
        code = {"missing": "required", "extra_forbidden": "structure"}.get(kind, "value")
        msg = "unknown element" if kind == "extra_forbidden" else str(err["msg"])
        issues.append(Issue(msg, fhir_path(rtype, loc), code=code))
    return issues


def dump(model: Any) -> dict[str, Any]:
    """A validated model back to R4 JSON (no empty elements)."""
    data: dict[str, Any] = model.model_dump(mode="json", exclude_none=True, by_alias=True)
    return data


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> datetime:
    return datetime.now(UTC)


def instant(moment: datetime) -> str:
    """A FHIR dateTime / instant: seconds precision, with the time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_datetime(value: Any) -> datetime | None:
    """A FHIR date or dateTime string as an aware datetime (dates at midnight UTC), or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    try:
        if len(text) == 4:
            moment = datetime(int(text), 1, 1)
        elif len(text) == 7:
            moment = datetime(int(text[:4]), int(text[5:7]), 1)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def codings(concept: Any) -> list[tuple[str, str]]:
    """(system, code) pairs of a decoded CodeableConcept; tolerant of malformed parts."""
    if not isinstance(concept, dict):
        return []
    out = []
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            system = coding.get("system")
            out.append((system if isinstance(system, str) else "", coding["code"]))
    return out


__all__ = [
    "FHIR_JSON",
    "FhirError",
    "Issue",
    "check",
    "codings",
    "dump",
    "fhir_path",
    "instant",
    "model_class",
    "new_id",
    "now",
    "operation_outcome",
    "parse_datetime",
]
