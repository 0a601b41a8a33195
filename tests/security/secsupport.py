"""Helpers for the attack tests: accounts and episodes through the API and the pages."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

PASSWORD = "a long enough password"
SESSION_COOKIE = "backspasm_session"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
BACKENDS_IDS = ("sqlite", "postgres")


def csrf_from(client: TestClient, path: str) -> str:
    """The CSRF token embedded in the form at `path`."""
    page = client.get(path, headers={"accept": "text/html"})
    match = TOKEN_RE.search(page.text)
    assert match, f"no CSRF field on {path}: {page.status_code}"
    return match.group(1)


def api_register(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Create an account through the API (the client is then signed in); returns the CSRF token."""
    r = client.post("/api/v1/users", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    token: str = r.json()["csrf_token"]
    return token


def api_sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/session", json={"email": email, "password": password})


def api_episode(client: TestClient, token: str, pain: int = 6) -> int:
    r = client.post("/api/v1/episodes", json={"hours_since_onset": 5, "pain": pain}, headers={"x-csrf-token": token})
    assert r.status_code == 201, r.text
    return int(r.json()["episode"]["id"])


def page_register(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    token = csrf_from(client, "/register")
    return client.post("/register", data={"csrf_token": token, "email": email, "password": password,
                                          "password_confirm": password}, follow_redirects=False)


def page_sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    token = csrf_from(client, "/signin")
    return client.post("/signin", data={"csrf_token": token, "email": email, "password": password, "next": "/diary"},
                       follow_redirects=False)


def signed_in(client: TestClient) -> bool:
    return bool(client.get("/api/v1/session").json()["signed_in"])
