"""The service: ECR, the ECS cluster, the ALB and the ARM64 Fargate service with autoscaling.

WebSockets shape every number here. The ALB idle timeout (>= 300 s) outlasts the server's
20-30 s pings by far; the target group's deregistration delay equals the app's drain window
(`V7_DRAIN_SECONDS`), so the ALB keeps a draining task's sockets until the app has closed them
with 1001; the ECS stop timeout exceeds that window, so SIGKILL never cuts a drain short.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi_aws as aws

import pulumi
from v7infra.config import StackConfig
from v7infra.network import APP_PORT, Network, SecurityGroups

CONTAINER = "app"
# One WebSocket through the ALB counts twice in ActiveConnectionCount (client→ALB, ALB→task).
ALB_CONNECTIONS_PER_SOCKET = 2


@dataclass(frozen=True)
class Service:
    alb: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    service: aws.ecs.Service
    cluster: aws.ecs.Cluster
    task: aws.ecs.TaskDefinition
    """The app's task definition; scheduled jobs run it too (v7infra/jobs.py)."""


@dataclass(frozen=True)
class AppInputs:
    """What the container needs from the rest of the stack."""

    table_name: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    user_pool_id: pulumi.Output[str]
    client_id: pulumi.Output[str]
    redis_url_secret_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]


def task_family(cfg: StackConfig) -> str:
    """The app's task definition family: the service and the scheduled jobs run it."""
    return f"{cfg.name_prefix}-app"


def task_workers(cfg: StackConfig) -> int:
    """`v7 serve`'s worker processes in a task: its whole vCPUs (1024 CPU units each), at
    least one. Tasks scale out by count; a worker per vCPU uses a bigger task's cores."""
    return max(1, cfg.task_cpu // 1024)


def container_environment(
    cfg: StackConfig, *, vpc_cidr: str, table: str, bucket: str, pool_id: str, client_id: str
) -> dict[str, str]:
    """The `V7_*` settings of the server (see server/settings.py), secrets excluded."""
    oauth = {}
    if cfg.oauth_providers and cfg.hosted_ui_url is not None:
        # Google/Apple sign-in through the hosted UI (config validation checked the callback)
        oauth = {
            "V7_COGNITO_DOMAIN": cfg.hosted_ui_url,
            "V7_OAUTH_PROVIDERS": ",".join(cfg.oauth_providers),
        }
    return {
        **oauth,
        "V7_STORE_URL": f"dynamodb://{table}?region={cfg.region}",
        "V7_MODEL": f"bedrock://{cfg.model_id}?region={cfg.region}",
        "V7_STRONG_MODEL": f"bedrock://{cfg.strong_model}?region={cfg.region}",
        "V7_QUICK_MODEL": f"bedrock://{cfg.quick_model}?region={cfg.region}",
        "V7_AUTH": "cognito",
        "V7_COGNITO_USER_POOL_ID": pool_id,
        "V7_COGNITO_CLIENT_ID": client_id,
        "V7_COGNITO_REGION": cfg.region,
        "V7_ALLOWED_ORIGINS": ",".join(cfg.origins),
        "V7_MEDIA_BUCKET": bucket,
        "V7_DRAIN_SECONDS": str(cfg.drain_seconds),
        # One server process per vCPU the task reserves (at least one): the container's CPU
        # count is the host's, not the task's share of it (server/workers.py).
        "V7_WORKERS": str(task_workers(cfg)),
        # The root filesystem is read-only; only the /tmp volume is writable.
        "V7_DATA_DIR": "/tmp/v7",  # noqa: S108 (a task-private volume, not a shared /tmp)
        # Only the ALB (inside the VPC) may set X-Forwarded-For/-Proto for uvicorn.
        "V7_FORWARDED_ALLOW_IPS": vpc_cidr,
        # EventBridge Scheduler starts the jobs as tasks of their own (v7infra/jobs.py).
        "V7_SCHEDULER": "external",
        "V7_MAIL_URL": f"ses://?region={cfg.region}",
        "V7_MAIL_FROM": cfg.mail_from,
    }


def container_definitions(
    cfg: StackConfig,
    *,
    image: str,
    environment: dict[str, str],
    redis_url_secret_arn: str,
    log_group: str,
) -> list[dict[str, Any]]:
    return [
        {
            "name": CONTAINER,
            "image": image,
            "essential": True,
            "portMappings": [{"containerPort": APP_PORT, "protocol": "tcp"}],
            "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
            "secrets": [{"name": "V7_REDIS_URL", "valueFrom": redis_url_secret_arn}],
            "stopTimeout": cfg.stop_timeout_seconds,
            "readonlyRootFilesystem": True,
            "linuxParameters": {"initProcessEnabled": True},
            "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp"}],  # noqa: S108
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": log_group,
                    "awslogs-region": cfg.region,
                    "awslogs-stream-prefix": CONTAINER,
                },
            },
        }
    ]


