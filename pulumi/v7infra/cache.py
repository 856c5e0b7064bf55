"""Redis for quotas: an ElastiCache Valkey replication group reachable only from the tasks.

TLS in transit, AUTH token (a secret config value, never in code), encryption at rest with the
data key, private subnets only. The full `rediss://` URL — token included — is stored in Secrets
Manager and injected into the container as `V7_REDIS_URL`, so it never appears in the task
definition or the logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pulumi_aws as aws

import pulumi
from v7infra.config import StackConfig
from v7infra.network import REDIS_PORT, Network, SecurityGroups


@dataclass(frozen=True)
class Cache:
    group: aws.elasticache.ReplicationGroup
    url_secret: aws.secretsmanager.Secret
    node_ids: tuple[str, ...]


def redis_url(host: str, token: str) -> str:
    """The URL the server's Redis client opens: TLS, AUTH token as the password, db 0."""
    return f"rediss://:{quote(token, safe='')}@{host}:{REDIS_PORT}/0"


def build_cache(
    cfg: StackConfig,
    network: Network,
    groups: SecurityGroups,
    key: aws.kms.Key,
    auth_token: pulumi.Output[str],
) -> Cache:
    subnets = aws.elasticache.SubnetGroup(
        "redis", subnet_ids=network.private_subnet_ids, description="private subnets only"
    )
    group_id = f"{cfg.name_prefix}-redis"
    multi_node = cfg.redis_nodes > 1
    group = aws.elasticache.ReplicationGroup(
        "redis",
        replication_group_id=group_id,
        description=f"{cfg.name_prefix} quotas and rate limits",
        engine="valkey",
        engine_version=cfg.redis_engine_version,
        node_type=cfg.redis_node_type,
        num_cache_clusters=cfg.redis_nodes,
        automatic_failover_enabled=multi_node,
        multi_az_enabled=multi_node,
        port=REDIS_PORT,
        subnet_group_name=subnets.name,
        security_group_ids=[groups.redis.id],
        transit_encryption_enabled=True,
        transit_encryption_mode="required",
        at_rest_encryption_enabled=True,
        kms_key_id=key.arn,
        auth_token=auth_token,
        snapshot_retention_limit=1,
        apply_immediately=False,
    )
    secret = aws.secretsmanager.Secret(
        "redis-url",
        name_prefix=f"{cfg.name_prefix}/redis-url-",
        kms_key_id=key.arn,
        description="V7_REDIS_URL for the service (contains the AUTH token)",
    )
    aws.secretsmanager.SecretVersion(
        "redis-url",
        secret_id=secret.id,
        # Secret because the token is: secretness propagates through apply.
        secret_string=pulumi.Output.all(group.primary_endpoint_address, auth_token).apply(
            lambda parts: redis_url(parts[0], parts[1])
        ),
    )
    # ElastiCache names member nodes <group id>-001, -002, … in creation order.
    node_ids = tuple(f"{group_id}-{index:03d}" for index in range(1, cfg.redis_nodes + 1))
    return Cache(group=group, url_secret=secret, node_ids=node_ids)
