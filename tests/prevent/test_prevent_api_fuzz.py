"""Schemathesis against the prevention API: no generated request gets a 5xx, signed out or signed in
(with a saved program, so ticking off reaches the store). Bad input is always a 4xx naming the field."""

from __future__ import annotations

import schemathesis

from fuzzsupport import CHECKS, SETTINGS, fuzz_app, signed_in

APP = fuzz_app("prevent-fuzz")
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP).include(tag="prevention")
# Signed in with a saved program, so ticking off reaches the store.
COOKIES, HEADERS = signed_in(APP, "PUT", "/api/v1/program",
                             {"sitting_hours": 3, "lifting_at_work": False, "activity_level": "some"}, 200)


@schema.parametrize()
@SETTINGS
def test_no_generated_prevention_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_no_generated_signed_in_prevention_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS, cookies=COOKIES, headers=HEADERS)
