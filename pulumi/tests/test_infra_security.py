"""Every security property the deployment promises, checked on each real stack's resources."""

from __future__ import annotations

import json
from typing import Any

import pytest
from infra_harness import TEST_SECRETS, Built, secret_value, stack_config

STACKS = ("dev", "staging", "prod")
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _policy(built: Built, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        built.one("aws:iam/rolePolicy:RolePolicy", name).inputs["policy"]
    )
    return document


def _container(built: Built) -> dict[str, Any]:
    task = built.one("aws:ecs/taskDefinition:TaskDefinition", "app")
    definitions: list[dict[str, Any]] = json.loads(task.inputs["containerDefinitions"])
    assert len(definitions) == 1
    return definitions[0]


@pytest.mark.parametrize("stack", STACKS)
def test_table_is_encrypted_recoverable_and_expires_items(
    stacks: dict[str, Built], stack: str
) -> None:
    built = stacks[stack]
    table = built.one("aws:dynamodb/table:Table", "table").inputs
    key = built.one("aws:kms/key:Key", "data-key")
    assert table["serverSideEncryption"]["enabled"] is True
    assert (
        table["serverSideEncryption"]["kmsKeyArn"]
        == f"arn:aws:kms:us-east-1:123456789012:{key.name}"
    )
    assert key.inputs["enableKeyRotation"] is True
    assert table["pointInTimeRecovery"] == {"enabled": True}
    assert table["ttl"] == {"attributeName": "ttl", "enabled": True}
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert (table["hashKey"], table["rangeKey"]) == ("pk", "sk")
    indexes = {index["name"]: index for index in table["globalSecondaryIndexes"]}
    assert sorted(indexes) == ["gsi1", "gsi2"]
    for name, index in indexes.items():
        keys = {k["keyType"]: k["attributeName"] for k in index["keySchemas"]}
        assert keys == {"HASH": f"{name}pk", "RANGE": f"{name}sk"}
        assert index["projectionType"] == "ALL"


def test_deletion_protection_only_in_prod(stacks: dict[str, Built]) -> None:
    protected = {
        name: (
            built.one("aws:dynamodb/table:Table", "table").inputs["deletionProtectionEnabled"],
            built.one("aws:lb/loadBalancer:LoadBalancer", "alb").inputs["enableDeletionProtection"],
            built.one("aws:cognito/userPool:UserPool", "users").inputs["deletionProtection"],
        )
        for name, built in stacks.items()
    }
    assert protected == {
        "dev": (False, False, "INACTIVE"),
        "staging": (False, False, "INACTIVE"),
        "prod": (True, True, "ACTIVE"),
    }


