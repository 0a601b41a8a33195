"""Item 12: a retried check-in with the same idempotency key is stored once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import api_episode, api_register, csrf_from, page_register

from dbsupport import BACKENDS


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_retry_with_the_same_key_is_a_no_op(backend: str, make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(backend)) as client:
        token = api_register(client, "retry@example.org")
        eid = api_episode(client, token)
        url = f"/api/v1/episodes/{eid}/checkins"
        first = client.post(url, json={"pain": 4, "note": "after lunch"},
                            headers={"x-csrf-token": token, "idempotency-key": "6f1c2a9e-retry-1"})
        again = client.post(url, json={"pain": 4, "note": "after lunch"},
                            headers={"x-csrf-token": token, "idempotency-key": "6f1c2a9e-retry-1"})
        assert first.status_code == again.status_code == 201
        assert again.json()["checkin"] == first.json()["checkin"]
        assert again.json()["result"]["urgency"] == first.json()["result"]["urgency"]
        assert again.headers.get("idempotent-replayed") == "true"
        by_field = client.post(url, json={"pain": 3, "idempotency_key": "field-key"}, headers={"x-csrf-token": token})
        by_field_again = client.post(url, json={"pain": 3, "idempotency_key": "field-key"}, headers={"x-csrf-token": token})
        assert by_field_again.json()["checkin"]["id"] == by_field.json()["checkin"]["id"]
        assert [c["pain"] for c in client.get(url).json()] == [4, 3]


def test_the_same_key_for_a_different_check_in_is_refused(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        token = api_register(client, "reuse@example.org")
        eid = api_episode(client, token)
        url = f"/api/v1/episodes/{eid}/checkins"
        headers = {"x-csrf-token": token, "idempotency-key": "same-key"}
        assert client.post(url, json={"pain": 4}, headers=headers).status_code == 201
        r = client.post(url, json={"pain": 8}, headers=headers)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == "idempotency_key"
        assert len(client.get(url).json()) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_retries_store_one_check_in(backend: str, make_app: Callable[..., FastAPI]) -> None:
    app = make_app(backend)
    with TestClient(app) as owner:
        token = api_register(owner, "race@example.org")
        eid = api_episode(owner, token)
        cookies = dict(owner.cookies)
    gate = threading.Barrier(8)

    def send(_: int) -> int:
        with TestClient(app, cookies=cookies) as c:
            gate.wait()
            return c.post(f"/api/v1/episodes/{eid}/checkins", json={"pain": 5},
                          headers={"x-csrf-token": token, "idempotency-key": "lost-ack-1"}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(send, range(8)))
    assert codes == [201] * 8
    with TestClient(app, cookies=cookies) as c:
        assert len(c.get(f"/api/v1/episodes/{eid}/checkins").json()) == 1


def test_a_check_in_form_sent_twice_is_stored_once(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        page_register(client, "twice@example.org")
        token = client.get("/api/v1/session").json()["csrf_token"]
        eid = api_episode(client, token)
        page = client.get(f"/diary/episodes/{eid}").text
        key = page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
        form = {"csrf_token": csrf_from(client, f"/diary/episodes/{eid}"), "pain": "5", "idempotency_key": key}
        for _ in range(2):  # a double click, or the browser resending after a lost answer
            assert client.post(f"/diary/episodes/{eid}/checkins", data=form, follow_redirects=False).status_code == 303
        assert len(client.get(f"/api/v1/episodes/{eid}/checkins").json()) == 1
