"""Scheduled jobs in AWS: one EventBridge Scheduler schedule per EventBridge job of the app's
registry (`server/jobs/registry.py`), each starting a one-off ECS task of the app's own task
definition with the command `v7 jobs run NAME`, and the SES identity the jobs' email is sent
from.

The serving tasks run none of these jobs (`V7_SCHEDULER=external`): a job's task lives only as
long as its run, so a deploy or a scale-in never cuts a run short. They do run the registry's
in-server upkeep (finishing erasures every minute, media upkeep), which gets no schedule here:
a task started every minute would cost more than its work. A start that fails (RunTask
throttled, no capacity) is retried by the scheduler, then parked in a dead-letter queue; a
retried start is harmless, because the job's Redis lock and records keep a second run from
doing anything twice. `pulumi/tests/test_contract.py` checks `JOB_SCHEDULES` against the
registry, so neither side changes alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi_aws as aws

import pulumi
from v7infra.config import StackConfig
from v7infra.iam import assumed_by

JOB_SCHEDULES: Mapping[str, str] = {
    "weekly-report": "cron(0 * * * ? *)",
    "reminders": "cron(30 * * * ? *)",
}
"""Job name -> EventBridge Scheduler expression, UTC (`registry.eventbridge_schedules()`)."""
CONTAINER = "app"
DLQ_RETENTION_S = 14 * 86_400
START_RETRIES = 3
START_MAX_AGE_S = 1800
"""A start still failing after half an hour is given up: the next hourly run does the work."""


@dataclass(frozen=True)
class Jobs:
    schedules: dict[str, aws.scheduler.Schedule]
    role: aws.iam.Role
    dead_letters: aws.sqs.Queue


@dataclass(frozen=True)
class JobTarget:
    """Where the job tasks run: the app's cluster, task definition and network."""

    cluster_arn: pulumi.Output[str]
    task_definition_arn: pulumi.Output[str]
    task_family: str
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]


def job_command(name: str) -> list[str]:
    return ["v7", "jobs", "run", name]


def run_task_input(name: str) -> str:
    """The RunTask overrides of job `name`'s task: the app's container, the job's command."""
    return json.dumps({"containerOverrides": [{"name": CONTAINER, "command": job_command(name)}]})


def scheduler_policy(
    *,
    region: str,
    account_id: str,
    task_family: str,
    cluster_arn: str,
    pass_role_arns: Sequence[str],
    queue_arn: str,
) -> dict[str, Any]:
    """What the scheduler may do: start the app's task family on its cluster, hand ECS the
    task's two roles, and park failed starts in the dead-letter queue. Nothing else."""
    family = f"arn:aws:ecs:{region}:{account_id}:task-definition/{task_family}:*"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "StartJobTasks",
                "Effect": "Allow",
                "Action": ["ecs:RunTask"],
                "Resource": [family],
                "Condition": {"ArnEquals": {"ecs:cluster": cluster_arn}},
            },
            {
                "Sid": "PassTaskRoles",
                "Effect": "Allow",
                "Action": ["iam:PassRole"],
                "Resource": list(pass_role_arns),
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
            {
                "Sid": "DeadLetters",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": [queue_arn],
            },
        ],
    }


def build_mail_identity(cfg: StackConfig) -> aws.sesv2.EmailIdentity:
    """The SES identity of the From address's domain (Easy DKIM; publish its tokens in DNS)."""
    return aws.sesv2.EmailIdentity("mail", email_identity=cfg.mail_domain)


def build_jobs(cfg: StackConfig, target: JobTarget) -> Jobs:
    account_id = aws.get_caller_identity().account_id
    dead_letters = aws.sqs.Queue(
        "jobs-dead-letters",
        name=f"{cfg.name_prefix}-jobs-dlq",
        message_retention_seconds=DLQ_RETENTION_S,
        sqs_managed_sse_enabled=True,
    )
    role = aws.iam.Role(
        "scheduler",
        assume_role_policy=assumed_by("scheduler.amazonaws.com", account_id),
        description="EventBridge Scheduler: starts V7 Coach job tasks",
    )
    aws.iam.RolePolicy(
        "scheduler",
        role=role.id,
        policy=pulumi.Output.all(
            target.cluster_arn,
            target.task_role_arn,
            target.execution_role_arn,
            dead_letters.arn,
        ).apply(
            lambda v: json.dumps(
                scheduler_policy(
                    region=cfg.region,
                    account_id=account_id,
                    task_family=target.task_family,
                    cluster_arn=v[0],
                    pass_role_arns=[v[1], v[2]],
                    queue_arn=v[3],
                )
            )
        ),
    )
    schedules = {
        name: aws.scheduler.Schedule(
            f"job-{name}",
            name=f"{cfg.name_prefix}-{name}",
            description=f"v7 jobs run {name}",
            schedule_expression=expression,
            schedule_expression_timezone="UTC",
            flexible_time_window={"mode": "OFF"},
            target={
                "arn": target.cluster_arn,
                "role_arn": role.arn,
                "input": run_task_input(name),
                "ecs_parameters": {
                    "task_definition_arn": target.task_definition_arn,
                    "launch_type": "FARGATE",
                    "task_count": 1,
                    "network_configuration": {
                        "subnets": list(target.subnet_ids),
                        "security_groups": [target.security_group_id],
                        "assign_public_ip": False,
                    },
                },
                "retry_policy": {
                    "maximum_retry_attempts": START_RETRIES,
                    "maximum_event_age_in_seconds": START_MAX_AGE_S,
                },
                "dead_letter_config": {"arn": dead_letters.arn},
            },
        )
        for name, expression in JOB_SCHEDULES.items()
    }
    return Jobs(schedules=schedules, role=role, dead_letters=dead_letters)