@pytest.mark.parametrize("stack", STACKS)
def test_media_bucket_is_private_encrypted_and_tls_only(
    stacks: dict[str, Built], stack: str
) -> None:
    built = stacks[stack]
    block = built.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "media").inputs
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block[flag] is True for flag in flags)
    sse = built.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "media",
    ).inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert sse["sseAlgorithm"] == "aws:kms"
    assert sse["kmsMasterKeyId"].startswith("arn:aws:kms:")
    policy = json.loads(built.one("aws:s3/bucketPolicy:BucketPolicy", "media").inputs["policy"])
    bucket = built.outputs["bucket"]
    denials = [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert len(denials) == 1
    assert set(denials[0]["Resource"]) == {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"}
    assert denials[0]["Action"] == "s3:*"
    assert not [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    rules = built.one(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "media"
    ).inputs["rules"]
    assert [t["storageClass"] for r in rules for t in r["transitions"]] == ["STANDARD_IA"]
    cors = built.one("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", "media").inputs
    (rule,) = cors["corsRules"]
    assert "PUT" in rule["allowedMethods"]
    assert rule["allowedOrigins"] == [built.outputs["url"]]


@pytest.mark.parametrize("stack", STACKS)
def test_task_role_names_every_action_and_resource(stacks: dict[str, Built], stack: str) -> None:
    built = stacks[stack]
    statements = _policy(built, "task")["Statement"]
    for statement in statements:
        assert statement["Effect"] == "Allow"
        for action in _as_list(statement["Action"]):
            assert "*" not in action, statement
        for resource in _as_list(statement["Resource"]):
            assert resource != "*", statement
            assert not resource.endswith(":*"), statement
            assert "*" not in resource.removesuffix("/*"), statement
    bedrock = [s for s in statements if any(a.startswith("bedrock:") for a in s["Action"])]
    assert len(bedrock) == 1
    # Which actions: exactly the calls the code makes (test_contract.py).
    # Which models: exactly the stack's default, strong and quick ones (unset: modelId).
    config = stack_config(stack)
    default = config["v7:modelId"]
    models = {config.get(f"v7:{key}", default) for key in ("strongModelId", "quickModelId")}
    models.add(default)
    regions = json.loads(config["v7:modelRegions"])
    assert sorted(bedrock[0]["Resource"]) == sorted(
        [f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{model}" for model in models]
        + [
            f"arn:aws:bedrock:{region}::foundation-model/{model.removeprefix('us.')}"
            for model in models
            for region in regions
        ]
    )
    table_arn = "arn:aws:dynamodb:us-east-1:123456789012:table"
    dynamo = {
        r for s in statements if s["Action"][0].startswith("dynamodb:") for r in s["Resource"]
    }
    assert dynamo == {table_arn, f"{table_arn}/index/gsi1", f"{table_arn}/index/gsi2"}
    bucket_arn = f"arn:aws:s3:::{built.outputs['bucket']}"
    s3 = {r for s in statements if s["Action"][0].startswith("s3:") for r in s["Resource"]}
    assert s3 == {bucket_arn, f"{bucket_arn}/*"}  # the objects, and listing a prefix
    pool_arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_users"  # the pool's
    cognito = {
        r for s in statements if s["Action"][0].startswith("cognito-idp:") for r in s["Resource"]
    }
    assert cognito == {pool_arn}


def test_execution_role_reads_only_the_redis_secret(prod: Built) -> None:
    statements = _policy(prod, "execution")["Statement"]
    secret = prod.one("aws:secretsmanager/secret:Secret", "redis-url")
    reads = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    assert [s["Resource"] for s in reads] == [
        [f"arn:aws:secretsmanager:us-east-1:123456789012:{secret.name}"]
    ]
    # Only the registry token (which has no resource-level permissions) is granted on "*".
    assert [s["Action"] for s in statements if "*" in s["Resource"]] == [
        ["ecr:GetAuthorizationToken"]
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_load_balancer_keeps_sockets_and_forces_https(stacks: dict[str, Built], stack: str) -> None:
    built = stacks[stack]
    alb = built.one("aws:lb/loadBalancer:LoadBalancer", "alb").inputs
    assert alb["idleTimeout"] >= 300
    http = built.one("aws:lb/listener:Listener", "http").inputs
    (action,) = http["defaultActions"]
    assert action["type"] == "redirect"
    assert action["redirect"]["protocol"] == "HTTPS"
    assert action["redirect"]["port"] == "443"
    https = built.one("aws:lb/listener:Listener", "https").inputs
    assert https["protocol"] == "HTTPS"
    assert https["certificateArn"] == stack_config(stack)["v7:certificateArn"]
    group = built.one("aws:lb/targetGroup:TargetGroup", "app").inputs
    assert group["healthCheck"]["path"] == "/healthz"


@pytest.mark.parametrize("stack", STACKS)
def test_drain_window_is_one_value(stacks: dict[str, Built], stack: str) -> None:
    built = stacks[stack]
    container = _container(built)
    env = {e["name"]: e["value"] for e in container["environment"]}
    delay = built.one("aws:lb/targetGroup:TargetGroup", "app").inputs["deregistrationDelay"]
    assert int(env["V7_DRAIN_SECONDS"]) == delay
    assert container["stopTimeout"] > delay


@pytest.mark.parametrize("stack", STACKS)
def test_redis_is_encrypted_authenticated_and_private(stacks: dict[str, Built], stack: str) -> None:
    built = stacks[stack]
    group = built.one("aws:elasticache/replicationGroup:ReplicationGroup", "redis").inputs
    assert group["transitEncryptionEnabled"] is True
    assert group["atRestEncryptionEnabled"] is True
    # The token reaches the engine as a secret, so the state file stores it encrypted.
    assert secret_value(group["authToken"]) == TEST_SECRETS["v7:redisAuthToken"]
    subnets = built.one("aws:elasticache/subnetGroup:SubnetGroup", "redis").inputs["subnetIds"]
    assert subnets
    assert all(built.by_id(s).inputs["tags"]["tier"] == "private" for s in subnets)
    assert group["securityGroupIds"] == [
        built.one("aws:ec2/securityGroup:SecurityGroup", "redis-sg").id
    ]
    # The container gets the URL (with the token) only through Secrets Manager.
    container = _container(built)
    assert [s["name"] for s in container["secrets"]] == ["V7_REDIS_URL"]
    assert TEST_SECRETS["v7:redisAuthToken"] not in json.dumps(container)
    url = built.one("aws:secretsmanager/secretVersion:SecretVersion", "redis-url")
    host = "master.v7-" + stack + "-redis.cache"
    token = TEST_SECRETS["v7:redisAuthToken"]
    assert secret_value(url.inputs["secretString"]) == f"rediss://:{token}@{host}:6379/0"


@pytest.mark.parametrize("stack", STACKS)
def test_tasks_run_privately_on_arm64(stacks: dict[str, Built], stack: str) -> None:
    built = stacks[stack]
    service = built.one("aws:ecs/service:Service", "app").inputs
    network = service["networkConfiguration"]
    assert network["assignPublicIp"] is False
    assert network["subnets"]
    assert all(built.by_id(s).inputs["tags"]["tier"] == "private" for s in network["subnets"])
    assert all(not built.by_id(s).inputs["mapPublicIpOnLaunch"] for s in network["subnets"])
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    task = built.one("aws:ecs/taskDefinition:TaskDefinition", "app").inputs
    assert task["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    policies = {p.name: p.inputs for p in built.of_type("aws:appautoscaling/policy:Policy")}
    assert set(policies) == {"cpu", "connections"}
    metrics = policies["connections"]["targetTrackingScalingPolicyConfiguration"][
        "customizedMetricSpecification"
    ]["metrics"]
    assert "ActiveConnectionCount" in json.dumps(metrics)


@pytest.mark.parametrize("stack", STACKS)
def test_only_the_alb_reaches_tasks_and_only_tasks_reach_redis(
    stacks: dict[str, Built], stack: str
) -> None:
    built = stacks[stack]
    group = {g.name: g.id for g in built.of_type("aws:ec2/securityGroup:SecurityGroup")}
    ingress = built.of_type(SG_INGRESS)
    into = {
        name: [r.inputs for r in ingress if r.inputs["securityGroupId"] == gid]
        for name, gid in group.items()
    }
    assert [(r["referencedSecurityGroupId"], r["fromPort"]) for r in into["tasks-sg"]] == [
        (group["alb-sg"], 8000)
    ]
    assert [(r["referencedSecurityGroupId"], r["fromPort"]) for r in into["redis-sg"]] == [
        (group["tasks-sg"], 6379)
    ]
    assert all("cidrIpv4" not in r for r in into["tasks-sg"] + into["redis-sg"])
    assert sorted(r["fromPort"] for r in into["alb-sg"]) == [80, 443]


@pytest.mark.parametrize("stack", STACKS)
def test_logs_are_retained_and_alarms_watch_each_part(stacks: dict[str, Built], stack: str) -> None:
    built = stacks[stack]
    (log_group,) = built.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == int(stack_config(stack)["v7:logRetentionDays"])
    watched = {
        (a.inputs["namespace"], a.inputs["metricName"])
        for a in built.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    assert {
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/ApplicationELB", "UnHealthyHostCount"),
        ("AWS/DynamoDB", "ReadThrottleEvents"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
        ("AWS/Bedrock", "InvocationServerErrors"),
        ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"),
    } <= watched
    redis_nodes = int(stack_config(stack)["v7:redisNodes"])
    memory = [
        a
        for a in built.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs["metricName"] == "DatabaseMemoryUsagePercentage"
    ]
    assert len(memory) == redis_nodes
    # Every model the server streams from is watched for errors (strong and quick included).
    models = {
        a.inputs["dimensions"]["ModelId"]
        for a in built.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs["metricName"] == "InvocationServerErrors"
    }
    config = stack_config(stack)
    default = config["v7:modelId"]
    assert models == {default} | {
        config.get(f"v7:{key}", default) for key in ("strongModelId", "quickModelId")
    }


@pytest.mark.parametrize("stack", STACKS)
def test_service_gets_its_settings_and_outputs_are_exported(
    stacks: dict[str, Built], stack: str
) -> None:
    built = stacks[stack]
    env = {e["name"]: e["value"] for e in _container(built)["environment"]}
    outputs = built.outputs
    assert set(outputs) >= {"url", "tableName", "userPoolId", "userPoolClientId", "bucket"}
    assert env["V7_STORE_URL"] == f"dynamodb://{outputs['tableName']}?region=us-east-1"
    config = stack_config(stack)
    assert env["V7_MODEL"] == f"bedrock://{config['v7:modelId']}?region=us-east-1"
    for variable, key in (("V7_STRONG_MODEL", "strongModelId"), ("V7_QUICK_MODEL", "quickModelId")):
        model = config.get(f"v7:{key}", config["v7:modelId"])
        assert env[variable] == f"bedrock://{model}?region=us-east-1"
    assert env["V7_AUTH"] == "cognito"
    assert env["V7_COGNITO_USER_POOL_ID"] == outputs["userPoolId"]
    assert env["V7_COGNITO_CLIENT_ID"] == outputs["userPoolClientId"]
    assert env["V7_MEDIA_BUCKET"] == outputs["bucket"]
    assert env["V7_ALLOWED_ORIGINS"] == outputs["url"]
    assert env["V7_FORWARDED_ALLOW_IPS"] == stack_config(stack)["v7:vpcCidr"]
    client = built.one("aws:cognito/userPoolClient:UserPoolClient", "web").inputs
    assert "custom:tier" in client["readAttributes"]
    assert "custom:tier" not in client["writeAttributes"]
    assert client["generateSecret"] is False
