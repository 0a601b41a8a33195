"""Item 13: the diary API is as strict about types as the contract: nothing is coerced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import PASSWORD, api_episode, api_register


@pytest.mark.parametrize(
    "body, field",
    [
        ({"pain": True}, "pain"),
        ({"pain": "7"}, "pain"),
        ({"pain": 7.0}, "pain"),
        ({"pain": 7.5}, "pain"),
        ({"pain": 3, "findings": "leg_tingling"}, "findings"),
        ({"pain": 3, "tried": {"cold": "yes"}}, "tried"),
        ({"pain": 3, "note": 12}, "note"),
        ({"pain": 3, "at": 1700000000}, "at"),
        ({"pain": 3, "at": "2026-11-20T08:00:00"}, "at"),
        ({"pain": 3, "painn": 4}, "painn"),
    ],
)
def test_a_check_in_with_a_value_of_the_wrong_type_is_refused(
    make_app: Callable[..., FastAPI], body: dict[str, Any], field: str
) -> None:
    with TestClient(make_app()) as client:
        token = api_register(client, "types@example.org")
        eid = api_episode(client, token)
        r = client.post(f"/api/v1/episodes/{eid}/checkins", json=body, headers={"x-csrf-token": token})
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"].startswith(field)
        assert client.get(f"/api/v1/episodes/{eid}/checkins").json() == []


@pytest.mark.parametrize("body", [{"email": 5, "password": PASSWORD}, {"email": "x@example.org", "password": True},
                                  {"email": ["x@example.org"], "password": PASSWORD}])
def test_credentials_of_the_wrong_type_are_refused(make_app: Callable[..., FastAPI], body: dict[str, Any]) -> None:
    with TestClient(make_app()) as client:
        assert client.post("/api/v1/users", json=body).status_code == 422
        assert client.post("/api/v1/session", json=body).status_code == 422


def test_a_body_that_is_not_declared_json_is_refused(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        r = client.post("/api/v1/users", content=f'{{"email": "plain@example.org", "password": "{PASSWORD}"}}'.encode(),
                        headers={"content-type": "text/plain"})
        assert r.status_code == 415  # a cross-site form can send text/plain; it cannot make an account or sign in
