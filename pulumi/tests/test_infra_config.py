"""Config validation: a bad value stops the deploy before any resource is declared."""

from __future__ import annotations

import json
from typing import Any

import pytest
from infra_harness import DEPLOY_VALUES, Built, stack_config
from pydantic import ValidationError
from v7infra.compute import task_workers
from v7infra.config import StackConfig
from v7infra.iam import bedrock_arns


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
        {"strongModelId": "us.anthropic.*"},
        {"quickModelId": "Haiku please"},
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


def test_each_named_model_is_granted_once_and_unset_ones_are_the_default() -> None:
    prod = StackConfig.model_validate(_prod_values())
    assert len(set(prod.model_ids)) == 3, "prod names a distinct strong and quick model"
    unset = StackConfig.model_validate(_prod_values(strongModelId=None, quickModelId=None))
    assert (unset.strong_model, unset.quick_model, unset.model_ids) == (
        unset.model_id,
        unset.model_id,
        (unset.model_id,),
    )
    plain = StackConfig.model_validate(
        _prod_values(modelId="anthropic.claude-x", strongModelId=None, quickModelId="amazon.nova")
    )  # foundation models, not inference profiles: one ARN each, in the stack's region
    assert bedrock_arns(plain, "123456789012") == [
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-x",
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova",
    ]


@pytest.mark.parametrize(("cpu", "workers"), [(256, 1), (512, 1), (1024, 1), (2048, 2), (4096, 4)])
def test_a_task_runs_one_server_process_per_whole_vcpu(cpu: int, workers: int) -> None:
    cfg = StackConfig.model_validate(_prod_values(taskCpu=cpu, taskMemory=8192))
    assert task_workers(cfg) == workers


def test_the_service_tells_the_server_its_workers(prod: Built) -> None:
    container = prod.one("aws:ecs/taskDefinition:TaskDefinition", "app").inputs
    definitions = json.loads(container["containerDefinitions"])
    env = {item["name"]: item["value"] for item in definitions[0]["environment"]}
    assert env["V7_WORKERS"] == "1"  # prod's 1024 CPU units: one vCPU, one worker
