"""The intake as a FHIR Questionnaire, and QuestionnaireResponse <-> Assessment.

The Questionnaire is generated from the knowledge base (`vocabulary()`), the one
registry the CLI and web questionnaires read too: one boolean item per finding a
person can report (linkId = the finding code, text = its question), one per
condition, the numbers, an optional diary and the person's own words.

A response becomes an Assessment through `parse_assessment`, so validation is the
contract's own; problems are reported with their FHIRPath location. A yes is a
present finding, a no a denied one, and an unanswered item is neither. The server
applies enableWhen exactly as a form does: the one-leg questions are enabled only by a
yes to the leg gate, so an answer to one of them without that yes is refused (never
silently dropped, never counted against the gate); a no to the gate denies the three.
A yes to the gate with every one-leg question answered no is read as the specific
answers say (denied): they are the person's answers to the questions the gate opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .. import __version__
from ..codes import LEG_SYMPTOMS
from ..contract import MAX_HOURS, MAX_TEXT, Assessment, BadInput, parse_assessment
from ..knowledge import vocabulary
from .fhir import FhirError, Issue, check
from .narrative import div
from .systems import (
    AGE_LOINC,
    CONDITION_SYSTEM,
    FINDING_SYSTEM,
    LOINC,
    PAIN_DISPLAY,
    PAIN_LOINC,
    QR_STATUS,
    QUESTIONNAIRE_ID,
    QUESTIONNAIRE_URL,
)

# The one follow-up gate: the per-leg questions are shown only after a yes here.
LEG_GATE = "leg_symptoms"
LEG_GATE_TEXT = "Do you have numbness, tingling or weakness in a leg or foot?"
LEG_ITEMS = ("leg_numbness", "leg_tingling", "leg_weakness")  # both legs (pain too) is asked outside the gate
GROUPS = ("episode", "findings", "conditions", "diary")
DIARY_HOURS = "diary.hours_since_onset"
DIARY_PAIN = "diary.pain"
MIN_EXT = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_EXT = "http://hl7.org/fhir/StructureDefinition/maxValue"
ANSWER_KEY = {"boolean": "valueBoolean", "decimal": "valueDecimal", "integer": "valueInteger", "text": "valueString"}


def _bounds(kind: str, low: float, high: float) -> list[dict[str, Any]]:
    key = "valueDecimal" if kind == "decimal" else "valueInteger"
    return [{"url": MIN_EXT, key: low}, {"url": MAX_EXT, key: high}]


def _number_items(prefix: str = "") -> list[dict[str, Any]]:
    return [
        {
            "linkId": f"{prefix}hours_since_onset",
            "text": "How many hours ago did this spasm begin?" if not prefix else "Hours since the spasm began",
            "type": "decimal",
            "required": True,
            "extension": _bounds("decimal", 0, MAX_HOURS),
        },
        {
            "linkId": f"{prefix}pain",
            "code": [{"system": LOINC, "code": PAIN_LOINC, "display": PAIN_DISPLAY}],
            "text": "How bad is the pain right now, from 0 (no pain) to 10 (the worst you can imagine)?"
            if not prefix
            else "Pain then (0-10)",
            "type": "integer",
            "required": True,
            "extension": _bounds("integer", 0, 10),
        },
    ]


@cache
def _questionnaire() -> dict[str, Any]:
    vocab = vocabulary()
    finding_items: list[dict[str, Any]] = []
    gate = {"linkId": LEG_GATE, "text": LEG_GATE_TEXT, "type": "boolean"}
    for f in vocab["findings"]:
        if f["kind"] == "derived":
            continue
        item: dict[str, Any] = {
            "linkId": f["code"],
            "code": [{"system": FINDING_SYSTEM, "code": f["code"], "display": f["label"]}],
            "text": f["question"],
            "type": "boolean",
        }
        if f["code"] in LEG_ITEMS:
            if gate not in finding_items:  # the gate sits where its first follow-up would, in knowledge-base order
                finding_items.append(gate)
            item["required"] = True
            item["enableWhen"] = [{"question": LEG_GATE, "operator": "=", "answerBoolean": True}]
        finding_items.append(item)
    condition_items = [
        {
            "linkId": c["code"],
            "code": [{"system": CONDITION_SYSTEM, "code": c["code"], "display": c["label"]}],
            "text": c["question"],
            "type": "boolean",
        }
        for c in vocab["conditions"]
    ]
    age = {
        "linkId": "age",
        "code": [{"system": LOINC, "code": AGE_LOINC, "display": "Age"}],
        "text": "How old are you, in years?",
        "type": "integer",
        "extension": _bounds("integer", 0, 120),
    }
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": __version__,
        "name": "BackspasmIntake",
        "title": "Back spasm: triage and self-care intake",
        "status": "active",
        "text": div("Back spasm: triage and self-care intake. The questions a person answers about this back pain, "
                    "its warning signs, and the conditions and medicines that change pain-relief advice."),
        "subjectType": ["Patient"],
        "publisher": "backspasm",
        "description": "The backspasm intake, generated from its knowledge base. A yes to a symptom counts it as present, "
        "a no as absent; an unanswered symptom is neither. Answers are assessed with "
        "POST /fhir/QuestionnaireResponse/$assess. Not a diagnosis.",
        "item": [
            {"linkId": "episode", "text": "About this back spasm", "type": "group", "required": True,
             "item": [*_number_items(), age]},
            {"linkId": "findings", "text": "Symptoms and circumstances", "type": "group",
             "item": finding_items},
            {"linkId": "conditions", "text": "Health conditions and medicines that matter for pain relief",
             "type": "group", "item": condition_items},
            {"linkId": "diary", "text": "Earlier pain ratings in this episode (optional)", "type": "group",
             "repeats": True, "item": _number_items("diary.")},
            {"linkId": "text", "text": "In your own words, what happened and how does it feel?", "type": "text",
             "maxLength": MAX_TEXT},
        ],
    }


def questionnaire() -> dict[str, Any]:
    """The intake Questionnaire as R4 JSON (a fresh copy: callers may change it)."""
    import copy

    return copy.deepcopy(_questionnaire())


@cache
def _items() -> dict[str, dict[str, Any]]:
    """Every item of the Questionnaire by linkId."""
    out: dict[str, dict[str, Any]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            out[item["linkId"]] = item
            walk(item.get("item", []))

    walk(_questionnaire()["item"])
    return out


def _kinds() -> tuple[frozenset[str], frozenset[str]]:
    vocab = vocabulary()
    findings = frozenset(f["code"] for f in vocab["findings"] if f["kind"] != "derived")
    return findings, frozenset(c["code"] for c in vocab["conditions"])


# ---- QuestionnaireResponse -> Assessment ----


@dataclass
class _Answers:
    """Answers by linkId, each with its FHIRPath location."""

    values: dict[str, tuple[Any, str]] = field(default_factory=dict)
    diary: list[dict[str, tuple[Any, str]]] = field(default_factory=list)
    diary_paths: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _walk(items: Any, path: str, out: _Answers, in_diary: dict[str, tuple[Any, str]] | None) -> None:
    known = _items()
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        here = f"{path}.item[{i}]"
        link = item.get("linkId") if isinstance(item, dict) else None
        if not isinstance(link, str):
            out.issues.append(Issue("item has no linkId", here, code="required"))
            continue
        spec = known.get(link)
        if spec is None:
            out.issues.append(Issue(f"unknown linkId '{link}'; the intake Questionnaire has no such item", f"{here}.linkId",
                                    code="not-found"))
            continue
        if link.startswith("diary.") and in_diary is None:
            out.issues.append(Issue(f"'{link}' belongs inside a 'diary' group", f"{here}.linkId", code="structure"))
            continue
        answers = item.get("answer") or []
        if spec["type"] == "group":
            if answers:
                out.issues.append(Issue("a group has no answers of its own", f"{here}.answer", code="structure"))
            if link == "diary":
                entry: dict[str, tuple[Any, str]] = {}
                out.diary.append(entry)
                out.diary_paths.append(here)
                _walk(item.get("item"), here, out, entry)
            else:
                _walk(item.get("item"), here, out, in_diary)
            continue
        target = in_diary if link.startswith("diary.") and in_diary is not None else out.values
        if link in target:
            out.issues.append(Issue(f"'{link}' is answered more than once", f"{here}.linkId", code="duplicate"))
            continue
        if len(answers) > 1:
            out.issues.append(Issue(f"'{link}' takes one answer, got {len(answers)}", f"{here}.answer", code="value"))
            continue
        for j, answer in enumerate(answers):
            _walk(answer.get("item") if isinstance(answer, dict) else None, f"{here}.answer[{j}]", out, in_diary)
        if not answers:
            continue
        answer = answers[0]
        want = ANSWER_KEY[spec["type"]]
        given = [k for k in answer if k.startswith("value")] if isinstance(answer, dict) else []
        if given != [want]:
            got = given[0] if given else "no value"
            out.issues.append(Issue(f"'{link}' is a {spec['type']} question: answer with {want}, got {got}",
                                    f"{here}.answer[0]", code="value"))
            continue
        value = answer[want]
        if spec["type"] == "boolean" and not isinstance(value, bool):
            out.issues.append(Issue("must be true or false", f"{here}.answer[0].{want}", code="value"))
            continue
        target[link] = (value, f"{here}.answer[0].{want}")


def _missing_path(link: str) -> str:
    """Where a required, unanswered item would go (FHIRPath with linkId filters)."""
    group = "episode" if link in ("hours_since_onset", "pain", "age") else "findings"
    return f"QuestionnaireResponse.item.where(linkId='{group}').item.where(linkId='{link}')"


def response_to_assessment(resource: Any) -> Assessment:
    """Validate a QuestionnaireResponse and read it as an Assessment (FhirError 422 on any problem)."""
    check(resource, "QuestionnaireResponse")
    issues: list[Issue] = []
    status = resource.get("status")
    if status not in QR_STATUS:
        issues.append(Issue(f"unknown status '{status}'; allowed: {', '.join(sorted(QR_STATUS))}",
                            "QuestionnaireResponse.status", code="code-invalid"))
    elif status == "entered-in-error":
        issues.append(Issue("this response is marked entered-in-error and cannot be assessed",
                            "QuestionnaireResponse.status", code="business-rule"))
    canonical = resource.get("questionnaire")
    if canonical is not None and str(canonical).split("|", 1)[0] not in (QUESTIONNAIRE_URL, f"Questionnaire/{QUESTIONNAIRE_ID}"):
        issues.append(Issue(f"answers a different Questionnaire ('{canonical}'); expected {QUESTIONNAIRE_URL}",
                            "QuestionnaireResponse.questionnaire", code="not-supported"))
    answers = _Answers()
    _walk(resource.get("item"), "QuestionnaireResponse", answers, None)
    issues += answers.issues
    values = answers.values
    gate = values.get(LEG_GATE, (None, ""))[0]
    if gate is True:
        issues += [Issue(f"'{link}' is required when '{LEG_GATE}' is yes", _missing_path(link), code="required")
                   for link in LEG_ITEMS if link not in values]
    else:
        said = "no" if gate is False else "not answered"
        issues += [Issue(f"'{link}' is answered but not enabled: its enableWhen needs '{LEG_GATE}' = yes "
                         f"('{LEG_GATE}' is {said}); answer the gate yes, or leave it out", values[link][1],
                         code="business-rule") for link in LEG_ITEMS if link in values]
    if issues:
        raise FhirError(issues)
    return _to_assessment(answers)


def _to_assessment(answers: _Answers) -> Assessment:
    findings_codes, condition_codes = _kinds()
    values = answers.values
    data: dict[str, Any] = {}
    where: dict[str, str] = {}
    for key in ("hours_since_onset", "pain", "age", "text"):
        if key in values:
            data[key], where[key] = values[key]
    present = [code for code in values if code in findings_codes and values[code][0] is True]
    denied = [code for code in values if code in findings_codes and values[code][0] is False]
    if values.get(LEG_GATE, (None, ""))[0] is False:  # "no" to the gate answers every leg question
        denied += [code for code in LEG_ITEMS if code not in values]
    conditions = [code for code in values if code in condition_codes and values[code][0] is True]
    if present:
        data["findings"] = present
    if denied:
        data["denied"] = denied
    if conditions:
        data["conditions"] = conditions
    diary: list[dict[str, Any]] = []
    for i, entry in enumerate(answers.diary):
        row: dict[str, Any] = {}
        for link, key in ((DIARY_HOURS, "hours_since_onset"), (DIARY_PAIN, "pain")):
            if link in entry:
                row[key], where[f"diary[{len(diary)}].{key}"] = entry[link]
            where.setdefault(f"diary[{len(diary)}].{key}", f"{answers.diary_paths[i]}.item.where(linkId='{link}')")
        if row:
            diary.append(row)
    if diary:
        data["diary"] = diary
    try:
        return parse_assessment(data)
    except BadInput as e:
        raise FhirError([Issue(msg, where.get(loc) or (_missing_path(loc) if loc in ("hours_since_onset", "pain")
                                                        else "QuestionnaireResponse"), code="value")
                         for loc, msg in e.errors]) from None


# ---- Assessment -> QuestionnaireResponse ----


def _answer(link: str, value: Any) -> dict[str, Any]:
    key = ANSWER_KEY[_items()[link]["type"]]
    return {"linkId": link, "answer": [{key: value}]}


def assessment_to_response(a: Assessment, *, subject: dict[str, Any] | None = None,
                           authored: str | None = None) -> dict[str, Any]:
    """The QuestionnaireResponse that says what an Assessment says (the round-trip's other half)."""
    _, condition_codes = _kinds()
    # A boolean item cannot say "not sure": an unsure finding goes out as a yes, the reading it counted as.
    present = set(a.findings or ()) | set(a.unsure or ())
    denied = set(a.denied or ()) - present
    episode = [_answer("hours_since_onset", a.hours_since_onset), _answer("pain", a.pain)]
    if a.age is not None:
        episode.append(_answer("age", a.age))
    finding_items: list[dict[str, Any]] = []
    leg_present = bool(present & LEG_SYMPTOMS)
    for item in _items()["findings"]["item"]:
        link = item["linkId"]
        if link == LEG_GATE:
            if leg_present or set(LEG_ITEMS) <= denied:
                finding_items.append(_answer(LEG_GATE, leg_present))
        elif link in LEG_ITEMS:
            if leg_present:
                finding_items.append(_answer(link, link in present))
        elif link in present or link in denied:
            finding_items.append(_answer(link, link in present))
    items: list[dict[str, Any]] = [{"linkId": "episode", "item": episode}]
    if finding_items:
        items.append({"linkId": "findings", "item": finding_items})
    conditions = [c for c in (a.conditions or ()) if c in condition_codes]
    if conditions:
        order = [i["linkId"] for i in _items()["conditions"]["item"]]
        items.append({"linkId": "conditions", "item": [_answer(c, True) for c in sorted(set(conditions), key=order.index)]})
    for entry in a.diary or ():
        items.append({"linkId": "diary", "item": [_answer(DIARY_HOURS, entry.hours_since_onset),
                                                  _answer(DIARY_PAIN, entry.pain)]})
    if a.text is not None:
        items.append(_answer("text", a.text))
    out: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "questionnaire": QUESTIONNAIRE_URL,
                           "status": "completed", "item": items}
    if subject:
        out["subject"] = subject
    if authored:
        out["authored"] = authored
    return out


__all__ = ["LEG_GATE", "assessment_to_response", "questionnaire", "response_to_assessment"]
