"""CloudWatch: the service's log group and the alarms an operator is paged on.

Every alarm notifies `alarmTopicArn` when one is configured, and treats missing data as "not
breaching" (no traffic is not an outage; the unhealthy-hosts alarm covers a dead service).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi_aws as aws

import pulumi
from v7infra.config import StackConfig


def build_log_group(cfg: StackConfig) -> aws.cloudwatch.LogGroup:
    return aws.cloudwatch.LogGroup(
        "service",
        name=f"/ecs/{cfg.name_prefix}",
        retention_in_days=cfg.log_retention_days,
    )


def _alarm(
    cfg: StackConfig,
    name: str,
    *,
    description: str,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, pulumi.Input[str]],
    threshold: float,
    statistic: str = "Sum",
    evaluation_periods: int = 3,
) -> aws.cloudwatch.MetricAlarm:
    actions = [cfg.alarm_topic_arn] if cfg.alarm_topic_arn else []
    return aws.cloudwatch.MetricAlarm(
        name,
        alarm_description=description,
        namespace=namespace,
        metric_name=metric,
        dimensions=dict(dimensions),
        statistic=statistic,
        period=60,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=evaluation_periods,
        threshold=threshold,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="notBreaching",
        alarm_actions=actions,
        ok_actions=actions,
    )


def build_alarms(
    cfg: StackConfig,
    *,
    alb_suffix: pulumi.Output[str],
    target_group_suffix: pulumi.Output[str],
    table_name: pulumi.Output[str],
    redis_node_ids: tuple[str, ...],
) -> list[aws.cloudwatch.MetricAlarm]:
    alb = {"LoadBalancer": alb_suffix}
    alarms = [
        _alarm(
            cfg,
            "alb-5xx",
            description="The load balancer answers 5xx (no healthy task, or a task failing)",
            namespace="AWS/ApplicationELB",
            metric="HTTPCode_ELB_5XX_Count",
            dimensions=alb,
            threshold=cfg.alarm_server_errors_per_minute,
        ),
        _alarm(
            cfg,
            "target-5xx",
            description="The service itself answers 5xx",
            namespace="AWS/ApplicationELB",
            metric="HTTPCode_Target_5XX_Count",
            dimensions=alb,
            threshold=cfg.alarm_server_errors_per_minute,
        ),
        _alarm(
            cfg,
            "unhealthy-tasks",
            description="A task fails its /healthz check",
            namespace="AWS/ApplicationELB",
            metric="UnHealthyHostCount",
            dimensions={"LoadBalancer": alb_suffix, "TargetGroup": target_group_suffix},
            threshold=1,
            statistic="Maximum",
        ),
    ]
    for kind in ("Read", "Write"):
        alarms.append(
            _alarm(
                cfg,
                f"table-{kind.lower()}-throttles",
                description=f"DynamoDB throttles {kind.lower()}s on the table",
                namespace="AWS/DynamoDB",
                metric=f"{kind}ThrottleEvents",
                dimensions={"TableName": table_name},
                threshold=cfg.alarm_throttles_per_minute,
            )
        )
    # One set per model the server streams from; the default model's alarms keep their names,
    # a distinct strong or quick model (Premium's coaching, short answers) gets its own.
    watched = {"": cfg.model_id, "strong-": cfg.strong_model, "quick-": cfg.quick_model}
    for label, model_id in watched.items():
        if label and model_id == cfg.model_id:
            continue
        for metric in ("InvocationServerErrors", "InvocationThrottles", "InvocationClientErrors"):
            alarms.append(
                _alarm(
                    cfg,
                    f"bedrock-{label}{metric.removeprefix('Invocation').lower()}",
                    description=f"Bedrock {metric} for {model_id}",
                    namespace="AWS/Bedrock",
                    metric=metric,
                    dimensions={"ModelId": model_id},
                    threshold=cfg.alarm_bedrock_errors_per_minute,
                )
            )
    for node_id in redis_node_ids:
        alarms.append(
            _alarm(
                cfg,
                f"redis-memory-{node_id.rsplit('-', 1)[-1]}",
                description=f"Redis node {node_id} memory is filling up (quotas would fail)",
                namespace="AWS/ElastiCache",
                metric="DatabaseMemoryUsagePercentage",
                dimensions={"CacheClusterId": node_id},
                threshold=cfg.alarm_redis_memory_percent,
                statistic="Maximum",
            )
        )
    return alarms
