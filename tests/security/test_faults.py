"""Item 6: never a bare 500. Odd input is a 422/400 naming the field; a fault is a 503 that carries the
same security headers as any response; the CLI says one line and exits 2 (bad input) or 1 (a fault)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import PASSWORD, api_episode, api_register, csrf_from, page_register
from sqlalchemy.exc import OperationalError

from dbsupport import BACKENDS

HUGE = "1" + "0" * 5000
HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def test_an_integer_with_thousands_of_digits_is_out_of_range_not_a_crash(make_app: Callable[..., FastAPI]) -> None:
    with _client(make_app()) as client:
        r = client.post("/api/v1/assess", content=f'{{"hours_since_onset": 3, "pain": {HUGE}}}'.encode(),
                        headers={"content-type": "application/json"})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == "pain"
        token = api_register(client, "digits@example.org")
        eid = api_episode(client, token)
        r = client.post(f"/api/v1/episodes/{eid}/checkins", content=f'{{"pain": {HUGE}}}'.encode(),
                        headers={"x-csrf-token": token, "content-type": "application/json"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == "pain"


def test_superscript_digits_in_a_form_are_a_named_error(make_app: Callable[..., FastAPI]) -> None:
    with _client(make_app()) as client:
        page_register(client, "super@example.org")
        token = client.get("/api/v1/session").json()["csrf_token"]
        eid = api_episode(client, token)
        form_token = csrf_from(client, f"/diary/episodes/{eid}")
        r = client.post(f"/diary/episodes/{eid}/checkins", data={"csrf_token": form_token, "pain": "²"})
        assert r.status_code == 400
        assert "Please choose a number from 0 to 10." in r.text
        r = client.post("/assess/result", data={"csrf_token": form_token, "onset_amount": "²", "onset_unit": "hours",
                                                "pain": "٣"})
        assert r.status_code == 400
        assert "Please enter a number." in r.text


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:00-05:00"])
def test_a_date_that_overflows_with_its_offset_is_a_named_error(make_app: Callable[..., FastAPI], at: str) -> None:
    with _client(make_app()) as client:
        token = api_register(client, "overflow@example.org")
        eid = api_episode(client, token)
        r = client.post(f"/api/v1/episodes/{eid}/checkins", json={"pain": 3, "at": at}, headers={"x-csrf-token": token})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == "at"


def test_a_form_date_that_overflows_with_the_browsers_offset_is_a_named_error(make_app: Callable[..., FastAPI]) -> None:
    with _client(make_app()) as client:
        page_register(client, "formdate@example.org")
        token = client.get("/api/v1/session").json()["csrf_token"]
        eid = api_episode(client, token)
        form_token = csrf_from(client, f"/diary/episodes/{eid}")
        r = client.post(f"/diary/episodes/{eid}/checkins",
                        data={"csrf_token": form_token, "pain": "3", "at": "9999-12-31T23:59", "tz_offset": "600"})
        assert r.status_code == 400


@pytest.mark.parametrize("backend", BACKENDS)
def test_nul_characters_are_refused_by_name(backend: str, make_app: Callable[..., FastAPI]) -> None:
    with _client(make_app(backend)) as client:
        r = client.post("/api/v1/users", json={"email": "nul\u0000@example.org", "password": PASSWORD})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == "email"
        token = api_register(client, "nul@example.org")
        eid = api_episode(client, token)
        r = client.post(f"/api/v1/episodes/{eid}/checkins", json={"pain": 3, "note": "bad\u0000note"},
                        headers={"x-csrf-token": token})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == "note"
        r = client.post("/api/v1/session", json={"email": "nul@example.org\u0000", "password": PASSWORD})
        assert r.status_code in (401, 422)


def _disk_full(*_args: Any, **_kwargs: Any) -> Any:
    raise OperationalError("INSERT", {}, Exception("database or disk is full"))


def test_a_full_disk_is_a_503_with_the_security_headers(make_app: Callable[..., FastAPI]) -> None:
    app = make_app()
    with _client(app) as client:
        token = api_register(client, "full@example.org")
        eid = api_episode(client, token)
        app.state.store.add_checkin = _disk_full
        r = client.post(f"/api/v1/episodes/{eid}/checkins", json={"pain": 3}, headers={"x-csrf-token": token})
        assert r.status_code == 503
        assert r.json()["error"] == "unavailable"
        for name in HEADERS:
            assert name in r.headers, name
        form_token = csrf_from(client, f"/diary/episodes/{eid}")
        page = client.post(f"/diary/episodes/{eid}/checkins", data={"csrf_token": form_token, "pain": "3"},
                           headers={"accept": "text/html"})
        assert page.status_code == 503
        assert "Not available just now" in page.text
        for name in HEADERS:
            assert name in page.headers, name


def _main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    from backspasm.cli import main

    monkeypatch.setattr(sys, "argv", ["backspasm", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    return int(stop.value.code or 0), capsys.readouterr().err


def test_the_cli_reports_a_fault_in_one_line_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from backspasm.diary import store as store_module

    assert _main(monkeypatch, capsys, "episode", "start", "--pain", "4", "--hours", "3")[0] == 0
    real_init = store_module.Store.__init__

    def full_disk_store(self: Any, *args: Any) -> None:
        real_init(self, *args)
        self.add_checkin = _disk_full

    monkeypatch.setattr(store_module.Store, "__init__", full_disk_store)
    code, err = _main(monkeypatch, capsys, "checkin", "--pain", "3")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "database or disk is full" in err


def test_the_cli_reports_odd_input_as_bad_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    path = tmp_path / "huge.json"
    path.write_text(f'{{"hours_since_onset": 3, "pain": {HUGE}}}')
    code, err = _main(monkeypatch, capsys, "assess", "--json", str(path))
    assert code == 2 and "pain" in err and "Traceback" not in err
    assert _main(monkeypatch, capsys, "episode", "start", "--pain", "4", "--hours", "3")[0] == 0
    code, err = _main(monkeypatch, capsys, "checkin", "--pain", "3", "--at", "0001-01-01T00:00:00+05:00")
    assert code == 2 and "at" in err and "Traceback" not in err
