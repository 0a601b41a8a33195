"""Items 3 and 7: sign-in limits hold under concurrency, never lock the owner out for long,
follow the real client through trusted proxies only, and bound registrations and hashing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import PASSWORD, api_register, page_sign_in

from backspasm.diary.store import Store
from dbsupport import BACKENDS

GUESSES = 40


def _at_once(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` for i in range(n) in n threads released together."""
    gate = threading.Barrier(n)

    def go(i: int) -> Any:
        gate.wait()
        return work(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(go, range(n)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_guesses_are_checked_no_more_often_than_the_limit(
    backend: str, make_app: Callable[..., FastAPI]
) -> None:
    app = make_app(backend)  # three failures before each attempt must wait
    with TestClient(app) as owner:
        api_register(owner, "target@example.org")
    clients = [TestClient(app).__enter__() for _ in range(GUESSES)]
    try:
        codes = _at_once(GUESSES, lambda i: clients[i].post(
            "/api/v1/session", json={"email": "target@example.org", "password": f"guess number {i}"}).status_code)
    finally:
        for c in clients:
            c.__exit__(None, None, None)
    assert codes.count(401) <= 3, codes  # checked against the password
    assert codes.count(429) >= GUESSES - 3


@pytest.mark.parametrize("any_store", BACKENDS, indirect=True)
def test_the_store_claims_attempts_atomically(any_store: Store) -> None:
    from backspasm.diary.signin_limits import Limit

    limit = Limit(free=5, first_wait=timedelta(minutes=1), longest_wait=timedelta(minutes=1), quiet=timedelta(hours=1))
    verdicts = _at_once(30, lambda i: any_store.claim_attempt([("email:x@example.org", limit)]).allowed)
    assert verdicts.count(True) == 5


def test_five_bad_guesses_do_not_lock_the_owner_out(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(first_wait_seconds=1)
    with TestClient(app) as owner, TestClient(app, client=("198.51.100.66", 4000)) as attacker:
        api_register(owner, "owner@example.org")
        owner.delete("/api/v1/session", headers={"x-csrf-token": owner.get("/api/v1/session").json()["csrf_token"]})
        for _ in range(5):
            attacker.post("/api/v1/session", json={"email": "owner@example.org", "password": "a wrong guess here"})
        r = page_sign_in(owner, "owner@example.org")
        assert r.status_code == 429
        wait = int(r.headers["retry-after"])
        assert wait <= 4  # a short wait that doubles with each failure, not a lock-out
        time.sleep(wait + 0.1)
        assert page_sign_in(owner, "owner@example.org").status_code == 303


def test_one_client_is_stopped_after_its_own_limit_across_accounts(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(client_limit=5)
    with TestClient(app, client=("198.51.100.7", 1000)) as attacker, TestClient(app, client=("192.0.2.8", 1000)) as other:
        for i in range(5):
            r = attacker.post("/api/v1/session", json={"email": f"user{i}@example.org", "password": "a wrong guess here"})
            assert r.status_code == 401
        r = attacker.post("/api/v1/session", json={"email": "fresh@example.org", "password": "a wrong guess here"})
        assert r.status_code == 429
        assert other.post("/api/v1/session", json={"email": "fresh@example.org", "password": "a wrong guess here"}
                          ).status_code == 401


def test_clients_behind_a_trusted_proxy_are_counted_apart(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(client_limit=3, trusted_proxies="10.0.0.1")
    with TestClient(app, client=("10.0.0.1", 5000)) as proxy:
        for i in range(3):
            r = proxy.post("/api/v1/session", json={"email": f"u{i}@example.org", "password": "a wrong guess here"},
                           headers={"x-forwarded-for": "203.0.113.1"})
            assert r.status_code == 401
        blocked = proxy.post("/api/v1/session", json={"email": "u9@example.org", "password": "a wrong guess here"},
                             headers={"x-forwarded-for": "203.0.113.1"})
        assert blocked.status_code == 429
        fine = proxy.post("/api/v1/session", json={"email": "u9@example.org", "password": "a wrong guess here"},
                          headers={"x-forwarded-for": "203.0.113.2"})
        assert fine.status_code == 401


def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(client_limit=3, trusted_proxies="10.0.0.1")
    with TestClient(app, client=("198.51.100.9", 5000)) as attacker:
        for i in range(3):
            attacker.post("/api/v1/session", json={"email": f"v{i}@example.org", "password": "a wrong guess here"},
                          headers={"x-forwarded-for": f"203.0.113.{i}"})
        r = attacker.post("/api/v1/session", json={"email": "v9@example.org", "password": "a wrong guess here"},
                          headers={"x-forwarded-for": "203.0.113.99"})
        assert r.status_code == 429


def test_the_client_address_is_the_nearest_hop_that_is_not_a_trusted_proxy() -> None:
    from backspasm.web.network import client_address
    from backspasm.web.settings import parse_networks

    proxies = parse_networks("10.0.0.0/8, 192.0.2.1")
    scope = {"client": ("10.1.2.3", 1), "headers": [(b"x-forwarded-for", b"198.51.100.1, 203.0.113.5, 192.0.2.1")]}
    assert client_address(scope, proxies) == "203.0.113.5"
    assert client_address({"client": ("198.51.100.4", 1), "headers": scope["headers"]}, proxies) == "198.51.100.4"
    assert client_address({"client": ("10.1.2.3", 1), "headers": [(b"x-forwarded-for", b"junk")]}, proxies) == "10.1.2.3"


def test_serve_leaves_forwarded_headers_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from backspasm.cli import app as cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is False  # uvicorn would believe any loopback peer's X-Forwarded-For


def test_registrations_from_one_address_are_limited(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(registrations_per_hour=2)
    with TestClient(app) as client:
        for i in range(2):
            assert client.post("/api/v1/users", json={"email": f"new{i}@example.org", "password": PASSWORD}
                               ).status_code == 201
        r = client.post("/api/v1/users", json={"email": "new9@example.org", "password": PASSWORD})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) > 0


class _CountingHasher(PasswordHasher):
    """A hasher that notes how many hashes run at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.05)
            return super().hash(password, salt=salt)
        finally:
            with self.lock:
                self.now -= 1


def test_a_flood_of_registrations_hashes_only_a_few_passwords_at_once(make_app: Callable[..., FastAPI]) -> None:
    hasher = _CountingHasher()
    app = make_app(password_hasher=hasher, hash_concurrency=2, registrations_per_hour=1000)
    clients = [TestClient(app).__enter__() for _ in range(12)]
    try:
        codes = _at_once(12, lambda i: clients[i].post(
            "/api/v1/users", json={"email": f"flood{i}@example.org", "password": PASSWORD}).status_code)
    finally:
        for c in clients:
            c.__exit__(None, None, None)
    assert set(codes) <= {201, 503}
    assert hasher.most <= 2
