"""Run the real Pulumi program under the SDK's mocks and record every resource it declares.

No Pulumi CLI and no AWS account: `pulumi.runtime.set_mocks` replaces the engine, the mocks
answer the two data-source calls the program makes, and each resource's inputs are recorded
exactly as the program passed them (camelCase, as the engine sees them). Config comes from the
real `Pulumi.yaml` defaults overlaid with the real `Pulumi.<stack>.yaml`.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import pulumi

PROGRAM_DIR = Path(__file__).resolve().parent.parent
PROJECT = "v7"
ACCOUNT_ID = "123456789012"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
# Secrets are never committed; tests supply stand-ins through the same config keys.
TEST_SECRETS = {f"{PROJECT}:redisAuthToken": "test-only-token-0123456789abcdef"}
# Set at deploy time (`pulumi config set imageTag <git sha>`), so no stack file carries it.
DEPLOY_VALUES = {f"{PROJECT}:imageTag": "3f2a9c1"}


# How the engine marks a secret value in resource inputs (pulumi.runtime.rpc's signature).
SECRET_SIGNATURE = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


def secret_value(value: object) -> str:
    """The plaintext of an input the engine received as a secret; raises if it was not secret."""
    if not (isinstance(value, dict) and value.get(SECRET_SIGNATURE[0]) == SECRET_SIGNATURE[1]):
        raise AssertionError(f"expected a secret input, got {type(value).__name__}")
    plaintext = value["value"]
    assert isinstance(plaintext, str)
    return plaintext


@dataclass(frozen=True)
class Created:
    type: str
    name: str
    id: str
    inputs: dict[str, Any]


@dataclass
class Built:
    """One stack as declared: its resources by (type, name) and its resolved outputs."""

    resources: dict[tuple[str, str], Created] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Created]:
        return [r for (t, _), r in sorted(self.resources.items()) if t == type_]

    def one(self, type_: str, name: str) -> Created:
        return self.resources[(type_, name)]

    def by_id(self, resource_id: str) -> Created:
        return next(r for r in self.resources.values() if r.id == resource_id)


def _computed(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Plausible provider-computed outputs, so dependants receive concrete strings."""
    service = type_.split(":")[1].split("/")[0]
    arn = f"arn:aws:{service}:us-east-1:{ACCOUNT_ID}:{name}"
    outputs: dict[str, Any] = {"arn": arn, "arnSuffix": f"app/{name}/0123456789abcdef"}
    if type_ == "aws:s3/bucket:Bucket":
        outputs["bucket"] = f"{inputs.get('bucketPrefix', '')}0001"
        outputs["arn"] = f"arn:aws:s3:::{outputs['bucket']}"
    if type_ == "aws:ecr/repository:Repository":
        outputs["repositoryUrl"] = f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/{inputs['name']}"
    if type_ == "aws:elasticache/replicationGroup:ReplicationGroup":
        outputs["primaryEndpointAddress"] = f"master.{inputs['replicationGroupId']}.cache"
    if type_ == "aws:kms/key:Key":
        outputs["keyId"] = f"{name}-key-id"
    if type_ == "aws:cognito/userPool:UserPool":
        outputs["id"] = f"us-east-1_{name}"
        outputs["arn"] = f"arn:aws:cognito-idp:us-east-1:{ACCOUNT_ID}:userpool/us-east-1_{name}"
    return {**outputs, **inputs}


def arn_of(created: Created) -> str:
    """The ARN the mocks give a declared resource (what its dependants received)."""
    arn: str = _computed(created.type, created.name, created.inputs)["arn"]
    return arn


class Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.built = Built()

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        outputs = _computed(args.typ, args.name, dict(args.inputs))
        # A resource whose id has a shape of its own (a user pool's "region_…") gets that id.
        resource_id = str(outputs.get("id", f"{args.name}-id"))
        self.built.resources[(args.typ, args.name)] = Created(
            type=args.typ, name=args.name, id=resource_id, inputs=dict(args.inputs)
        )
        return resource_id, outputs

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":  # noqa: S105
            return {"names": ZONES, "zoneIds": ZONES, "id": "us-east-1"}, []
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":  # noqa: S105
            arn = f"arn:aws:iam::{ACCOUNT_ID}:user/deployer"
            return {"accountId": ACCOUNT_ID, "arn": arn, "userId": "AID", "id": ACCOUNT_ID}, []
        raise NotImplementedError(f"the program made an unexpected call: {args.token}")


def _as_config_string(value: object) -> str:
    """What the Pulumi CLI hands a program: strings as is, anything else JSON-encoded."""
    return value if isinstance(value, str) else json.dumps(value)


def stack_config(stack: str) -> dict[str, str]:
    """`Pulumi.yaml` defaults overlaid with `Pulumi.<stack>.yaml`, as `namespace:key` strings."""
    project = yaml.safe_load((PROGRAM_DIR / "Pulumi.yaml").read_text())
    values = {
        f"{PROJECT}:{key}": _as_config_string(spec["default"])
        for key, spec in project.get("config", {}).items()
    }
    stack_file = yaml.safe_load((PROGRAM_DIR / f"Pulumi.{stack}.yaml").read_text())
    values.update({k: _as_config_string(v) for k, v in stack_file["config"].items()})
    return values


def _declare(stack: str, config: dict[str, str]) -> Built:
    from v7infra import config as stack_settings
    from v7infra import program

    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project=PROJECT, stack=stack, preview=False)
    pulumi.runtime.set_all_config(
        {**DEPLOY_VALUES, **config, **TEST_SECRETS}, secret_keys=list(TEST_SECRETS)
    )

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def declare() -> pulumi.Output[list[Any]]:
        settings = stack_settings.load()
        outputs = program.build(settings, stack_settings.load_secrets(settings))
        names = list(outputs)
        return pulumi.Output.all(*outputs.values()).apply(
            lambda values: recorder.built.outputs.update(zip(names, values, strict=True)) or values
        )

    declare()
    return recorder.built


def _in_own_loop(stack: str, config: dict[str, str]) -> Built:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return _declare(stack, config)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def build_stack(stack: str, config: dict[str, str]) -> Built:
    """Declare the whole program for `stack` with `config`; returns what it declared.

    Runs on a worker thread with an event loop of its own: the Pulumi SDK drives whichever loop
    is current, and the main thread's belongs to pytest-asyncio's session.
    """
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(_in_own_loop, stack, config).result()
