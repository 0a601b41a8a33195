"""The JSON API: the contract in and out, bad input named, an accurate schema, security headers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backspasm import BadInput, assess, parse_assessment, parse_json
from backspasm.contract import ResultModel
from backspasm.knowledge import vocabulary
from backspasm.web.app import _optional_router
from backspasm.web.security import CONTENT_SECURITY_POLICY

SELF_CARE = {"hours_since_onset": 5, "pain": 3}
URGENT = {"hours_since_onset": 30, "pain": 6, "age": 64, "findings": ["leg_tingling"], "conditions": ["kidney_disease"]}


def test_assess_returns_the_engines_result_for_one_object(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json=URGENT)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == assess(parse_assessment(URGENT)).as_dict()
    ResultModel.model_validate(r.json())


def test_assess_answers_an_array_with_an_array_in_order(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json=[URGENT, SELF_CARE])
    assert r.status_code == 200
    body = r.json()
    assert [b["urgency"] for b in body] == ["urgent", "self_care"]
    for item in body:
        ResultModel.model_validate(item)


def test_assess_answers_an_empty_array_with_an_empty_array(client: TestClient) -> None:
    assert client.post("/api/v1/assess", json=[]).json() == []


def _cli_error(raw: bytes) -> dict[str, Any]:
    with pytest.raises(BadInput) as e:
        parse_json(raw)
    return e.value.as_dict()


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (b'{"hours_since_onset": 5, "pain": 3, "finding": ["fever"]}', "finding"),
        (b'{"hours_since_onset": 5, "pain": 11}', "pain"),
        (b'{"hours_since_onset": -1, "pain": 3}', "hours_since_onset"),
        (b'{"pain": 3}', "hours_since_onset"),
        (b'{"hours_since_onset": 5, "pain": "3"}', "pain"),
        (b'{"hours_since_onset": 5, "pain": 3, "findings": ["feverr"]}', "findings[0]"),
        (b'{"hours_since_onset": 5, "pain": 3, "findings": ["long_duration"]}', "findings[0]"),
        (b'{"hours_since_onset": 5, "pain": 3, "conditions": ["diabetes"]}', "conditions[0]"),
        (b'[{"hours_since_onset": 5, "pain": 3}, {"hours_since_onset": 5}]', "[1].pain"),
        (b'[{"hours_since_onset": 5, "pain": 3}, 7]', "[1]"),
        (b'{"hours_since_onset": 5, "pain": 3, "diary": [{"hours_since_onset": 9, "pain": 2}]}', "diary[0].hours_since_onset"),
        (b"42", ""),
        (b"{not json", ""),
        (b"", ""),
        (b"\xff\xfe", ""),
    ],
)
def test_bad_input_is_422_naming_the_field_exactly_as_the_cli_does(client: TestClient, body: bytes, loc: str) -> None:
    r = client.post("/api/v1/assess", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json() == _cli_error(body)
    assert r.json()["error"] == "bad_input"
    assert loc in [d["loc"] for d in r.json()["detail"]]


def test_an_oversized_body_is_refused_with_413(client: TestClient) -> None:
    big = json.dumps([SELF_CARE] * 200_000).encode()
    r = client.post("/api/v1/assess", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_assess_refuses_other_methods_in_json(client: TestClient, method: str) -> None:
    r = client.request(method.upper(), "/api/v1/assess")
    assert r.status_code == 405
    assert r.json()["error"] == "method_not_allowed"


def test_knowledge_serves_the_rule_set_with_sources(client: TestClient) -> None:
    r = client.get("/api/v1/knowledge")
    assert r.status_code == 200
    body = r.json()
    assert body == json.loads(json.dumps(vocabulary()))
    assert all(f["source"]["ref"] for f in body["findings"])
    assert {s["ref"] for s in body["sources"]} >= {f["source"]["ref"] for f in body["findings"]}


def test_knowledge_ignores_a_query_string_and_refuses_a_post(client: TestClient) -> None:
    assert client.get("/api/v1/knowledge?x=1").status_code == 200
    assert client.post("/api/v1/knowledge", json={}).status_code == 405


def test_healthz_answers_ok(client: TestClient) -> None:
    r = client.get("/api/v1/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert client.post("/api/v1/healthz").status_code == 405


def test_unknown_api_path_is_a_json_404(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


def test_openapi_schema_declares_the_contract_models(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/assess"]["post"]
    body = op["requestBody"]["content"]["application/json"]["schema"]
    refs = json.dumps(body)
    assert "#/components/schemas/Assessment" in refs
    ok = json.dumps(op["responses"]["200"])
    assert "#/components/schemas/ResultModel" in ok
    assert "#/components/schemas/BadInputModel" in json.dumps(op["responses"]["422"])
    components = schema["components"]["schemas"]
    assert {"Assessment", "DiaryEntry", "ResultModel", "PlanItem", "Reason"} <= set(components)
    # Every $ref in the document resolves.
    for ref in _refs(schema):
        assert ref.removeprefix("#/components/schemas/") in components, ref


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_no_docs_pages_that_would_load_third_party_script(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


@pytest.mark.parametrize("path", ["/", "/about", "/assess", "/api/v1/healthz", "/api/v1/nope", "/static/style.css"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    h = client.get(path).headers
    assert h["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "unsafe-inline" not in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"


def test_bad_input_answers_carry_the_security_headers_too(client: TestClient) -> None:
    r = client.post("/api/v1/assess", content=b"[", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.headers["x-content-type-options"] == "nosniff"


def test_a_missing_optional_router_is_skipped_but_a_broken_one_fails_loudly() -> None:
    assert _optional_router("backspasm.no_such_module_here", "router") is None
    with pytest.raises(ModuleNotFoundError):
        _optional_router("backspasm.no_such_package.routes", "router")


def test_every_api_route_is_documented_with_a_summary(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    ops = [(m, p, op) for p, methods in schema["paths"].items() if p.startswith("/api/v1") for m, op in methods.items()]
    assert len(ops) >= 15
    for method, path, op in ops:
        assert op.get("summary"), f"{method.upper()} {path} has no summary"
        if "422" in op["responses"]:
            assert "BadInputModel" in json.dumps(op["responses"]["422"]), f"{method.upper()} {path}"
    assert "HTTPValidationError" not in json.dumps(schema)


@pytest.mark.parametrize(
    ("module_name", "path"),
    [("backspasm.interop.routes", "/cds-services"), ("backspasm.web.prevent_pages", "/exercises")],
)
def test_present_optional_routers_are_mounted(client: TestClient, module_name: str, path: str) -> None:
    from backspasm.web.app import OPTIONAL_ROUTERS

    assert module_name in [m for m, _ in OPTIONAL_ROUTERS]
    if _optional_router(module_name, "router") is None:
        assert client.get(path).status_code == 404
    else:
        assert client.get(path, headers={"accept": "text/html"}).status_code == 200
