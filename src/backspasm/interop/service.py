"""The CDS service as one object: who may call, what to fetch, the cards, their links and feedback.

`CdsService.call` is what the HTTP route runs: verify the client, check the request,
fetch what was not prefetched, answer with cards (or an OperationOutcome), remember the
cards so feedback on them can be recorded. `handle` is the same without a network or a
caller check, for tools and benchmarks that already hold a complete request.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from ..contract import Assessment, BadInput
from . import cds
from .auth import AuthError, ClientAuth
from .config import InteropConfig
from .fetch import complete
from .fhir import FhirError, Issue, now, parse_datetime
from .storage import InteropStore, new_handle

log = logging.getLogger(__name__)
OUTCOMES = ("accepted", "overridden")


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def _outcome(e: FhirError, headers: dict[str, str] | None = None) -> Answer:
    return Answer(e.status, e.outcome(), headers or {})


class CdsService:
    def __init__(self, config: InteropConfig, store: InteropStore) -> None:
        self.config = config
        self.store = store
        self.auth = ClientAuth(config)
        # One pool of connections to the record systems' FHIR servers, and threads to ask them in parallel.
        self.http = httpx.Client(timeout=self.config.fetch_timeout, follow_redirects=False,
                                 limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))
        self.fetchers = ThreadPoolExecutor(max_workers=16, thread_name_prefix="backspasm-fetch")

    def close(self) -> None:
        self.fetchers.shutdown(wait=False)
        self.http.close()

    def authenticate(self, authorization: str | None, client_host: str | None, proxied: bool, path: str) -> str | None:
        """The verified CDS client (its issuer), None for an accepted unsigned call; AuthError otherwise."""
        return self.auth.check(authorization, client_host, proxied, self.config.service_url(path))

    async def call(self, raw: bytes, *, authorization: str | None, client_host: str | None, proxied: bool,
                   moment: datetime | None = None) -> Answer:
        """The whole request: 200 cards, 400/401/412/422 OperationOutcome. Never raises."""
        from starlette.concurrency import run_in_threadpool

        try:
            args = (authorization, client_host, proxied, f"/cds-services/{cds.SERVICE_ID}")
            if authorization:  # verifying may fetch the issuer's keys: off the event loop
                await run_in_threadpool(self.authenticate, *args)
            else:
                self.authenticate(*args)
        except AuthError as e:
            return _outcome(FhirError([Issue(str(e), code="security")], 401),
                            {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        try:
            body = cds.parse_request(raw)
            moment = moment or now()
            out = await run_in_threadpool(self._fetch_and_respond, body, moment)
            return Answer(200, out, {})
        except FhirError as e:
            return _outcome(e)
        except BadInput as e:  # a record value the contract refuses (should not happen: values are clamped)
            return _outcome(FhirError([Issue(msg, loc) for loc, msg in e.errors]))
        except Exception:  # a record shape nobody foresaw: answer the client, keep the trace in the log
            log.exception("CDS Hooks request could not be read")
            return _outcome(FhirError([Issue("the request's prefetch could not be read; see the service log", "prefetch",
                                             code="processing")]))

    def _fetch_and_respond(self, body: dict[str, Any], moment: datetime) -> dict[str, Any]:
        fetched = complete(body, cds.PREFETCH, self.config.fetch_pages, self.http, self.fetchers)
        return self._respond({**body, "prefetch": fetched.prefetch}, moment, fetched.failures)

    def _respond(self, body: dict[str, Any], moment: datetime, failures: list[str]) -> dict[str, Any]:
        pending: dict[str, Any] = {}

        def link(a: Assessment) -> str | None:
            if self.config.public_url is None:
                return None
            pending["handle"], pending["assessment"] = new_handle(), a.model_dump(mode="json", exclude_none=True)
            return f"{self.config.public_url}{cds.PLAN_PATH}/{pending['handle']}"

        out = cds.respond(body, public_url=self.config.public_url, make_link=link, moment=moment, failures=failures)
        issued = [(c["uuid"], c["source"].get("topic", {}).get("code", "info")) for c in out["cards"]]
        self.store.answered(str(body["hookInstance"]), issued, pending.get("handle"), pending.get("assessment"),
                            self.config.link_ttl, moment)
        return out

    def plan(self, handle: str, moment: datetime | None = None) -> Assessment | None:
        """The assessment behind a live card link, or None."""
        from ..contract import parse_assessment

        data = self.store.link(handle, moment or now())
        return None if data is None else parse_assessment(data)

    def feedback(self, raw: bytes, client: str | None, moment: datetime | None = None) -> int:
        """Record a CDS Hooks feedback request; FhirError naming the problem otherwise. Returns how many were recorded."""
        import json

        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise FhirError([Issue("the feedback body is not JSON", code="structure")], 400) from None
        items = body.get("feedback") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise FhirError([Issue("expected {\"feedback\": [ ... ]}", "feedback", code="required")], 400)
        rows: list[dict[str, Any]] = []
        issues: list[Issue] = []
        for i, item in enumerate(items):
            where = f"feedback[{i}]"
            if not isinstance(item, dict):
                issues.append(Issue("must be an object", where, code="structure"))
                continue
            when = parse_datetime(item.get("outcomeTimestamp"))
            if not isinstance(item.get("card"), str):
                issues.append(Issue("card (the card's uuid) is required", f"{where}.card", code="required"))
            if item.get("outcome") not in OUTCOMES:
                issues.append(Issue(f"outcome must be one of {', '.join(OUTCOMES)}", f"{where}.outcome", code="value"))
            if when is None:
                issues.append(Issue("outcomeTimestamp (an ISO 8601 instant) is required", f"{where}.outcomeTimestamp",
                                    code="required"))
            reason = item.get("overrideReason")
            if reason is not None and not isinstance(reason, dict):
                issues.append(Issue("overrideReason must be an object", f"{where}.overrideReason", code="structure"))
            rows.append({"card": item.get("card"), "outcome": item.get("outcome"), "outcome_at": when,
                         "override_reason": reason, "accepted_suggestions": item.get("acceptedSuggestions")})
        if issues:
            raise FhirError(issues, 400)
        cards = [str(r["card"]) for r in rows]
        unknown = sorted(set(cards) - self.store.known_cards(cards))
        if unknown:
            raise FhirError([Issue(f"no card {u} was issued by this service", "feedback.card", code="not-found")
                             for u in unknown], 404)
        self.store.record_feedback(rows, client, moment or now())
        return len(rows)


def handle(raw: bytes, public_url: str | None = None, moment: datetime | None = None) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for a complete request, without fetching or checking the caller. Never raises."""
    try:
        return 200, cds.respond(cds.parse_request(raw), public_url=public_url, moment=moment or now())
    except FhirError as e:
        return e.status, e.outcome()
    except BadInput as e:
        return 422, FhirError([Issue(msg, loc) for loc, msg in e.errors]).outcome()
    except Exception:
        log.exception("CDS Hooks request could not be read")
        return 422, FhirError([Issue("the request's prefetch could not be read; see the service log", "prefetch",
                                     code="processing")]).outcome()


__all__ = ["Answer", "CdsService", "handle"]
