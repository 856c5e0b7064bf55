"""`/openapi.json`: a valid OpenAPI 3.1 document that lists every endpoint and describes what the
server really sends (real responses are validated against the document's own schemas)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from server.app import endpoints
from tests.server.helpers import entry, sign_up
from tests.server.live import LiveServer

Spec = dict[str, Any]


@pytest.fixture(scope="module")
async def spec(server: LiveServer) -> Spec:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        response = await client.get("/openapi.json")  # public: no token
    assert response.status_code == 200
    document: Spec = response.json()
    return document


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


def resolve(spec: Spec, ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = spec
    for part in ref[2:].split("/"):
        assert isinstance(node, dict)
        assert part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def schema_of(spec: Spec, node: dict[str, Any]) -> dict[str, Any]:
    """A schema with its `$ref` followed."""
    if "$ref" in node:
        resolved: dict[str, Any] = resolve(spec, node["$ref"])
        return resolved
    return node


def body_schema(spec: Spec, path: str, method: str) -> dict[str, Any]:
    body = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return schema_of(spec, body)


def response_schema(spec: Spec, path: str, method: str, status: int) -> dict[str, Any]:
    response = spec["paths"][path][method]["responses"][str(status)]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def property_names(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = list(node["properties"]) if isinstance(node.get("properties"), dict) else []
        return own + [name for value in node.values() for name in property_names(value)]
    if isinstance(node, list):
        return [name for value in node for name in property_names(value)]
    return []


def test_the_document_is_valid_openapi(spec: Spec) -> None:
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises with the first violation


def test_every_reference_resolves(spec: Spec) -> None:
    found = refs(spec)
    assert found
    for ref in found:
        resolve(spec, ref)


def test_every_path_parameter_is_declared_and_every_declared_one_exists(spec: Spec) -> None:
    for path, operations in spec["paths"].items():
        in_template = set(re.findall(r"{([^}]+)}", path))
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == in_template, (method, path)
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["required"] is True


def test_every_endpoint_is_documented_with_its_models(spec: Spec) -> None:
    for endpoint in endpoints():
        operation = spec["paths"][endpoint.path][endpoint.method.lower()]
        assert operation["summary"]
        has_body = endpoint.body is not None or endpoint.form is not None
        assert ("requestBody" in operation) == has_body, endpoint.path
        if endpoint.response is not None:
            schema = schema_of(
                spec, response_schema(spec, endpoint.path, endpoint.method.lower(), endpoint.status)
            )
            # a union (sign-in: tokens or a challenge) documents each of its models
            for one in schema.get("anyOf", [schema]):
                assert schema_of(spec, one).get("properties"), endpoint.path
        if endpoint.auth:
            # An API token is one more way in, except where a leaked one could take the
            # account over (server/api_tokens.py).
            api: list[dict[str, list[str]]] = (
                [{"apiToken": []}] if endpoint.takes_api_tokens else []
            )
            assert operation["security"] == [{"bearer": []}, *api], endpoint.path
            assert "401" in operation["responses"]


def test_api_tokens_are_refused_where_they_could_take_the_account_over(spec: Spec) -> None:
    def ways_in(path: str, method: str) -> list[dict[str, list[str]]]:
        security: list[dict[str, list[str]]] = spec["paths"][path][method]["security"]
        return security

    for path, method in (
        ("/users/tokens", "get"),
        ("/users/tokens", "post"),
        ("/users/tokens/{token_id}", "delete"),
        ("/users/profile", "put"),
        ("/users/profile", "delete"),
    ):
        assert {"apiToken": []} not in ways_in(path, method), (path, method)
    for path, method in (("/journal/entries", "get"), ("/users/export", "get")):
        assert {"apiToken": []} in ways_in(path, method)
    assert spec["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/users/profile", "get"),
        ("/users/profile", "put"),
        ("/users/profile", "delete"),
        ("/users/export", "get"),
        ("/athlete/profile", "get"),
        ("/athlete/profile", "put"),
        ("/athlete/goals", "get"),
        ("/athlete/goals", "post"),
        ("/athlete/goals/{id}", "get"),
        ("/athlete/goals/{id}", "put"),
        ("/athlete/goals/{id}", "delete"),
        ("/journal/entries", "get"),
        ("/journal/entries", "post"),
        ("/journal/entries/{id}", "get"),
        ("/journal/entries/{id}", "put"),
        ("/journal/entries/{id}", "delete"),
        ("/benchmarks/sends", "get"),
        ("/benchmarks/sends", "post"),
        ("/benchmarks/sends/{id}", "get"),
        ("/benchmarks/sends/{id}", "put"),
        ("/benchmarks/sends/{id}", "delete"),
        ("/chat/history", "get"),
        ("/chat/history", "delete"),
        ("/training/plans", "get"),
        ("/training/plans", "post"),
        ("/training/plans/{id}", "get"),
        ("/training/plans/{id}", "put"),
        ("/training/plans/{id}", "delete"),
        ("/training/generate-plan", "post"),
        ("/chat/generate-insights", "post"),
        ("/nutrition/profile", "get"),
        ("/nutrition/profile", "put"),
        ("/nutrition/logs", "get"),
        ("/nutrition/logs", "post"),
        ("/nutrition/logs/{date}", "get"),
        ("/nutrition/logs/{date}", "put"),
        ("/nutrition/logs/{date}", "delete"),
        ("/nutrition/insights", "get"),
    ],
)
def test_the_seed_resources_are_documented(spec: Spec, path: str, method: str) -> None:
    assert method in spec["paths"][path]


def test_input_models_leave_out_what_only_the_server_sets(spec: Spec) -> None:
    create = body_schema(spec, "/journal/entries", "post")["properties"]
    assert "duration" in create
    for server_field in ("id", "version", "createdAt", "updatedAt"):
        assert server_field not in create
    update = body_schema(spec, "/journal/entries/{id}", "put")["properties"]
    assert "version" in update
    assert "id" not in update
    assert "gradeNumeric" not in body_schema(spec, "/benchmarks/sends", "post")["properties"]
    user_update = body_schema(spec, "/users/profile", "put")["properties"]
    assert "subscription" not in user_update
    assert "version" in user_update

    stored = schema_of(spec, response_schema(spec, "/benchmarks/sends/{id}", "get", 200))
    assert {"id", "version", "gradeNumeric"} <= set(stored["properties"])


def test_the_document_shows_the_seeds_names(spec: Spec) -> None:
    session = body_schema(spec, "/journal/entries", "post")["properties"]
    assert {"duration", "type"} <= set(session)
    send = schema_of(spec, response_schema(spec, "/benchmarks/sends/{id}", "get", 200))
    assert {"gradeNumeric", "gradeType", "type"} <= set(send["properties"])
    significance = schema_of(spec, send["properties"]["significance"])
    assert {"personal-best", "project-send"} <= set(significance["enum"])
    profile = body_schema(spec, "/nutrition/profile", "put")["properties"]
    assert {"weight", "targetWeight"} <= set(profile)
    assert "weight" in body_schema(spec, "/athlete/profile", "put")["properties"]
    earlier = {"durationMinutes", "weightKg", "targetWeightKg", "numericGrade", "setting"}
    assert earlier.isdisjoint(property_names(spec["components"]["schemas"]))


def test_lists_document_their_query_parameters(spec: Spec) -> None:
    for path in ("/journal/entries", "/benchmarks/sends"):
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert names == {"from", "to", "limit", "cursor", "order"}
    limit = next(
        p for p in spec["paths"]["/chat/history"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 200)
    chat = {p["name"]: p for p in spec["paths"]["/chat/history"]["get"]["parameters"]}
    assert set(chat) == {"limit", "cursor", "before"}
    assert "strictly older" in chat["before"]["schema"]["description"]
    assert "204" in spec["paths"]["/chat/history"]["delete"]["responses"]
    message = spec["components"]["schemas"]["ChatMessage"]["properties"]
    assert {"frame", "command", "sayId", "endReason"} <= set(message)


# DESIGN.md spells the quota object in snake_case, the same in frames and in REST (`usage`).
QUOTA_SCHEMAS = {"Quota", "Allowance"}


def test_plan_generation_documents_its_tier_refusal_and_its_choices(spec: Spec) -> None:
    operation = spec["paths"]["/training/generate-plan"]["post"]
    assert "tier_required" in operation["responses"]["403"]["description"]
    assert "201" in operation["responses"]
    # Only generation needs a tier: the plan resource itself is any tier's.
    assert "403" not in spec["paths"]["/training/plans"]["post"]["responses"]
    choices = spec["components"]["schemas"]["PlanCustomisation"]["properties"]
    assert set(choices) == {"days", "phaseWeeks", "emphasis"}
    create = body_schema(spec, "/training/plans", "post")["properties"]
    assert {"weeklyStructure", "phases", "weeks"} <= set(create)
    assert "id" not in create
    names = {p["name"] for p in spec["paths"]["/training/plans"]["get"]["parameters"]}
    assert names == {"limit", "cursor"}


def test_insights_say_they_cost_no_ai_message(spec: Spec) -> None:
    operation = spec["paths"]["/chat/generate-insights"]["post"]
    assert "no AI message" in operation["summary"]
    assert "401" in operation["responses"]
    insight = spec["components"]["schemas"]["Insight"]["properties"]
    assert set(insight) == {"kind", "title", "text", "facts"}


def test_field_names_are_camel_case(spec: Spec) -> None:
    schemas = {
        name: schema
        for name, schema in spec["components"]["schemas"].items()
        if name not in QUOTA_SCHEMAS
    }
    names = property_names(schemas)
    assert names
    assert [name for name in names if "_" in name] == []
    quota = spec["components"]["schemas"]["Quota"]["properties"]
    assert set(quota) == {"ai_messages", "journal_entries"}


async def test_real_responses_match_the_documented_schemas(
    spec: Spec, server: LiveServer, http: httpx.AsyncClient
) -> None:
    headers = await sign_up(server, "schema")

    def check(path: str, method: str, status: int, response: httpx.Response) -> None:
        assert response.status_code == status, response.text
        schema = {**response_schema(spec, path, method, status), "components": spec["components"]}
        errors = [error.message for error in OAS31Validator(schema).iter_errors(
            response.json())]  # fmt: skip
        assert errors == [], (method, path)

    created = await http.post("/journal/entries", json=entry(), headers=headers)
    check("/journal/entries", "post", 201, created)
    one = f"/journal/entries/{created.json()['id']}"
    check("/journal/entries/{id}", "get", 200, await http.get(one, headers=headers))
    check("/journal/entries", "get", 200, await http.get("/journal/entries", headers=headers))
    send = {"grade": "V7", "date": "2025-06-01", "significance": "milestone"}
    check("/benchmarks/sends", "post", 201,
          await http.post("/benchmarks/sends", json=send, headers=headers))  # fmt: skip
    check("/benchmarks/sends", "get", 200, await http.get("/benchmarks/sends", headers=headers))
    goal = {"type": "grade", "description": "V8", "targetGrade": "V8", "discipline": "boulder"}
    check("/athlete/goals", "post", 201,
          await http.post("/athlete/goals", json=goal, headers=headers))  # fmt: skip
    check("/athlete/goals", "get", 200, await http.get("/athlete/goals", headers=headers))
    check("/athlete/profile", "get", 200, await http.get("/athlete/profile", headers=headers))
    check("/athlete/profile", "put", 200,
          await http.put("/athlete/profile", json={"age": 30, "version": 0},
                         headers=headers))  # fmt: skip
    check("/users/profile", "get", 200, await http.get("/users/profile", headers=headers))
    check("/users/export", "get", 200, await http.get("/users/export", headers=headers))
    check("/chat/history", "get", 200, await http.get("/chat/history", headers=headers))
    plan = await http.post("/training/generate-plan", json={}, headers=headers)
    check("/training/generate-plan", "post", 201, plan)
    check("/training/plans/{id}", "get", 200,
          await http.get(f"/training/plans/{plan.json()['id']}", headers=headers))  # fmt: skip
    check("/training/plans", "get", 200, await http.get("/training/plans", headers=headers))
    insights = await http.post("/chat/generate-insights", json={}, headers=headers)
    check("/chat/generate-insights", "post", 200, insights)
    check("/nutrition/profile", "get", 200, await http.get("/nutrition/profile", headers=headers))
    nutrition = {"weight": 68, "heightCm": 170, "age": 30, "sex": "female", "version": 0}
    check("/nutrition/profile", "put", 200,
          await http.put("/nutrition/profile", json=nutrition, headers=headers))  # fmt: skip
    check("/nutrition/profile", "get", 200, await http.get("/nutrition/profile", headers=headers))
    meals = [{"mealType": "lunch", "calories": 600, "proteinG": 40}]
    day = {"date": "2025-06-01", "meals": meals, "hydrationMl": 1500}
    check("/nutrition/logs", "post", 201,
          await http.post("/nutrition/logs", json=day, headers=headers))  # fmt: skip
    check("/nutrition/logs", "get", 200,
          await http.get("/nutrition/logs", params={"date": "2025-06-01"},
                         headers=headers))  # fmt: skip
    check("/nutrition/logs/{date}", "put", 200,
          await http.put("/nutrition/logs/2025-06-01", json={**day, "version": 1},
                         headers=headers))  # fmt: skip
    check("/nutrition/insights", "get", 200,
          await http.get("/nutrition/insights", params={"from": "2025-05-30", "to": "2025-06-02"},
                         headers=headers))  # fmt: skip
    invalid = await http.post("/journal/entries", json=entry(rpe=11), headers=headers)
    check("/journal/entries", "post", 422, invalid)
    check("/journal/entries", "get", 401, await http.get("/journal/entries"))


def test_an_upload_documents_its_form(spec: Spec) -> None:
    body = spec["paths"]["/users/import"]["post"]["requestBody"]["content"]
    schema = schema_of(spec, body["multipart/form-data"]["schema"])
    assert schema["properties"]["file"]["format"] == "binary"
    assert schema["required"] == ["file"]