def _load_balancer(
    cfg: StackConfig, network: Network, groups: SecurityGroups
) -> tuple[aws.lb.LoadBalancer, aws.lb.TargetGroup, aws.lb.Listener]:
    alb = aws.lb.LoadBalancer(
        "alb",
        load_balancer_type="application",
        security_groups=[groups.alb.id],
        subnets=network.public_subnet_ids,
        idle_timeout=cfg.idle_timeout_seconds,
        drop_invalid_header_fields=True,
        enable_deletion_protection=cfg.deletion_protection,
    )
    target_group = aws.lb.TargetGroup(
        "app",
        port=APP_PORT,
        protocol="HTTP",
        target_type="ip",
        vpc_id=network.vpc_id,
        deregistration_delay=cfg.drain_seconds,
        health_check={
            "path": "/healthz",
            "matcher": "200",
            "interval": 15,
            "timeout": 5,
            "healthy_threshold": 2,
            "unhealthy_threshold": 3,
        },
    )
    https = aws.lb.Listener(
        "https",
        load_balancer_arn=alb.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificate_arn=cfg.certificate_arn,
        default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
    )
    aws.lb.Listener(
        "http",
        load_balancer_arn=alb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[
            {
                "type": "redirect",
                "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
            }
        ],
    )
    return alb, target_group, https


def _autoscaling(
    cfg: StackConfig,
    cluster: aws.ecs.Cluster,
    service: aws.ecs.Service,
    alb: aws.lb.LoadBalancer,
) -> None:
    target = aws.appautoscaling.Target(
        "service",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.concat("service/", cluster.name, "/", service.name),
        min_capacity=cfg.min_tasks,
        max_capacity=cfg.max_tasks,
    )
    aws.appautoscaling.Policy(
        "cpu",
        policy_type="TargetTrackingScaling",
        service_namespace=target.service_namespace,
        scalable_dimension=target.scalable_dimension,
        resource_id=target.resource_id,
        target_tracking_scaling_policy_configuration={
            "target_value": cfg.cpu_target_percent,
            "predefined_metric_specification": {
                "predefined_metric_type": "ECSServiceAverageCPUUtilization"
            },
            "scale_in_cooldown": 300,
            "scale_out_cooldown": 60,
        },
    )
    # Sockets per task: the ALB's ActiveConnectionCount divided by the running tasks (Container
    # Insights). ALBRequestCountPerTarget would miss long-lived sockets that carry no requests.
    aws.appautoscaling.Policy(
        "connections",
        policy_type="TargetTrackingScaling",
        service_namespace=target.service_namespace,
        scalable_dimension=target.scalable_dimension,
        resource_id=target.resource_id,
        target_tracking_scaling_policy_configuration={
            "target_value": cfg.connections_per_task * ALB_CONNECTIONS_PER_SOCKET,
            "customized_metric_specification": {
                "metrics": [
                    {
                        "id": "connections",
                        "return_data": False,
                        "metric_stat": {
                            "metric": {
                                "namespace": "AWS/ApplicationELB",
                                "metric_name": "ActiveConnectionCount",
                                "dimensions": [{"name": "LoadBalancer", "value": alb.arn_suffix}],
                            },
                            "stat": "Sum",
                        },
                    },
                    {
                        "id": "tasks",
                        "return_data": False,
                        "metric_stat": {
                            "metric": {
                                "namespace": "ECS/ContainerInsights",
                                "metric_name": "RunningTaskCount",
                                "dimensions": [
                                    {"name": "ClusterName", "value": cluster.name},
                                    {"name": "ServiceName", "value": service.name},
                                ],
                            },
                            "stat": "Average",
                        },
                    },
                    {
                        "id": "per_task",
                        "expression": "connections / MAX([tasks, 1])",
                        "label": "ALB connections per task",
                        "return_data": True,
                    },
                ]
            },
            # Sockets are sticky: scaling in closes them (1001), so scale in slowly.
            "scale_in_cooldown": 900,
            "scale_out_cooldown": 60,
        },
    )


