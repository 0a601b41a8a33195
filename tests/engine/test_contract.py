"""Bad input is refused with the field named; good input always parses."""

from __future__ import annotations

import json

import pytest

from backspasm import BadInput, parse_assessment, parse_json, parse_many

GOOD = {"hours_since_onset": 30, "pain": 6}


def errors_of(data: object) -> list[tuple[str, str]]:
    with pytest.raises(BadInput) as info:
        parse_json(json.dumps(data)) if not isinstance(data, str) else parse_json(data)
    return info.value.errors


@pytest.mark.parametrize(
    ("data", "loc", "words"),
    [
        ({"pain": 3}, "hours_since_onset", "missing"),
        ({"hours_since_onset": 3}, "pain", "missing"),
        ({**GOOD, "pain": 11}, "pain", "out of range"),
        ({**GOOD, "pain": -1}, "pain", "out of range"),
        ({**GOOD, "pain": 6.5}, "pain", "integer"),
        ({**GOOD, "pain": "6"}, "pain", "integer"),
        ({**GOOD, "pain": True}, "pain", "integer"),
        ({**GOOD, "hours_since_onset": 8761}, "hours_since_onset", "out of range"),
        ({**GOOD, "hours_since_onset": -0.5}, "hours_since_onset", "out of range"),
        ({**GOOD, "hours_since_onset": "30"}, "hours_since_onset", "number"),
        ({**GOOD, "age": 121}, "age", "out of range"),
        ({**GOOD, "age": 40.5}, "age", "integer"),
        ({**GOOD, "finding": ["fever"]}, "finding", "did you mean 'findings'"),
        ({**GOOD, "findings": ["fevr"]}, "findings[0]", "unknown finding code 'fevr'"),
        ({**GOOD, "findings": "fever"}, "findings", "list"),
        ({**GOOD, "findings": ["fever", "fever"]}, "findings[1]", "more than once"),
        ({**GOOD, "findings": ["long_duration"]}, "findings[0]", "derived"),
        ({**GOOD, "denied": ["long_duration"]}, "denied[0]", "derived"),
        ({**GOOD, "denied": ["nope"]}, "denied[0]", "unknown finding code"),
        ({**GOOD, "conditions": ["warfarin"]}, "conditions[0]", "unknown condition code"),
        ({**GOOD, "diary": [{"hours_since_onset": 31.5, "pain": 3}]}, "diary[0].hours_since_onset", "31.5 is later than"),
        ({**GOOD, "diary": [{"hours_since_onset": 3, "pain": 12}]}, "diary[0].pain", "out of range"),
        ({**GOOD, "diary": [{"hours": 3, "pain": 2}]}, "diary[0].hours", "unknown field"),
        ({**GOOD, "text": "x" * 5001}, "text", "5000"),
        ({**GOOD, "text": 5}, "text", "string"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, object], loc: str, words: str) -> None:
    errs = errors_of(data)
    assert any(e_loc == loc and words in msg for e_loc, msg in errs), errs
    assert not [msg for _, msg in errs if "{" in msg], errs  # every placeholder of a message is filled in


@pytest.mark.parametrize("raw", ["", "{", "not json", "[1,", "{'pain': 3}"])
def test_text_that_is_not_json_is_refused(raw: str) -> None:
    errs = errors_of(raw)
    assert "not valid JSON" in errs[0][1]


@pytest.mark.parametrize("raw", ["3", '"x"', "null", "true"])
def test_json_that_is_not_an_object_is_refused(raw: str) -> None:
    errs = errors_of(raw)
    assert "must be a JSON object" in errs[0][1]


def test_batch_error_names_the_item_index() -> None:
    errs = errors_of([GOOD, GOOD, {**GOOD, "findings": ["bad_code"]}])
    assert errs[0][0] == "[2].findings[0]"


def test_batch_cross_field_error_names_the_item_index() -> None:
    errs = errors_of([GOOD, {**GOOD, "diary": [{"hours_since_onset": 99, "pain": 1}]}])
    assert errs[0][0] == "[1].diary[0].hours_since_onset"


def test_batch_with_a_non_object_names_the_index() -> None:
    with pytest.raises(BadInput) as info:
        parse_many([GOOD, 7])
    assert info.value.errors[0][0] == "[1]"


def test_optional_fields_may_be_null_or_absent() -> None:
    a = parse_assessment({**GOOD, "age": None, "findings": None, "text": None})
    assert a.age is None and a.findings is None


def test_integer_hours_and_float_hours_are_both_numbers() -> None:
    assert parse_assessment({"hours_since_onset": 30.25, "pain": 0}).hours_since_onset == 30.25


def test_nan_is_refused() -> None:
    errs = errors_of('{"hours_since_onset": NaN, "pain": 3}')
    assert errs[0][0] == "hours_since_onset"


def test_bad_input_as_dict_is_json_ready() -> None:
    with pytest.raises(BadInput) as info:
        parse_assessment({"pain": 3})
    body = info.value.as_dict()
    assert body["detail"][0]["loc"] == "hours_since_onset"
    json.dumps(body)
