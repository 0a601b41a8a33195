"""Schemathesis against the app's own OpenAPI schema: no generated input gets a 5xx.

Generated bodies include negative cases (wrong types, missing fields, unknown
keys), so this also checks that bad input is always a 4xx, never a crash. The
diary endpoints run twice: signed out (401s) and signed in with a CSRF token.
"""

from __future__ import annotations

import schemathesis

from fuzzsupport import CHECKS, SETTINGS, fuzz_app, signed_in

APP = fuzz_app("schemathesis", include_optional=False)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
# Signed in with one episode.
COOKIES, HEADERS = signed_in(APP, "POST", "/api/v1/episodes", {"hours_since_onset": 3, "pain": 5}, 201)


@schema.parametrize()
@SETTINGS
def test_no_generated_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.include(tag="diary").exclude(path="/api/v1/me", method="DELETE").parametrize()
@SETTINGS
def test_no_generated_signed_in_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS, cookies=COOKIES, headers=HEADERS)
