"""$assess: a QuestionnaireResponse (or Parameters holding one) in, the triage Bundle out."""

from __future__ import annotations

from typing import Any

from ..contract import BadInput
from .fhir import FhirError, Issue


def response_resource(data: Any) -> Any:
    """The QuestionnaireResponse itself, or the one inside a Parameters resource (`response`)."""
    if isinstance(data, dict) and data.get("resourceType") == "Parameters":
        params = data.get("parameter")
        for param in params if isinstance(params, list) else []:
            if isinstance(param, dict) and param.get("name") == "response":
                return param.get("resource")
        raise FhirError([Issue("a Parameters body needs a 'response' parameter holding the QuestionnaireResponse",
                               "Parameters.parameter", code="required")])
    return data


def assess_response(data: Any) -> dict[str, Any]:
    """QuestionnaireResponse in, Bundle out (FhirError 422 on an invalid resource)."""
    from ..engine import assess
    from .bundle import assessment_bundle
    from .questionnaire import response_to_assessment

    resource = response_resource(data)
    assessment = response_to_assessment(resource)
    subject = resource.get("subject") if isinstance(resource.get("subject"), dict) else None
    try:
        result = assess(assessment)
    except BadInput as e:
        raise FhirError([Issue(msg, "QuestionnaireResponse", code="value") for _, msg in e.errors]) from None
    except ModuleNotFoundError:
        # Never assess without the person's words: refuse the text rather than ignore it.
        raise FhirError([Issue("this server cannot read free text; remove the 'text' answer or install the "
                               "text reader", "QuestionnaireResponse.item.where(linkId='text')",
                               code="not-supported")]) from None
    # What we send is checked by the test suite (the R4 JSON schema and the R4B models, for
    # every kind of answer), not again on every request: that check cost two thirds of the time.
    return assessment_bundle(assessment, result, subject=subject, response=resource)


__all__ = ["assess_response", "response_resource"]