def build_repository(cfg: StackConfig) -> aws.ecr.Repository:
    """Immutable tags, scanned on push; the newest 30 images are kept as rollback targets."""
    repository = aws.ecr.Repository(
        "app",
        name=f"{cfg.name_prefix}-app",
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration={"scan_on_push": True},
        encryption_configurations=[{"encryption_type": "KMS"}],
    )
    aws.ecr.LifecyclePolicy(
        "app",
        repository=repository.name,
        policy=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "description": "keep the last 30 images (rollback targets)",
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": 30,
                        },
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    return repository


def build_service(
    cfg: StackConfig,
    repository: aws.ecr.Repository,
    network: Network,
    groups: SecurityGroups,
    app: AppInputs,
) -> Service:
    cluster = aws.ecs.Cluster(
        "cluster",
        name=f"{cfg.name_prefix}-cluster",
        settings=[{"name": "containerInsights", "value": "enabled"}],
    )
    alb, target_group, https = _load_balancer(cfg, network, groups)
    definitions = pulumi.Output.all(
        repository.repository_url,
        app.table_name,
        app.bucket_name,
        app.user_pool_id,
        app.client_id,
        app.redis_url_secret_arn,
        app.log_group_name,
    ).apply(
        lambda v: json.dumps(
            container_definitions(
                cfg,
                image=f"{v[0]}:{cfg.image_tag}",
                environment=container_environment(
                    cfg,
                    vpc_cidr=network.cidr,
                    table=v[1],
                    bucket=v[2],
                    pool_id=v[3],
                    client_id=v[4],
                ),
                redis_url_secret_arn=v[5],
                log_group=v[6],
            )
        )
    )
    task = aws.ecs.TaskDefinition(
        "app",
        family=task_family(cfg),
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu=str(cfg.task_cpu),
        memory=str(cfg.task_memory),
        runtime_platform={"cpu_architecture": "ARM64", "operating_system_family": "LINUX"},
        task_role_arn=app.task_role_arn,
        execution_role_arn=app.execution_role_arn,
        container_definitions=definitions,
        volumes=[{"name": "tmp"}],
    )
    service = aws.ecs.Service(
        "app",
        name=f"{cfg.name_prefix}-app",
        cluster=cluster.arn,
        task_definition=task.arn,
        launch_type="FARGATE",
        desired_count=cfg.min_tasks,
        deployment_minimum_healthy_percent=100,
        deployment_maximum_percent=200,
        deployment_circuit_breaker={"enable": True, "rollback": True},
        health_check_grace_period_seconds=30,
        network_configuration={
            "subnets": network.private_subnet_ids,
            "security_groups": [groups.tasks.id],
            "assign_public_ip": False,
        },
        load_balancers=[
            {
                "target_group_arn": target_group.arn,
                "container_name": CONTAINER,
                "container_port": APP_PORT,
            }
        ],
        propagate_tags="SERVICE",
        # Autoscaling owns desiredCount after the first deploy.
        opts=pulumi.ResourceOptions(depends_on=[https], ignore_changes=["desired_count"]),
    )
    _autoscaling(cfg, cluster, service, alb)
    return Service(alb=alb, target_group=target_group, service=service, cluster=cluster, task=task)
