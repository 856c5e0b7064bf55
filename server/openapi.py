"""`/openapi.json`, generated from the endpoints' own pydantic models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from server.api import Endpoint

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
            "required": ["code", "message"],
        }
    },
}
_STATUS_TEXT = {
    400: "bad request (e.g. a malformed pagination cursor)",
    403: "the feature needs another tier (tier_required)",
    409: "conflict: the item changed meanwhile, or already exists",
    413: "body too large",
    428: "the expected version is missing",
}
_STANDARD_ERRORS = {
    "401": "missing, invalid or expired token",
    "404": "no such item (also for another user's item)",
    "422": "invalid input, with field errors",
    "429": "quota or rate limit reached; see Retry-After",
}


def openapi(endpoints: Sequence[Endpoint], *, title: str, version: str) -> dict[str, Any]:
    # Request bodies and query strings are documented as clients send them (validation mode:
    # a grade may be a plain "V5"); responses as the server sends them (serialization mode).
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = []
    for endpoint in endpoints:
        for model, mode in (
            (endpoint.body, "validation"),
            (endpoint.query, "validation"),
            (endpoint.response, "serialization"),
            (endpoint.form, "validation"),
        ):
            if model is not None and (model, mode) not in wanted:
                wanted.append((model, mode))  # type: ignore[arg-type]
    refs, schema = models_json_schema(
        wanted, by_alias=True, ref_template="#/components/schemas/{model}"
    )
    components: dict[str, Any] = dict(schema.get("$defs", {}))
    components["Error"] = _ERROR

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(refs[(model, mode)])

    def query_properties(model: type[BaseModel]) -> tuple[dict[str, Any], set[str]]:
        name = ref(model, "validation")["$ref"].rsplit("/", 1)[1]
        definition = components[name]
        return definition.get("properties", {}), set(definition.get("required", []))

    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation: dict[str, Any] = {"summary": endpoint.summary, "tags": list(endpoint.tags)}
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _path_names(endpoint.path)
        ]
        if endpoint.query is not None:
            properties, required = query_properties(endpoint.query)
            for name, prop in properties.items():
                parameters.append(
                    {"name": name, "in": "query", "required": name in required, "schema": prop}
                )
        if parameters:
            operation["parameters"] = parameters
        if endpoint.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(endpoint.body, "validation")}},
            }
        if endpoint.form is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"multipart/form-data": {"schema": ref(endpoint.form, "validation")}},
            }
        responses: dict[str, Any] = {}
        if endpoint.response is not None:
            responses[str(endpoint.status)] = {
                "description": "OK",
                "content": {
                    "application/json": {"schema": ref(endpoint.response, "serialization")}
                },
            }
        else:
            responses["204" if endpoint.status == 200 else str(endpoint.status)] = {
                "description": "done"
            }
        documented = dict(_STANDARD_ERRORS)
        documented.update({str(code): _STATUS_TEXT.get(code, "error") for code in endpoint.errors})
        for status, text in documented.items():
            if status == "401" and not endpoint.auth:
                continue
            responses[status] = {
                "description": text,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        if endpoint.auth:
            operation["security"] = [{"bearer": []}]
            if endpoint.takes_api_tokens:
                operation["security"].append({"apiToken": []})
        operation["responses"] = responses
        paths.setdefault(_openapi_path(endpoint.path), {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "v7_pat_…",
                    "description": "A personal API token (Premium), made under API tokens or "
                    "with POST /users/tokens. Scope read: GET only; write: every method. "
                    "Refused on /auth/*, /users/tokens, PUT and DELETE /users/profile, and the "
                    "WebSocket; its calls have their own rate limit (api_calls).",
                },
            },
        },
    }


def _path_names(path: str) -> list[str]:
    return [part[1:-1].split(":")[0] for part in path.split("/") if part.startswith("{")]


def _openapi_path(path: str) -> str:
    return "/".join(
        "{" + part[1:-1].split(":")[0] + "}" if part.startswith("{") else part
        for part in path.split("/")
    )
