"""The CONTRACT.md models: what an assessment may hold, and the one bad-input error.

Validation is strict on purpose: a misspelt field or code silently ignored could
hide a red flag, so every unknown key, unknown code, wrong type or out-of-range
value is refused with a message that names the field (and the batch index).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import i18n
from .codes import (
    CONDITION_CODES,
    DERIVED_ONLY_FINDINGS,
    FINDING_CODES,
    LOCALES,
    PLAN_CODES,
    PREVENTION_CODES,
    PROFESSIONAL_CODES,
    ConditionCode,
    FindingCode,
    LocaleCode,
    PlanCode,
    PreventionCode,
    ProfessionalCode,
    ReportableFindingCode,
    SourceRef,
    StatusCode,
    UrgencyCode,
)

MAX_HOURS = 8760
MAX_TEXT = 5000
MAX_LISTED_ERRORS = 20  # a bad input names this many problems (each reworded, with a suggestion) and counts the rest

Hours = Annotated[float, Field(ge=0, le=MAX_HOURS, allow_inf_nan=False)]
Pain = Annotated[int, Field(ge=0, le=10)]


class BadInput(ValueError):
    """Input that does not satisfy CONTRACT.md. `errors` lists (location, message) pairs;
    `omitted` counts further problems that were found but not listed."""

    def __init__(self, errors: Sequence[tuple[str, str]], omitted: int = 0):
        self.errors = list(errors)
        self.omitted = omitted
        super().__init__("; ".join(f"{loc}: {msg}" if loc else msg for loc, msg in self.errors))

    def as_dict(self) -> dict[str, Any]:
        return {"error": "bad_input", "detail": [{"loc": loc, "msg": msg} for loc, msg in self.errors]}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DiaryEntry(_Strict):
    """An earlier pain rating in this episode."""

    hours_since_onset: Hours = Field(description="When the rating was made, in hours since the spasm began.")
    pain: Pain = Field(description="Pain then, on the 0-10 numeric rating scale.")


class Assessment(_Strict):
    """One person's answers: the input object of the contract (docs/contract.md)."""

    hours_since_onset: Hours = Field(description="How long ago this spasm began, in hours (0 to 8760).")
    pain: Pain = Field(description="Pain right now on the 0-10 numeric rating scale.")
    age: Annotated[int, Field(ge=0, le=120)] | None = Field(default=None, description="Age in years.")
    findings: list[ReportableFindingCode] | None = Field(
        default=None, description="Finding codes that are present, each at most once."
    )
    denied: list[ReportableFindingCode] | None = Field(
        default=None, description="Finding codes asked about and absent."
    )
    unsure: list[ReportableFindingCode] | None = Field(
        default=None,
        description="v1.1 extension: finding codes the person could not answer yes or no to, even after the "
        "follow-up question; each counts as present (the safer reading) and the result says so in `notes`.",
    )
    conditions: list[ConditionCode] | None = Field(
        default=None, description="Conditions and medicines that matter for over-the-counter pain relief."
    )
    diary: list[DiaryEntry] | None = Field(default=None, description="Earlier pain ratings of this episode.")
    text: Annotated[str, Field(max_length=MAX_TEXT)] | None = Field(
        default=None, description="The person's own words."
    )
    locale: LocaleCode | None = Field(
        default=None, description="Wording of the result: en-US (default: 911, acetaminophen) or en-GB (999, paracetamol, GP)."
    )

    @field_validator("locale", mode="before")
    @classmethod
    def _locale_tag(cls, value: Any) -> Any:
        """Locale tags are case-insensitive (BCP 47): 'en-gb' and 'en_GB' mean en-GB."""
        if not isinstance(value, str):
            return value
        try:
            return i18n.normalise(value)
        except i18n.UnknownLocale:
            raise PydanticCustomError(
                "unknown_locale", "unknown locale '{tag}' (allowed: {allowed})", {"tag": value, "allowed": ", ".join(LOCALES)}
            ) from None

    @model_validator(mode="after")
    def _cross_field(self) -> Assessment:
        for name in ("findings", "unsure"):
            seen: set[str] = set()
            for i, code in enumerate(getattr(self, name) or ()):
                if code in seen:
                    raise PydanticCustomError(
                        "duplicate_finding",
                        "{name}[{i}]: '{code}' is listed more than once",
                        {"name": name, "i": i, "code": code},
                    )
                seen.add(code)
        if self.diary:
            for i, entry in enumerate(self.diary):
                if entry.hours_since_onset > self.hours_since_onset:
                    raise PydanticCustomError(
                        "diary_after_now",
                        "diary[{i}].hours_since_onset: {h} is later than hours_since_onset {now}",
                        # Pydantic fills plain placeholders only: numbers are formatted here.
                        {"i": i, "h": f"{entry.hours_since_onset:g}", "now": f"{self.hours_since_onset:g}"},
                    )
        return self


