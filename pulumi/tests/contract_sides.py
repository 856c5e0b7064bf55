"""Both sides of the infrastructure/app contract, each in a shape the other can be compared with.

The infrastructure side is what a rendered stack (`infra_harness.Built`) gives its task: the
container's variables (secrets filled with what the program stores), its role's policy, the
image's command, the table's inputs. The app side is read from the app's own code: `Settings`
as `v7 serve` builds it, and the table `v7 store init` creates.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
from infra_harness import DEPLOY_VALUES, PROGRAM_DIR, Built, arn_of, secret_value, stack_config
from pydantic import ValidationError

from server.settings import Settings
from store.dynamodb_admin import POINT_IN_TIME_RECOVERY, TTL_ATTRIBUTE, create_table_request

REPO = PROGRAM_DIR.parent
TASK = "aws:ecs/taskDefinition:TaskDefinition"


def container(built: Built) -> dict[str, Any]:
    definitions: list[dict[str, Any]] = json.loads(
        built.one(TASK, "app").inputs["containerDefinitions"]
    )
    (only,) = definitions
    return only


def secret_values(built: Built) -> dict[str, str]:
    """Secrets Manager ARN -> the value the program stores in it."""
    versions = built.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    values: dict[str, str] = {}
    for secret in built.of_type("aws:secretsmanager/secret:Secret"):
        for version in versions:
            if version.inputs["secretId"] == secret.id:
                values[arn_of(secret)] = secret_value(version.inputs["secretString"])
    return values


def task_environment(built: Built) -> dict[str, str]:
    """Every variable the container starts with: its environment and its secrets, the latter
    filled with the values the program stores (the Redis URL with the test AUTH token)."""
    spec = container(built)
    env = {item["name"]: item["value"] for item in spec["environment"]}
    stored = secret_values(built)
    for secret in spec.get("secrets", []):
        assert secret["valueFrom"] in stored, (
            f"{secret['name']} comes from {secret['valueFrom']}, which the program does not "
            "create: fix pulumi/v7infra/compute.py"
        )
        env[secret["name"]] = stored[secret["valueFrom"]]
    return env


def setting_variables() -> dict[str, str]:
    """Environment variable (upper case) -> the `Settings` field it sets."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names[(alias if isinstance(alias, str) else f"{prefix}{name}").upper()] = name
    return names


@contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """Exactly `env` as the process's V7_* variables (the test runner's own removed)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.upper().startswith("V7_")]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        yield


def task_settings(built: Built) -> Settings:
    """The settings the task's server builds, read as `v7 serve` reads them (`Settings()`)."""
    with environment(task_environment(built)):
        try:
            return Settings()
        except ValidationError as error:
            problem = str(error)  # failed outside the handler: one traceback, not two
    pytest.fail(
        "the task's V7_* environment does not validate as the server's Settings; fix the value "
        "in pulumi/v7infra/compute.py, or the setting in server/settings.py if its rule is what "
        f"changed:\n{problem}"
    )


def policy(built: Built, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        built.one("aws:iam/rolePolicy:RolePolicy", name).inputs["policy"]
    )
    return document


def image_command() -> list[str]:
    """ENTRYPOINT + CMD of the Dockerfile's final stage (exec form)."""
    text = re.sub(r"\\\n", " ", (REPO / "Dockerfile").read_text())
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        keyword, _, args = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            found.clear()
        elif keyword.upper() in ("ENTRYPOINT", "CMD"):
            found[keyword.upper()] = json.loads(args)
    return found.get("ENTRYPOINT", []) + found.get("CMD", [])


def stack_values(stack: str) -> dict[str, object]:
    """The stack's config as StackConfig reads it (lists and numbers JSON-decoded)."""
    values: dict[str, object] = {k.split(":", 1)[1]: v for k, v in DEPLOY_VALUES.items()}
    for key, raw in stack_config(stack).items():
        name = key.split(":", 1)[1]
        try:
            values[name] = json.loads(raw)
        except ValueError:
            values[name] = raw
    return values


def _keys(schema: list[dict[str, str]]) -> dict[str, str]:
    return {key["KeyType"]: key["AttributeName"] for key in schema}


def init_table_layout() -> dict[str, Any]:
    """The table `v7 store init` creates, in one neutral shape."""
    request = create_table_request("t")
    return {
        "billing": request["BillingMode"],
        "keys": _keys(request["KeySchema"]),
        "attributes": {
            a["AttributeName"]: a["AttributeType"] for a in request["AttributeDefinitions"]
        },
        "indexes": {
            index["IndexName"]: {
                "keys": _keys(index["KeySchema"]),
                "projection": index["Projection"]["ProjectionType"],
                "non_key": sorted(index["Projection"].get("NonKeyAttributes", [])),
            }
            for index in request.get("GlobalSecondaryIndexes", [])
        },
        "local_indexes": sorted(i["IndexName"] for i in request.get("LocalSecondaryIndexes", [])),
        "ttl": TTL_ATTRIBUTE,
        "point_in_time_recovery": POINT_IN_TIME_RECOVERY,
    }


def _pulumi_keys(spec: Mapping[str, Any]) -> dict[str, str]:
    if "keySchemas" in spec:
        return {key["keyType"]: key["attributeName"] for key in spec["keySchemas"]}
    keys = {"HASH": spec["hashKey"]}
    if spec.get("rangeKey"):
        keys["RANGE"] = spec["rangeKey"]
    return keys


def pulumi_table_layout(table: Mapping[str, Any]) -> dict[str, Any]:
    """The Pulumi table's inputs (camelCase) in the same shape."""
    ttl = table.get("ttl") or {}
    return {
        "billing": table.get("billingMode", "PROVISIONED"),
        "keys": _pulumi_keys(table),
        "attributes": {a["name"]: a["type"] for a in table.get("attributes", [])},
        "indexes": {
            index["name"]: {
                "keys": _pulumi_keys(index),
                "projection": index["projectionType"],
                "non_key": sorted(index.get("nonKeyAttributes", [])),
            }
            for index in table.get("globalSecondaryIndexes", [])
        },
        "local_indexes": sorted(i["name"] for i in table.get("localSecondaryIndexes", [])),
        "ttl": ttl.get("attributeName") if ttl.get("enabled") else None,
        "point_in_time_recovery": bool((table.get("pointInTimeRecovery") or {}).get("enabled")),
    }
