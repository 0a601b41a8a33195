"""Item 14: common and blank passwords are refused; emails are checked by email-validator, control characters refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import PASSWORD


@pytest.mark.parametrize("password", ["password123", "Password1234!", "P@ssw0rd2024", "qwertyuiop", "1234567890",
                                      "iloveyou!!!!", "          ", "\t\t\t\t\t\t\t\t\t\t", "aaaaaaaaaaaa", "abababababab"])
def test_a_common_or_blank_password_is_refused(make_app: Callable[..., FastAPI], password: str) -> None:
    with TestClient(make_app()) as client:
        r = client.post("/api/v1/users", json={"email": "weak@example.org", "password": password})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == "password"


def test_a_password_made_of_the_email_is_refused(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        r = client.post("/api/v1/users", json={"email": "margaretha@example.org", "password": "margaretha@example.org"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == "password"


@pytest.mark.parametrize("email", ["a@b", "ann@@example.org", "ann@example..org", "ann\u0001@example.org",
                                   "ann@exa\u200bmple.org", "ann\n@example.org", "ann@example.org\r\n", "ann@localhost",
                                   "ann@printer.local"])
def test_an_address_email_validator_refuses_is_refused(make_app: Callable[..., FastAPI], email: str) -> None:
    with TestClient(make_app()) as client:
        r = client.post("/api/v1/users", json={"email": email, "password": PASSWORD})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == "email"


def test_one_address_in_any_case_or_width_is_one_account(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client, TestClient(client.app) as other:
        assert client.post("/api/v1/users", json={"email": "Bea@Example.org", "password": PASSWORD}).status_code == 201
        r = other.post("/api/v1/users", json={"email": "ｂｅａ@example.org", "password": PASSWORD})
        assert r.status_code == 422 and "already exists" in r.json()["detail"][0]["msg"]
        assert other.post("/api/v1/session", json={"email": "BEA@EXAMPLE.ORG", "password": PASSWORD}).status_code == 200


def test_a_good_passphrase_is_accepted(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        r = client.post("/api/v1/users", json={"email": "good@example.org", "password": "ferns under the kitchen window"})
        assert r.status_code == 201
