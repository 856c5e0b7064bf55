"""Config validation: a bad value stops the deploy before any resource is declared."""

from __future__ import annotations

import json
from typing import Any

import pytest
from infra_harness import DEPLOY_VALUES, Built, stack_config
from pydantic import ValidationError
from v7infra.config import StackConfig


def _prod_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in {**DEPLOY_VALUES, **stack_config("prod")}.items():
        name = key.partition(":")[2]
        field = next(f for f in StackConfig.model_fields.values() if f.alias == name)
        values[name] = raw if field.annotation in (str, str | None) else json.loads(raw)
    return {**values, **overrides}


def test_the_prod_file_is_valid() -> None:
    assert StackConfig.model_validate(_prod_values()).deletion_protection is True


@pytest.mark.parametrize(
    "override",
    [
        {"idleTimeoutSeconds": 120},  # shorter than a quiet socket lives
        {"modelArns": ["arn:aws:bedrock:us-east-1::foundation-model/*"]},
        {"modelArns": ["*"]},
        {"minTasks": 4, "maxTasks": 2},
        {"natGateways": 3, "azCount": 2},
        {"existingVpcId": "vpc-0123"},  # without its CIDR and subnets
        {"appleTeamId": "TEAM"},  # Apple sign-in half configured
        {"imageTag": "bad tag"},
        {"certificateArn": "arn:aws:iam::123456789012:server-certificate/x"},
    ],
)
def test_unsafe_or_inconsistent_values_are_rejected(override: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        StackConfig.model_validate(_prod_values(**override))


def test_the_service_runs_the_configured_image(prod: Built) -> None:
    task = prod.one("aws:ecs/taskDefinition:TaskDefinition", "app")
    (container,) = json.loads(task.inputs["containerDefinitions"])
    tag = DEPLOY_VALUES["v7:imageTag"]
    assert container["image"] == f"{prod.outputs['repositoryUrl']}:{tag}"
