"""CDS Hooks done properly: fetching from the client's FHIR server, client JWTs, feedback.

A small FHIR server on loopback (fhirserver.py) serves a realistic chart behind a bearer
token, pages its searches, and publishes the CDS client's JWKS.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from fhirhelpers import EXAMPLE_NOW, PUBLIC_URL, example, make_app, valid_r4
from fhirserver import fixture_app, record, serve

from backspasm.interop.cds import SERVICE_ID
from backspasm.interop.config import ConfigError, InteropConfig

URL = f"/cds-services/{SERVICE_ID}"
AUD = f"{PUBLIC_URL}{URL}"
ISS = "https://ehr.example.org"
TOKEN = "s3cret-access-token"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks() -> dict[str, Any]:
    public = jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
    return {"keys": [{**public, "kid": "k1", "alg": "RS384", "use": "sig"}]}


@pytest.fixture(scope="module")
def ehr() -> Iterator[tuple[str, Any]]:
    app = fixture_app(record("p1"), TOKEN, jwks())
    with serve(app) as base:
        yield base, app


def signed(claims: dict[str, Any] | None = None, key: Any = KEY, **changes: Any) -> str:
    now = int(time.time())
    body = {"iss": ISS, "sub": "client-1", "aud": AUD, "exp": now + 300, "iat": now, "jti": str(uuid.uuid4())}
    body.update(claims or {})
    body.update(changes)
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm="RS384", headers={"kid": "k1"})


def service_client(ehr_base: str, host: str = "10.1.2.3", **config: Any) -> TestClient:
    settings = InteropConfig(public_url=PUBLIC_URL, issuers={ISS: f"{ehr_base}/jwks"}, **config)
    return TestClient(make_app(settings), base_url="http://backspasm.internal", client=(host, 40000))


def request_body(ehr_base: str, prefetch: dict[str, Any] | None = None, token: str = TOKEN) -> dict[str, Any]:
    body: dict[str, Any] = {"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
                            "context": {"userId": "Practitioner/9", "patientId": "p1"},
                            "fhirServer": f"{ehr_base}/fhir",
                            "fhirAuthorization": {"access_token": token, "token_type": "Bearer", "expires_in": 300,
                                                  "scope": "patient/*.read", "subject": "backspasm"}}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


@pytest.fixture(autouse=True)
def _clock(fixed_clock: None) -> None:
    return None


# ---- fetching what was not prefetched ----


def test_without_prefetch_the_service_fetches_the_record_with_the_bearer_token(ehr: tuple[str, Any]) -> None:
    base, app = ehr
    with service_client(base) as c:
        r = c.post(URL, json=request_body(base), headers={"Authorization": f"Bearer {signed()}"})
    assert r.status_code == 200, r.text
    (card,) = r.json()["cards"]
    detail = card["detail"]
    # N18.30 by prefix, warfarin by product code through a Medication, ibuprofen allergy, a fever reading
    assert card["source"]["topic"]["code"] == "urgent"
    assert "Kidney disease (Condition/ckd)" in detail
    assert "Takes a blood thinner (MedicationRequest/mr-warfarin)" in detail
    assert "Allergy or asthma reaction to NSAIDs or aspirin (AllergyIntolerance/al-ibu)" in detail
    assert "Fever (Observation/temp)" in detail
    assert "avoid unless prescribed" in detail
    assert "Pain 5/10 (Observation/pain-2)" in detail  # LOINC 38208-5 with an answer code, the latest
    assert "Not available" not in detail
    from urllib.parse import unquote

    asked = [unquote(u) for u in app.state.requests if "MedicationRequest" in u]
    assert asked and "_include=MedicationRequest:medication" in asked[-1]


def test_paged_searches_are_followed_through_next_links(ehr: tuple[str, Any]) -> None:
    base, app = ehr
    first_page = {"resourceType": "Bundle", "type": "searchset", "entry": [],
                  "link": [{"relation": "next", "url": f"{base}/fhir/Condition?patient=p1&_count=1&_offset=0"}]}
    with service_client(base) as c:
        r = c.post(URL, json=request_body(base, {"conditions": first_page}), headers={"Authorization": f"Bearer {signed()}"})
    detail = r.json()["cards"][0]["detail"]
    assert "Back pain since 2026-11-23" in detail and "Kidney disease" in detail
    assert "only the first page" not in detail
    assert sum("_offset" in u for u in app.state.requests) >= 2  # one page per Condition


def test_a_prefetch_the_client_could_not_fill_is_fetched_again(ehr: tuple[str, Any]) -> None:
    base, _ = ehr
    failed = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}
    with service_client(base) as c:
        r = c.post(URL, json=request_body(base, {"conditions": failed}), headers={"Authorization": f"Bearer {signed()}"})
    assert "Kidney disease (Condition/ckd)" in r.json()["cards"][0]["detail"]


def test_a_wrong_token_leaves_the_record_unread_and_the_answer_says_why(ehr: tuple[str, Any]) -> None:
    base, _ = ehr
    with service_client(base) as c:
        r = c.post(URL, json=request_body(base, token="wrong"), headers={"Authorization": f"Bearer {signed()}"})
    body = outcome = r.json()
    assert r.status_code == 412, body
    assert "the FHIR server answered 401" in outcome["issue"][0]["details"]["text"]


def test_a_server_that_does_not_answer_in_time_is_named_in_the_missing_card() -> None:
    slow = fixture_app(record("p1"), TOKEN, jwks(), delay=0.5)
    with serve(slow) as base, service_client(base, fetch_timeout=0.1) as c:
        prefetch = {"conditions": {"resourceType": "Bundle", "type": "searchset",
                                   "entry": [{"resource": r} for r in record("p1") if r["id"] == "lbp"]}}
        r = c.post(URL, json=request_body(base, prefetch), headers={"Authorization": f"Bearer {signed()}"})
    cards = r.json()["cards"]
    assert cards[-1]["indicator"] == "info"
    assert "could not fetch painObservations: the FHIR server did not answer in time" in cards[-1]["detail"]


def test_plain_http_to_another_machine_is_never_fetched() -> None:
    from backspasm.interop.fetch import server_allowed

    assert server_allowed("https://ehr.example.org/fhir") and server_allowed("http://127.0.0.1:8080/fhir")
    assert not server_allowed("http://ehr.example.org/fhir") and not server_allowed("file:///etc/passwd")


# ---- who may call ----


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: signed(aud="https://other.example/cds-services/backspasm-triage"), "Audience"),
        (lambda: signed(exp=int(time.time()) - 120, iat=int(time.time()) - 400), "expired"),
        (lambda: signed(iss="https://stranger.example"), "not a trusted CDS client"),
        (lambda: signed(key=OTHER_KEY), "Signature verification failed"),
        (lambda: signed(jti=None), "jti"),
        (lambda: signed(exp=int(time.time()) + 7200), "more than 3600 s"),
        (lambda: "not-a-jwt", "cannot be read"),
    ],
    ids=["wrong-aud", "expired", "unknown-issuer", "wrong-key", "no-jti", "too-long-lived", "garbage"],
)
def test_invalid_client_jwts_are_401_operation_outcomes(ehr: tuple[str, Any], make: Any, says: str) -> None:
    base, _ = ehr
    with service_client(base) as c:
        r = c.post(URL, json=example("patient-view-self-care.json"), headers={"Authorization": f"Bearer {make()}"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert says in valid_r4(r.json())["issue"][0]["details"]["text"]


def test_a_replayed_jwt_is_refused(ehr: tuple[str, Any]) -> None:
    base, _ = ehr
    token = signed()
    with service_client(base) as c:
        first = c.post(URL, json=example("patient-view-self-care.json"), headers={"Authorization": f"Bearer {token}"})
        again = c.post(URL, json=example("patient-view-self-care.json"), headers={"Authorization": f"Bearer {token}"})
    assert first.status_code == 200 and again.status_code == 401
    assert "replay" in again.json()["issue"][0]["details"]["text"]


@pytest.mark.parametrize(
    ("host", "headers", "unsigned", "status"),
    [
        ("127.0.0.1", {}, "loopback", 200),
        ("::1", {}, "loopback", 200),
        ("10.1.2.3", {}, "loopback", 401),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, "loopback", 401),
        ("127.0.0.1", {}, "never", 401),
    ],
    ids=["loopback", "loopback-v6", "remote", "through-a-proxy", "setting-never"],
)
def test_requests_without_a_jwt_are_accepted_only_on_loopback(
    ehr: tuple[str, Any], host: str, headers: dict[str, str], unsigned: str, status: int
) -> None:
    base, _ = ehr
    with service_client(base, host=host, unsigned=unsigned) as c:
        r = c.post(URL, json=example("patient-view-self-care.json"), headers=headers)
    assert r.status_code == status


def test_a_jwt_is_refused_when_no_public_url_says_what_its_audience_must_be(ehr: tuple[str, Any]) -> None:
    base, _ = ehr
    settings = InteropConfig(issuers={ISS: f"{base}/jwks"})
    with TestClient(make_app(settings), base_url="http://evil.example", client=("10.0.0.1", 1)) as c:
        r = c.post(URL, json=example("patient-view-self-care.json"),
                   headers={"Authorization": f"Bearer {signed(aud='http://evil.example' + URL)}"})
    assert r.status_code == 401 and "BACKSPASM_PUBLIC_URL" in r.text


def test_settings_are_checked_when_read() -> None:
    with pytest.raises(ConfigError, match="BACKSPASM_PUBLIC_URL"):
        InteropConfig.from_env({"BACKSPASM_PUBLIC_URL": "backspasm.example.org"})
    with pytest.raises(ConfigError, match="must be https"):
        InteropConfig.from_env({"BACKSPASM_CDS_ISSUERS": '{"https://ehr": "http://ehr.example/jwks"}'})
    with pytest.raises(ConfigError, match="BACKSPASM_CDS_UNSIGNED"):
        InteropConfig.from_env({"BACKSPASM_CDS_UNSIGNED": "always"})
    config = InteropConfig.from_env({"BACKSPASM_PUBLIC_URL": "https://b.example/", "BACKSPASM_CDS_ISSUERS": f'{{"{ISS}": '
                                     '"https://ehr.example.org/jwks"}'})
    assert config.public_url == "https://b.example" and config.issuers == {ISS: "https://ehr.example.org/jwks"}


# ---- feedback ----


def feedback(card: str, outcome: str = "overridden", **extra: Any) -> dict[str, Any]:
    return {"feedback": [{"card": card, "outcome": outcome, "outcomeTimestamp": "2026-11-25T12:05:00Z", **extra}]}


def test_feedback_on_issued_cards_is_recorded(ehr: tuple[str, Any]) -> None:
    base, _ = ehr
    with service_client(base) as c:
        cards = c.post(URL, json=example("patient-view-urgent-leg-warfarin.json"),
                       headers={"Authorization": f"Bearer {signed()}"}).json()["cards"]
        card = cards[0]["uuid"]
        reason = {"reason": {"code": "patient-aware", "system": "https://ehr.example.org/override",
                             "display": "Patient already seen today"}, "userComment": "Seen in clinic"}
        r = c.post(f"{URL}/feedback", json=feedback(card, overrideReason=reason),
                   headers={"Authorization": f"Bearer {signed(aud=f'{AUD}/feedback')}"})
        assert r.status_code == 200, r.text
        r = c.post(f"{URL}/feedback", json=feedback(card, "accepted"),
                   headers={"Authorization": f"Bearer {signed(aud=f'{AUD}/feedback')}"})
        assert r.status_code == 200
        rows = c.app.state.interop.store.feedback_for(card)  # type: ignore[attr-defined]
    assert [(x["outcome"], x["client"]) for x in rows] == [("overridden", ISS), ("accepted", ISS)]
    assert rows[0]["override_reason"]["userComment"] == "Seen in clinic"


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (feedback(str(uuid.uuid4())), 404, "no card"),
        (feedback("x", "ignored"), 400, "outcome must be one of accepted, overridden"),
        ({"feedback": [{"card": "x", "outcome": "accepted"}]}, 400, "outcomeTimestamp"),
        ({"cards": []}, 400, "expected"),
    ],
)
def test_malformed_or_unknown_feedback_is_refused(ehr: tuple[str, Any], body: Any, status: int, says: str) -> None:
    base, _ = ehr
    with service_client(base, host="127.0.0.1") as c:
        r = c.post(f"{URL}/feedback", json=body)
    assert r.status_code == status
    assert any(says in i["details"]["text"] for i in valid_r4(r.json())["issue"])


def test_plan_links_expire(ehr: tuple[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    base, _ = ehr
    with service_client(base, host="127.0.0.1", link_ttl=60) as c:
        link = c.post(URL, json=example("patient-view-urgent-leg-warfarin.json")).json()["cards"][0]["links"][0]["url"]
        path = link.removeprefix(PUBLIC_URL)
        service = c.app.state.interop.service  # type: ignore[attr-defined]
        assert service.plan(path.rsplit("/", 1)[1], EXAMPLE_NOW + timedelta(seconds=30)) is not None
        assert service.plan(path.rsplit("/", 1)[1], EXAMPLE_NOW + timedelta(seconds=61)) is None
