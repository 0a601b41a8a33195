"""Helpers shared by the web tests: reading CSRF tokens and filling in the questionnaire."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from backspasm.web import forms

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: TestClient, path: str) -> str:
    """The CSRF token embedded in the form at `path`."""
    page = client.get(path, headers={"accept": "text/html"})
    match = TOKEN_RE.search(page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def all_no(questions: list[forms.Question]) -> dict[str, str]:
    return {q.field: "no" for q in questions}


def details_form(token: str, **overrides: Any) -> dict[str, Any]:
    """A complete second-page form: no warning signs, 5 hours, pain 4."""
    data: dict[str, Any] = {"csrf_token": token, "onset_amount": "5", "onset_unit": "hours", "pain": "4", "age": ""}
    data |= all_no(forms.red_flag_questions()) | all_no(forms.other_questions())
    data |= overrides
    return data


def register(client: TestClient, email: str, password: str = "a long enough password") -> None:
    """Create an account through the page (the client is then signed in)."""
    token = csrf_from(client, "/register")
    r = client.post("/register", data={"csrf_token": token, "email": email, "password": password,
                                       "password_confirm": password}, follow_redirects=False)
    assert r.status_code == 303, r.text


def start_episode(client: TestClient, pain: int = 6, hours: str = "5") -> int:
    """Start a diary episode through the pages; returns its id."""
    token = csrf_from(client, "/diary/new")
    data = details_form(token, pain=str(pain), onset_amount=hours)
    r = client.post("/diary/episodes", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def check_in(client: TestClient, episode_id: int, pain: int, **extra: Any) -> Any:
    token = csrf_from(client, f"/diary/episodes/{episode_id}")
    return client.post(f"/diary/episodes/{episode_id}/checkins",
                       data={"csrf_token": token, "pain": str(pain)} | extra, follow_redirects=False)
