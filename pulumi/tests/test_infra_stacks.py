"""The three stacks differ exactly where their Pulumi.<stack>.yaml files differ, nowhere else."""

from __future__ import annotations

import itertools
from fnmatch import fnmatchcase

import pytest
from infra_diff import Path, diff
from infra_harness import PROJECT, Built, build_stack, stack_config
from v7infra.config import StackConfig

STACKS = ("dev", "staging", "prod")
KNOWN_KEYS = {f"{PROJECT}:{f.alias}" for f in StackConfig.model_fields.values()} | {"aws:region"}

# What each config key controls, as "type name path" glob patterns over the declared inputs.
# A difference between two stacks must match a pattern of a key whose value differs.
EFFECTS: dict[str, tuple[str, ...]] = {
    "v7:namePrefix": (
        "* * name",
        "* * description",
        "* * tags.Name",
        "* * family",
        "* * repository",
        "* * namePrefix",
        "* * bucketPrefix",
        "* * replicationGroupId",
        "* * resourceId",
        "* * alarmDescription",
        "*dimensions.CacheClusterId",
        "*dimensions.TableName",
        "*metricStat.metric.dimensions.ClusterName.value",
        "*metricStat.metric.dimensions.ServiceName.value",
        "* app containerDefinitions.app.image",
        "* app containerDefinitions.app.logConfiguration.options.awslogs-group",
        "* app containerDefinitions.app.environment.V7_STORE_URL.value",
        "* app containerDefinitions.app.environment.V7_MEDIA_BUCKET.value",
        "aws:s3/bucketPolicy:BucketPolicy media policy.Statement[[]0].Resource*",
        "aws:iam/rolePolicy:RolePolicy scheduler policy.Statement[[]0].Resource*",
        # The task role's media statements (objects, then the bucket) name the bucket.
        "aws:iam/rolePolicy:RolePolicy task policy.Statement[[]5].Resource*",
        "aws:iam/rolePolicy:RolePolicy task policy.Statement[[]6].Resource*",
        "* redis-url secretString.value",
        "aws:cloudwatch/metricAlarm:MetricAlarm redis-memory-* *",
    ),
    "v7:domainName": (
        "* * corsRules[[]0].allowedOrigins*",
        "* app containerDefinitions.app.environment.V7_ALLOWED_ORIGINS.value",
        # Email goes from coach@domainName unless mailFromAddress says otherwise.
        "* app containerDefinitions.app.environment.V7_MAIL_FROM.value",
        "aws:sesv2/emailIdentity:EmailIdentity mail emailIdentity",
    ),
    "v7:mailFromAddress": (
        "* app containerDefinitions.app.environment.V7_MAIL_FROM.value",
        "aws:sesv2/emailIdentity:EmailIdentity mail emailIdentity",
    ),
    # The named models: their setting, the task role's Bedrock grant (statement 0), and
    # their own error alarms.
    **{
        f"v7:{key}": (
            f"* app containerDefinitions.app.environment.{variable}.value",
            "aws:iam/rolePolicy:RolePolicy task policy.Statement[[]0].Resource*",
            f"aws:cloudwatch/metricAlarm:MetricAlarm bedrock-{label}-* *",
        )
        for key, variable, label in (
            ("strongModelId", "V7_STRONG_MODEL", "strong"),
            ("quickModelId", "V7_QUICK_MODEL", "quick"),
        )
    },
    "v7:certificateArn": ("aws:lb/listener:Listener https certificateArn",),
    "v7:vpcCidr": (
        "aws:ec2/vpc:Vpc vpc cidrBlock",
        "aws:ec2/subnet:Subnet * cidrBlock",
        "* app containerDefinitions.app.environment.V7_FORWARDED_ALLOW_IPS.value",
    ),
    "v7:natGateways": (
        "aws:ec2/eip:Eip nat-* *",
        "aws:ec2/natGateway:NatGateway nat-* *",
        "aws:ec2/routeTable:RouteTable private-rt-* routes[[]0].natGatewayId",
    ),
    "v7:minTasks": (
        "aws:appautoscaling/target:Target service minCapacity",
        "aws:ecs/service:Service app desiredCount",
    ),
    "v7:maxTasks": ("aws:appautoscaling/target:Target service maxCapacity",),
    "v7:taskCpu": (
        "aws:ecs/taskDefinition:TaskDefinition app cpu",
        "* app containerDefinitions.app.environment.V7_WORKERS.value",
    ),
    "v7:taskMemory": ("aws:ecs/taskDefinition:TaskDefinition app memory",),
    "v7:redisNodeType": ("* redis nodeType",),
    "v7:redisNodes": (
        "* redis numCacheClusters",
        "* redis automaticFailoverEnabled",
        "* redis multiAzEnabled",
        "aws:cloudwatch/metricAlarm:MetricAlarm redis-memory-* *",
    ),
    "v7:deletionProtection": (
        "* table deletionProtectionEnabled",
        "* alb enableDeletionProtection",
        "* users deletionProtection",
    ),
    "v7:logRetentionDays": ("aws:cloudwatch/logGroup:LogGroup service retentionInDays",),
    "v7:alarmServerErrorsPerMinute": (
        "aws:cloudwatch/metricAlarm:MetricAlarm alb-5xx threshold",
        "aws:cloudwatch/metricAlarm:MetricAlarm target-5xx threshold",
    ),
    "v7:alarmTopicArn": (
        "aws:cloudwatch/metricAlarm:MetricAlarm * alarmActions*",
        "aws:cloudwatch/metricAlarm:MetricAlarm * okActions*",
    ),
}


def _explained(path: Path, keys: set[str]) -> bool:
    text = " ".join(path)
    return any(fnmatchcase(text, pattern) for key in keys for pattern in EFFECTS.get(key, ()))


@pytest.mark.parametrize("stack", STACKS)
def test_every_configured_key_is_one_the_program_reads(stack: str) -> None:
    assert set(stack_config(stack)) <= KNOWN_KEYS


def test_the_stack_name_alone_changes_nothing(stacks: dict[str, Built]) -> None:
    """Declaring dev's config under the name "prod" yields dev, so no code branches on it."""
    impostor = build_stack("prod", stack_config("dev"))
    assert diff(impostor, stacks["dev"]) == set()


@pytest.mark.parametrize(("left", "right"), list(itertools.combinations(STACKS, 2)))
def test_stacks_differ_only_where_their_config_differs(
    stacks: dict[str, Built], left: str, right: str
) -> None:
    a, b = stack_config(left), stack_config(right)
    changed = {key for key in a.keys() | b.keys() if a.get(key) != b.get(key)}
    differences = diff(stacks[left], stacks[right])
    unexplained = sorted(p for p in differences if not _explained(p, changed))
    assert unexplained == []
    # And every key that differs shows up somewhere: no configured value is silently ignored.
    silent = sorted(
        key for key in changed if not any(_explained(path, {key}) for path in differences)
    )
    assert silent == []
