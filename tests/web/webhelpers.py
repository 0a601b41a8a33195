"""Helpers shared by the web tests: reading CSRF tokens and filling in the questionnaire."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
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


class _Form(HTMLParser):
    """The fields a browser without script would send from the page's questionnaire form."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._disabled = 0  # depth of disabled fieldsets around the current tag
        self._depth: list[bool] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "questionnaire" in a.get("class", "").split():
            self._in_form, self.action = True, a.get("action", "")
        if not self._in_form:
            return
        if tag == "fieldset":
            self._depth.append("disabled" in a)
            self._disabled += "disabled" in a
        elif tag == "input" and not self._disabled and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind != "submit":
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and not self._disabled:
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select" and not self._disabled:
            self._select, self._option = a["name"], None
        elif tag == "option" and self._select is not None and (self._option is None or "selected" in a):
            self._option = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "fieldset" and self._depth:
            self._disabled -= self._depth.pop()
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.fields.append((self._select, self._option or ""))
            self._select = None


def form_of(html: str) -> tuple[str, list[tuple[str, str]]]:
    """(action, fields) of the questionnaire form on a page, as a browser without script would send it."""
    parser = _Form()
    parser.feed(html)
    assert parser.action, "no questionnaire form on the page"
    return parser.action, parser.fields


def submit(client: TestClient, html: str, headers: dict[str, str] | None = None, **choices: str) -> Any:
    """Post the page's questionnaire form as it stands, with `choices` set (a radio or field by name)."""
    action, fields = form_of(html)
    sent: dict[str, list[str]] = {}
    for name, value in [(k, v) for k, v in fields if k not in choices] + list(choices.items()):
        sent.setdefault(name, []).append(value)
    return client.post(action, data=sent, headers=headers or {}, follow_redirects=False)


def hidden_in(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the (first) form on a page posting to `action`."""
    match = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert match, f"no form posting to {action}"
    return {k: unescape(v) for k, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', match.group(1))}
