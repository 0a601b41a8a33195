"""Items 4 and 5: one request cannot take the server's memory or time, and a repeated JSON key is refused.

Each request here is small on the wire but asked for huge work or a huge answer.
"""

from __future__ import annotations

import difflib
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import api_episode, api_register

MAX_BATCH = 1000
LISTED = 20


@pytest.fixture
def client(make_app: Callable[..., FastAPI]) -> Any:
    with TestClient(make_app()) as c:
        yield c


def test_a_batch_over_the_item_cap_is_refused_whole(client: TestClient) -> None:
    batch = [{"hours_since_onset": 3, "pain": 2}] * (MAX_BATCH + 1)
    r = client.post("/api/v1/assess", json=batch)
    assert r.status_code == 422
    assert "at most 1000" in r.json()["detail"][0]["msg"]
    assert len(r.content) < 1000
    assert client.post("/api/v1/assess", json=batch[:MAX_BATCH]).status_code == 200


def test_empty_objects_by_the_thousand_get_a_short_error(client: TestClient) -> None:
    r = client.post("/api/v1/assess", content=b"[" + b",".join([b"{}"] * 5000) + b"]",
                    headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert len(r.content) < 2000


def test_listed_errors_are_capped_and_counted(client: TestClient) -> None:
    item = {"hours_since_onset": 3, "pain": 2, "findings": [f"leg_tinglin{i % 10}" for i in range(100)]}
    r = client.post("/api/v1/assess", json=[item] * 50)
    assert r.status_code == 422
    data = r.json()
    assert len(data["detail"]) == LISTED
    assert data["omitted"] == 5000 - LISTED


def test_a_list_longer_than_any_real_one_is_refused_before_validation(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json={"hours_since_onset": 3, "pain": 2, "findings": ["leg_tinglin"] * 125_000})
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": "findings", "msg": "has 125000 entries; at most 100 are accepted"}]


def test_suggestions_are_computed_for_the_listed_errors_only(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = difflib.get_close_matches

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    item = {"hours_since_onset": 3, "pain": 2, "findings": ["leg_tinglin"] * 100}
    r = client.post("/api/v1/assess", json=[item] * 1000)  # 100,000 near misses
    assert r.status_code == 422
    assert "did you mean 'leg_tingling'" in r.json()["detail"][0]["msg"]
    assert calls <= LISTED


def test_free_text_over_the_request_total_is_refused(client: TestClient) -> None:
    item = {"hours_since_onset": 3, "pain": 2, "text": "my lower back went into spasm lifting a box. " * 100}
    assert len(item["text"]) <= 5000
    r = client.post("/api/v1/assess", json=[item] * 12)
    assert r.status_code == 422
    first = r.json()["detail"][0]
    assert first["loc"].endswith("].text") and "50000 characters" in first["msg"]


def test_a_large_batch_is_assessed_off_the_event_loop(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import backspasm.web.api as api

    threads: set[str] = set()
    real = api.assess

    def noting(*args: Any, **kwargs: Any) -> Any:
        threads.add(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "assess", noting)
    loop_thread: list[str] = []

    @client.app.get("/__loop_thread")  # type: ignore[attr-defined,untyped-decorator]
    async def where() -> dict[str, str]:
        loop_thread.append(threading.current_thread().name)
        return {}

    client.get("/__loop_thread")
    r = client.post("/api/v1/assess", json=[{"hours_since_onset": 3, "pain": i % 11} for i in range(500)])
    assert r.status_code == 200
    assert threads and loop_thread[0] not in threads


@pytest.mark.parametrize(
    "raw, field",
    [
        (b'{"hours_since_onset": 3, "pain": 2, "findings": ["saddle_numbness"], "findings": []}', "findings"),
        (b'{"hours_since_onset": 3, "pain": 2, "pain": 9}', "pain"),
        (b'[{"hours_since_onset": 3, "pain": 2}, {"hours_since_onset": 3, "pain": 2, "denied": [], "denied": []}]', "denied"),
    ],
)
def test_a_repeated_key_is_refused_by_the_assess_api(client: TestClient, raw: bytes, field: str) -> None:
    r = client.post("/api/v1/assess", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert field in detail["loc"] + detail["msg"]


def test_a_repeated_key_is_refused_by_the_diary_api(client: TestClient) -> None:
    token = api_register(client, "repeat@example.org")
    eid = api_episode(client, token)
    headers = {"x-csrf-token": token, "content-type": "application/json"}
    r = client.post(f"/api/v1/episodes/{eid}/checkins", content=b'{"pain": 2, "pain": 9}', headers=headers)
    assert r.status_code == 422 and "pain" in r.json()["detail"][0]["loc"]
    assert client.get(f"/api/v1/episodes/{eid}/checkins").json() == []
    r = client.post("/api/v1/episodes", headers=headers,
                    content=b'{"hours_since_onset": 3, "pain": 2, "findings": ["saddle_numbness"], "findings": []}')
    assert r.status_code == 422
    r = client.post("/api/v1/session", headers={"content-type": "application/json"},
                    content=b'{"email": "repeat@example.org", "password": "x", "password": "y"}')
    assert r.status_code == 422


def test_a_repeated_key_is_refused_by_the_cli(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from backspasm.cli import app as cli

    path = tmp_path / "repeat.json"
    path.write_text('{"hours_since_onset": 3, "pain": 2, "findings": ["saddle_numbness"], "findings": []}')
    result = CliRunner().invoke(cli, ["assess", "--json", str(path)])
    assert result.exit_code == 2
    assert "findings" in result.output
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps({"format": "backspasm-export", "version": 1})[:-1] + ', "version": 1}')
    result = CliRunner().invoke(cli, ["import", str(exported)])
    assert result.exit_code == 2 and "version" in result.output
