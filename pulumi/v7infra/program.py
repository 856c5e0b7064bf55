"""The whole stack, declared from one validated config; returns the stack outputs."""

from __future__ import annotations

import pulumi
from v7infra.auth import build_auth
from v7infra.cache import build_cache
from v7infra.compute import AppInputs, build_repository, build_service, task_family
from v7infra.config import Secrets, StackConfig
from v7infra.data import build_data
from v7infra.iam import build_roles
from v7infra.jobs import JobTarget, build_jobs, build_mail_identity
from v7infra.monitoring import build_alarms, build_log_group
from v7infra.network import build_network, build_security_groups

OUTPUT_NAMES = ("url", "tableName", "userPoolId", "userPoolClientId", "bucket", "repositoryUrl")


def build(cfg: StackConfig, secrets: Secrets) -> dict[str, pulumi.Output[str]]:
    """Declare every resource of the stack; the returned names are `OUTPUT_NAMES`."""
    network = build_network(cfg)
    groups = build_security_groups(cfg, network)
    data = build_data(cfg)
    cache = build_cache(cfg, network, groups, data.key, secrets.redis_auth_token)
    auth = build_auth(cfg, secrets)
    log_group = build_log_group(cfg)
    repository = build_repository(cfg)
    mail = build_mail_identity(cfg)
    roles = build_roles(
        cfg,
        table_arn=data.table.arn,
        key_arn=data.key.arn,
        repository_arn=repository.arn,
        log_group_arn=log_group.arn,
        secret_arn=cache.url_secret.arn,
        user_pool_arn=auth.pool.arn,
        mail_identity_arn=mail.arn,
        bucket_arn=data.bucket.arn,
    )
    service = build_service(
        cfg,
        repository,
        network,
        groups,
        AppInputs(
            table_name=data.table.name,
            bucket_name=data.bucket.bucket,
            user_pool_id=auth.pool.id,
            client_id=auth.client.id,
            redis_url_secret_arn=cache.url_secret.arn,
            log_group_name=log_group.name,
            task_role_arn=roles.task.arn,
            execution_role_arn=roles.execution.arn,
        ),
    )
    build_jobs(
        cfg,
        JobTarget(
            cluster_arn=service.cluster.arn,
            task_definition_arn=service.task.arn,
            task_family=task_family(cfg),
            subnet_ids=network.private_subnet_ids,
            security_group_id=groups.tasks.id,
            task_role_arn=roles.task.arn,
            execution_role_arn=roles.execution.arn,
        ),
    )
    build_alarms(
        cfg,
        alb_suffix=service.alb.arn_suffix,
        target_group_suffix=service.target_group.arn_suffix,
        table_name=data.table.name,
        redis_node_ids=cache.node_ids,
    )
    return {
        "url": pulumi.Output.from_input(f"https://{cfg.domain_name}"),
        "tableName": data.table.name,
        "userPoolId": auth.pool.id,
        "userPoolClientId": auth.client.id,
        "bucket": data.bucket.bucket,
        "repositoryUrl": repository.repository_url,
    }
