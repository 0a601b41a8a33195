"""Items 10 and 11: slow clients and big forms, and the settings for running on a network."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from secsupport import SESSION_COOKIE, api_episode, api_register
from sqlalchemy import make_url

from dbsupport import BACKENDS
from web.liveserver import serving

CDS_EXAMPLE = Path(__file__).parents[1] / "interop" / "examples" / "patient-view-urgent-leg-warfarin.json"


@contextmanager
def _serving(tmp_path: Path, *args: str) -> Iterator[int]:
    env = {k: v for k, v in os.environ.items() if k != "BACKSPASM_DATABASE_URL"}
    env["BACKSPASM_DATA_DIR"] = str(tmp_path / "data")
    with serving(list(args), env) as url:
        yield int(url.rsplit(":", 1)[1])


def _read_all(sock: socket.socket, limit: float) -> bytes:
    sock.settimeout(limit)
    out = b""
    try:
        while chunk := sock.recv(4096):
            out += chunk
    except TimeoutError:
        pass
    return out


@pytest.mark.slow
def test_a_client_too_slow_with_its_headers_or_body_is_cut_off(tmp_path: Path) -> None:
    with _serving(tmp_path, "--read-timeout", "1") as port:
        with socket.create_connection(("127.0.0.1", port)) as slow_head:
            slow_head.sendall(b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            started = time.monotonic()
            assert _read_all(slow_head, 10) == b""  # closed by the server
            assert time.monotonic() - started < 5
        with socket.create_connection(("127.0.0.1", port)) as slow_body:
            slow_body.sendall(b"POST /api/v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              b"Content-Length: 100\r\n\r\n{\"pain\"")
            answer = _read_all(slow_body, 10)
            assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
            assert b"content-security-policy" in answer.lower()


def test_serve_passes_its_timeouts_and_concurrency_limit_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from backspasm.cli import app as cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    result = CliRunner().invoke(cli, ["serve", "--limit-concurrency", "7", "--keep-alive", "3", "--read-timeout", "4"])
    assert result.exit_code == 0, result.output
    assert (seen["limit_concurrency"], seen["timeout_keep_alive"]) == (7, 3)
    assert seen["http"] == "backspasm.web.server:TimedH11Protocol"
    assert os.environ["BACKSPASM_READ_TIMEOUT"] == "4.0"


def test_a_big_form_is_refused_before_it_is_parsed_or_its_csrf_checked(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        form = {"content-type": "application/x-www-form-urlencoded"}
        r = client.post("/signin", content=b"email=" + b"a" * 200_000, headers=form)
        assert r.status_code == 413
        many = "&".join(f"f{i}=x" for i in range(1000)).encode()
        r = client.post("/signin", content=many, headers=form)
        assert r.status_code == 400


def _cds(client: TestClient, host: str) -> dict[str, Any]:
    r = client.post("/cds-services/backspasm-triage", content=CDS_EXAMPLE.read_bytes(),
                    headers={"content-type": "application/json", "host": host})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_links_are_built_for_the_public_url_never_from_the_host_header(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(public_url="https://diary.example.org"), client=("127.0.0.1", 50000)) as client:
        (link,) = _cds(client, "evil.example")["cards"][0]["links"]
        assert link["url"].startswith("https://diary.example.org/cds-services/")
    with TestClient(make_app(), client=("127.0.0.1", 50000)) as client:
        card = _cds(client, "evil.example")["cards"][0]
        assert "links" not in card  # with no public URL there is no address to link to; the Host header is never one
        assert "evil.example" not in json.dumps(card)


def test_an_https_public_url_makes_cookies_secure_and_adds_hsts(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(public_url="https://diary.example.org")) as client:  # plain http behind a TLS proxy
        r = client.get("/signin")
        assert "; Secure" in r.headers["set-cookie"]
        assert r.headers["strict-transport-security"].startswith("max-age=")
    with TestClient(make_app()) as client:
        assert "strict-transport-security" not in client.get("/signin").headers


def test_serving_beyond_loopback_without_https_or_proxies_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from backspasm.cli import app as cli

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    monkeypatch.delenv("BACKSPASM_PUBLIC_URL", raising=False)
    monkeypatch.delenv("BACKSPASM_TRUSTED_PROXIES", raising=False)
    out = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"]).output
    assert "warning" in out and "does not terminate TLS" in out
    quiet = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--public-url", "https://diary.example.org",
                                     "--trusted-proxies", "10.0.0.1"]).output
    assert "warning" not in quiet
    os.environ.pop("BACKSPASM_PUBLIC_URL")
    os.environ.pop("BACKSPASM_TRUSTED_PROXIES")
    assert "warning" not in CliRunner().invoke(cli, ["serve"]).output  # loopback


def test_every_signed_in_response_is_marked_no_store(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        token = api_register(client, "cache@example.org")
        eid = api_episode(client, token)
        for path in ("/api/v1/session", "/api/v1/episodes", f"/api/v1/episodes/{eid}", f"/api/v1/episodes/{eid}/status",
                     "/api/v1/me/export", "/diary", "/about"):
            assert client.get(path).headers.get("cache-control") == "no-store", path
        assert client.cookies.get(SESSION_COOKIE)


@pytest.mark.parametrize("backend", BACKENDS)
def test_readyz_fails_when_the_database_cannot_be_written(backend: str, make_app: Callable[..., FastAPI],
                                                          database_url: Callable[[str], str]) -> None:
    url = database_url(backend)
    with TestClient(make_app(url=url)) as client:
        assert client.get("/api/v1/readyz").status_code == 200
    if backend == "sqlite":
        read_only = f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    else:
        parsed = make_url(url)
        options = parsed.query.get("options", "")
        read_only = parsed.update_query_dict(
            {"options": f"{options} -c default_transaction_read_only=on"}).render_as_string(hide_password=False)
    with TestClient(make_app(url=read_only), raise_server_exceptions=False) as client:
        r = client.get("/api/v1/readyz")
        assert r.status_code == 503
        assert json.loads(r.text)["error"] == "not_ready"
        assert client.get("/api/v1/healthz").status_code == 200  # alive, just not ready


@pytest.mark.parametrize(
    "name, value",
    [("BACKSPASM_PUBLIC_URL", "ftp://diary.example.org"), ("BACKSPASM_PUBLIC_URL", "https://diary.example.org/app"),
     ("BACKSPASM_TRUSTED_PROXIES", "10.0.0.1, the proxy"), ("BACKSPASM_SESSION_IDLE_MINUTES", "soon")],
)
def test_serve_refuses_a_bad_network_setting_by_name(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from backspasm.cli import app as cli

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: pytest.fail("served with a bad setting"))
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert name in result.output