# ---- result models: the response schema (the engine builds results without them) ----


class _Response(BaseModel):
    """Response models are built on first use (API docs, tests), not at import: the CLI never needs them."""

    model_config = ConfigDict(defer_build=True)


class Source(_Response):
    ref: SourceRef
    note: str | None = None


class Evidence(_Response):
    code: str = Field(description="The finding or condition code the words were read as.")
    span: tuple[int, int] = Field(description="Start and end character offsets in `text`.")
    text: str = Field(description="The words themselves.")
    uncertain: bool = Field(
        default=False,
        description="Present (and true) when the words name an emergency site with a feeling the rules cannot settle: "
        "the finding counts, and the person should be asked to confirm it.",
    )


class Note(_Response):
    code: FindingCode
    kind: Literal["unsure", "text_over_answer", "answer_over_text"] = Field(
        description="unsure: the person was not sure, so the finding counts; text_over_answer: answered no, but the "
        "words say it is there, and the words counted; answer_over_text: answered yes, though the words seem to rule "
        "it out, and the answer counted."
    )
    label: str
    text: str


class Reason(_Response):
    code: FindingCode
    level: UrgencyCode = Field(description="The urgency this finding sets.")
    label: str
    text: str
    source: Source
    from_text: bool = Field(default=False, description="True when the finding was read from the person's words.")


class PlanItem(_Response):
    code: PlanCode
    status: StatusCode = Field(
        description="recommended; ask_first (talk to a pharmacist or doctor first); "
        "avoid (do not take it unless a doctor prescribes it)."
    )
    title: str
    text: str
    source: Source
    cautions: list[str] = Field(default_factory=list, description="Why the status is ask_first or avoid, if it is.")


class Option(_Response):
    code: ProfessionalCode | PreventionCode
    title: str
    text: str
    source: Source


class ScheduleStep(_Response):
    at_hour: float = Field(description="Hours since onset when the step starts.")
    text: str
    source: Source


class WatchItem(_Response):
    code: FindingCode
    level: UrgencyCode = Field(description="The urgency this sign would set.")
    label: str
    text: str = Field(description="The whole sentence, opening with the action: 'Call 911 now if ...'.")
    sign: str = Field(description="The sign alone, for lists grouped under the level's action.")
    source: Source


class ResultModel(_Response):
    """The result object of the contract (docs/contract.md), with compatible extensions: evidence, conditions, schedule."""

    urgency: UrgencyCode
    headline: str
    findings: list[FindingCode]
    reasons: list[Reason]
    plan: list[PlanItem]
    professional: list[Option]
    prevention: list[Option]
    disclaimer: str
    conditions: list[ConditionCode] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    schedule: list[ScheduleStep] = Field(default_factory=list)
    watch_for: list[WatchItem] = Field(
        default_factory=list, description="v1.1 safety net: signs that would raise the urgency, most urgent first."
    )
    to_ask: list[FindingCode] = Field(
        default_factory=list, description="v1.1 red flags this input never covered, most urgent first."
    )
    locale: LocaleCode = Field(default="en-US", description="The wording the result is in.")
    notes: list[Note] = Field(
        default_factory=list,
        description="v1.1 extension, present only when not empty: answers the person was unsure of, and answers "
        "the words contradicted, with which one counted (always the safer reading).",
    )


# ---- parsing ----

_KNOWN_FIELDS = {
    "": tuple(Assessment.model_fields),
    "diary": tuple(DiaryEntry.model_fields),
}
_CODE_KINDS = {
    "findings": ("finding", FINDING_CODES),
    "denied": ("finding", FINDING_CODES),
    "unsure": ("finding", FINDING_CODES),
    "conditions": ("condition", CONDITION_CODES),
}


