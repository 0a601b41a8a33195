"""Fetching what the CDS client did not prefetch, from its FHIR server, with its access token.

Each missing prefetch template is filled from the request's context and asked of
`fhirServer` (in parallel threads on one pooled client, with a timeout; the sync client
costs half the CPU of the async one here), following searchset `next` links so a
paged result is read whole; prefetch Bundles the client sent with a `next` link are
completed the same way. A failure leaves the key missing, and the card says so.
"""

from __future__ import annotations

import ipaddress
import re
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from .fhir import FHIR_JSON
from .record import next_link

TOKEN = re.compile(r"\{\{\s*context\.(\w+)\s*\}\}")


@dataclass
class Fetched:
    prefetch: dict[str, Any]
    failures: list[str] = field(default_factory=list)  # "key: why"


def fill(template: str, context: dict[str, Any]) -> str | None:
    """A prefetch template with its {{context.x}} tokens filled; None when a token has no string value."""
    missing = False

    def sub(match: re.Match[str]) -> str:
        nonlocal missing
        value = context.get(match.group(1))
        if not isinstance(value, str) or not value:
            missing = True
            return ""
        return value

    out = TOKEN.sub(sub, template)
    return None if missing else out


def server_allowed(url: str) -> bool:
    """https, or http to this machine (a FHIR server on loopback): never plain http across a network."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return parts.hostname == "localhost"


def _headers(body: dict[str, Any]) -> dict[str, str]:
    headers = {"Accept": FHIR_JSON}
    auth = body.get("fhirAuthorization")
    if isinstance(auth, dict) and isinstance(auth.get("access_token"), str):
        headers["Authorization"] = f"Bearer {auth['access_token']}"
    return headers


def _search(client: httpx.Client, base: str, url: str, pages: int, headers: dict[str, str]) -> dict[str, Any]:
    """GET a search (or a read), following `next` links into one Bundle."""
    first = _get(client, url, headers)
    if first.get("resourceType") != "Bundle":
        return first
    entries = list(first.get("entry") or [])
    nxt, n = next_link(first), 1
    while nxt and n < pages:
        if not nxt.startswith(base):
            raise ValueError(f"a next link leaves the FHIR server ({nxt})")
        page = _get(client, nxt, headers)
        entries += page.get("entry") or []
        nxt, n = next_link(page), n + 1
    if nxt:
        raise ValueError(f"more than {pages} pages")
    return {**first, "entry": entries, "link": [x for x in first.get("link") or [] if x.get("relation") != "next"]}


def _get(client: httpx.Client, url: str, headers: dict[str, str]) -> dict[str, Any]:
    r = client.get(url, headers=headers)
    if r.status_code == 404:
        return {"resourceType": "Bundle", "type": "searchset", "entry": []} if "?" in url else {}
    r.raise_for_status()
    data = r.json()
    if not isinstance(data, dict):
        raise ValueError("the answer is not a FHIR resource")
    return data


def complete(body: dict[str, Any], templates: dict[str, str], pages: int, client: httpx.Client,
             executor: Executor) -> Fetched:
    """The request's prefetch with every missing key fetched and every paged Bundle completed."""
    prefetch = dict(body.get("prefetch") or {})
    server = body.get("fhirServer")
    if not isinstance(server, str) or not server:
        return Fetched(prefetch)
    if not server_allowed(server):
        return Fetched(prefetch, [f"fhirServer: {server} is not https (or http on this machine); nothing fetched"])
    base = server.rstrip("/") + "/"
    context: dict[str, Any] = body["context"] if isinstance(body.get("context"), dict) else {}
    jobs: dict[str, str] = {}
    for key, template in templates.items():
        failed = isinstance(prefetch.get(key), dict) and prefetch[key].get("resourceType") == "OperationOutcome"
        if key not in prefetch or failed:  # missing, or the client's own fetch failed ('null' is 'no data': kept)
            query = fill(template, context)
            if query is not None:
                jobs[key] = urljoin(base, query)
        elif next_link(prefetch[key]):
            jobs[key] = urljoin(base, str(next_link(prefetch[key])))
    if not jobs:
        return Fetched(prefetch)
    headers = _headers(body)
    failures: list[str] = []
    futures = [executor.submit(_search, client, base, url, pages, headers) for url in jobs.values()]
    results: list[dict[str, Any] | BaseException] = []
    for future in futures:
        try:
            results.append(future.result())
        except Exception as e:
            results.append(e)
    for key, result in zip(jobs, results, strict=True):
        if isinstance(result, BaseException):
            failures.append(f"{key}: {_why(result)}")
            continue
        if next_link(prefetch.get(key)):  # a paged prefetch: append the rest
            rest = result.get("entry") or [] if result.get("resourceType") == "Bundle" else []
            done = {**prefetch[key], "entry": [*(prefetch[key].get("entry") or []), *rest]}
            done["link"] = [x for x in done.get("link") or [] if isinstance(x, dict) and x.get("relation") != "next"]
            prefetch[key] = done
        elif result:
            prefetch[key] = result
    return Fetched(prefetch, failures)


def _why(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "the FHIR server did not answer in time"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"the FHIR server answered {exc.response.status_code}"
    if isinstance(exc, httpx.HTTPError):
        return f"the FHIR server could not be reached ({type(exc).__name__})"
    return str(exc) or type(exc).__name__


__all__ = ["Fetched", "complete", "fill", "server_allowed"]
