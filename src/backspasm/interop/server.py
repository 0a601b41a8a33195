"""What a FHIR client learns about this server: the CapabilityStatement and the $assess OperationDefinition.

Both are generated, so they list exactly the interactions the routes answer; the
format rules (JSON only, `_format` honoured or refused) live here too.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from .fhir import FHIR_JSON, FhirError, Issue
from .narrative import div
from .systems import QUESTIONNAIRE_URL

OPERATION_ID = "QuestionnaireResponse-assess"
OPERATION_URL = "https://backspasm.example/fhir/OperationDefinition/QuestionnaireResponse-assess"
JSON_FORMATS = frozenset({"json", FHIR_JSON, "application/json", "application/json+fhir"})
XML_FORMATS = frozenset({"xml", "application/fhir+xml", "application/xml", "text/xml", "application/xml+fhir"})


def capability_statement(base: str | None, moment: str) -> dict[str, Any]:
    """The server's CapabilityStatement (R4): read and search of the intake and code systems, $assess."""
    out: dict[str, Any] = {
        "resourceType": "CapabilityStatement",
        "id": "backspasm",
        "text": div("backspasm FHIR R4 server: the back-spasm intake Questionnaire, its code systems, and the $assess "
                    "operation that turns a QuestionnaireResponse into a triage Bundle. JSON only."),
        "url": "https://backspasm.example/fhir/CapabilityStatement/backspasm",
        "version": __version__,
        "name": "BackspasmServer",
        "title": "backspasm FHIR R4 server",
        "status": "active",
        "date": moment,
        "publisher": "backspasm",
        "kind": "instance",
        "software": {"name": "backspasm", "version": __version__},
        "implementation": {"description": "backspasm back-spasm triage"},
        "fhirVersion": "4.0.1",
        "format": [FHIR_JSON, "json"],
        "rest": [{
            "mode": "server",
            "documentation": "Errors are OperationOutcomes. XML is not supported (415 for a body, 406 for _format).",
            "resource": [
                {"type": "Questionnaire", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": [{"name": "url", "type": "uri"}, {"name": "_id", "type": "token"}]},
                {"type": "CodeSystem", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": [{"name": "url", "type": "uri"}, {"name": "_id", "type": "token"}]},
                {"type": "OperationDefinition", "interaction": [{"code": "read"}]},
                {"type": "QuestionnaireResponse", "operation": [{"name": "assess", "definition": OPERATION_URL}]},
            ],
            "operation": [{"name": "assess", "definition": OPERATION_URL}],
        }],
    }
    if base:
        out["implementation"]["url"] = f"{base}/fhir"
    return out


def operation_definition() -> dict[str, Any]:
    """QuestionnaireResponse/$assess: the intake's answers in, the triage Bundle out."""
    return {
        "resourceType": "OperationDefinition",
        "id": OPERATION_ID,
        "text": div("Assess the answers to the backspasm intake: a QuestionnaireResponse in (as the body, or as the "
                    "'response' parameter), a collection Bundle out with the response, the pain Observation, an "
                    "Observation per reason, the RiskAssessment (urgency as prediction.outcome) and the proposed "
                    "CarePlan."),
        "url": OPERATION_URL,
        "version": __version__,
        "name": "Assess",
        "title": "Assess a back-spasm intake response",
        "status": "active",
        "kind": "operation",
        "publisher": "backspasm",
        "affectsState": False,
        "code": "assess",
        "resource": ["QuestionnaireResponse"],
        "system": False,
        "type": True,
        "instance": False,
        "parameter": [
            {"name": "response", "use": "in", "min": 1, "max": "1", "type": "QuestionnaireResponse",
             "documentation": f"Answers to {QUESTIONNAIRE_URL}"},
            {"name": "return", "use": "out", "min": 1, "max": "1", "type": "Bundle",
             "documentation": "A collection Bundle: QuestionnaireResponse, Observations, RiskAssessment, CarePlan"},
        ],
    }


def response_format(format_param: str | None, accept: str | None) -> None:
    """Refuse (FhirError 406) a response format other than JSON, asked by `_format` or by Accept alone."""
    if format_param is not None:
        wanted = format_param.split(";")[0].strip().lower()
        if wanted in JSON_FORMATS:
            return
        what = "XML" if wanted in XML_FORMATS else f"'{format_param}'"
        raise FhirError([Issue(f"_format: {what} is not supported; this server answers application/fhir+json only",
                               "_format", code="not-supported")], 406)
    if not accept:
        return
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if types and all(t in XML_FORMATS for t in types):
        raise FhirError([Issue("Accept: XML is not supported; this server answers application/fhir+json only",
                               code="not-supported")], 406)


def request_format(content_type: str | None) -> None:
    """Refuse (FhirError 415) a body that is not JSON."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in XML_FORMATS:
        raise FhirError([Issue(f"Content-Type {kind} is not supported; send application/fhir+json",
                               code="not-supported")], 415)
    if kind and kind not in JSON_FORMATS:
        raise FhirError([Issue(f"Content-Type {kind} is not supported; send application/fhir+json",
                               code="not-supported")], 415)


__all__ = ["OPERATION_ID", "capability_statement", "operation_definition", "request_format", "response_format"]