def _loc_str(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _message(err: Any) -> tuple[str, str]:
    """Turn one pydantic error into (location, plain message)."""
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    # A field inside a list of codes has a location ending in an index.
    code_field = next((p for p in loc if isinstance(p, str) and p in _CODE_KINDS), None)
    if kind == "extra_forbidden":
        parent = "diary" if "diary" in loc[:-1] else ""
        known = _KNOWN_FIELDS[parent]
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        return _loc_str(loc), f"unknown field{hint}; allowed fields: {', '.join(known)}"
    if kind == "literal_error" and code_field is not None:
        what, allowed = _CODE_KINDS[code_field]
        if not isinstance(value, str):
            return _loc_str(loc), f"a {what} code must be a string, got {_json_type(value)}"
        if value in DERIVED_ONLY_FINDINGS:
            return _loc_str(loc), f"'{value}' is derived from hours_since_onset and cannot be listed"
        guess = difflib.get_close_matches(value, allowed, n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        return _loc_str(loc), f"unknown {what} code '{value}'{hint}"
    if kind == "missing":
        return _loc_str(loc), "required field is missing"
    if kind in ("duplicate_finding", "diary_after_now"):
        prefix = _loc_str(loc)
        msg = err["msg"]
        return (f"{prefix}.{msg.split(':', 1)[0]}" if prefix else msg.split(":", 1)[0]), msg.split(": ", 1)[1]
    if kind in ("int_type", "float_type", "string_type", "list_type", "model_type", "dict_type", "bool_type"):
        want = {
            "int_type": "an integer",
            "float_type": "a number",
            "string_type": "a string",
            "list_type": "a list",
            "model_type": "an object",
            "dict_type": "an object",
            "bool_type": "true or false",
        }[kind]
        return _loc_str(loc), f"must be {want}, got {_json_type(value)}"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than", "finite_number"):
        bounds = {"hours_since_onset": "0 to 8760", "pain": "0 to 10", "age": "0 to 120"}.get(field, "")
        return _loc_str(loc), f"{value!r} is out of range" + (f" (allowed: {bounds})" if bounds else "")
    if kind == "string_too_long":
        return _loc_str(loc), f"is longer than {MAX_TEXT} characters"
    return _loc_str(loc), err["msg"]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _bad_input(exc: ValidationError, prefix: str = "") -> BadInput:
    errors = exc.errors(include_url=False)
    msgs = []
    for err in errors[:MAX_LISTED_ERRORS]:  # rewording suggests a code for each: bounded work per request
        try:
            loc, msg = _message(err)
        except Exception:  # an error shape the rewording does not know: keep pydantic's words
            loc, msg = _loc_str(tuple(err.get("loc", ()))), str(err.get("msg", "invalid value"))
        msgs.append((f"{prefix}{loc}", msg))
    return BadInput(msgs, omitted=len(errors) - len(msgs))


@cache
def _batch_adapter() -> TypeAdapter[list[Assessment]]:
    return TypeAdapter(list[Assessment])


def parse_assessment(data: Any) -> Assessment:
    """Validate one assessment given as a decoded JSON value."""
    if not isinstance(data, dict):
        raise BadInput([("", f"an assessment must be a JSON object, got {_json_type(data)}")])
    try:
        return Assessment.model_validate(data)
    except ValidationError as e:
        raise _bad_input(e) from None


def parse_many(data: Any) -> list[Assessment]:
    """Validate a batch (a JSON array): the whole batch fails on one bad item, naming its index."""
    if not isinstance(data, list):
        raise BadInput([("", f"a batch must be a JSON array, got {_json_type(data)}")])
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise BadInput([(f"[{i}]", f"an assessment must be a JSON object, got {_json_type(item)}")])
    try:
        return _batch_adapter().validate_python(data)
    except ValidationError as e:
        raise _bad_input(e) from None


class RepeatedKey(ValueError):
    """A JSON object names the same key twice (the second would silently replace the first)."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise RepeatedKey(key)
            seen.add(key)
    return out


def loads_strict(raw: str | bytes) -> Any:
    """json.loads, refusing an object that repeats a key. Raises BadInput naming the key."""
    try:
        return json.loads(raw, object_pairs_hook=_unique_keys)
    except RepeatedKey as e:
        raise BadInput([("", f"the key {e.key!r} appears more than once in one object; each key may appear once")]) from None


def parse_json(raw: str | bytes) -> Assessment | list[Assessment]:
    """Decode JSON text into one assessment (an object) or a batch (an array)."""
    try:
        data = loads_strict(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        where = f" at line {e.lineno} column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        raise BadInput([("", f"input is not valid JSON{where}: {e.msg if hasattr(e, 'msg') else e}")]) from None
    except RecursionError:
        raise BadInput([("", "input is nested too deeply to be an assessment")]) from None
    if isinstance(data, list):
        return parse_many(data)
    return parse_assessment(data)


__all__ = [
    "PLAN_CODES",
    "PREVENTION_CODES",
    "PROFESSIONAL_CODES",
    "Assessment",
    "BadInput",
    "DiaryEntry",
    "ResultModel",
    "loads_strict",
    "parse_assessment",
    "parse_json",
    "parse_many",
]
