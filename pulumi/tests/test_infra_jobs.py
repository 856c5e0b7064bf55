"""Scheduled jobs in AWS (v7infra/jobs.py), checked against the app: one EventBridge Scheduler
schedule per job of the app's registry with the registry's expression, each starting the app's
task with `v7 jobs run NAME` (a command the CLI accepts) in the private subnets; a scheduler
role allowed exactly that; the serving tasks running no jobs; SES sending from the stack's
identity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from contract_sides import policy, task_environment
from infra_harness import ACCOUNT_ID, Built, arn_of
from v7infra.jobs import JOB_SCHEDULES

from server.cli import _parser
from server.jobs.registry import JOBS, Trigger, eventbridge_schedules
from server.settings import Settings

STACKS = ("dev", "staging", "prod")
SCHEDULE = "aws:scheduler/schedule:Schedule"


def test_the_stack_schedules_exactly_the_registrys_eventbridge_jobs_at_their_times() -> None:
    assert dict(JOB_SCHEDULES) == eventbridge_schedules(), (
        "pulumi/v7infra/jobs.py JOB_SCHEDULES must equal server/jobs/registry.py's EventBridge "
        "jobs and their schedules: change the side that is behind"
    )
    # The in-server upkeep gets no schedule: a task started every minute would cost more
    # than the work.
    in_server = {job.name for job in JOBS if job.trigger is Trigger.SERVER}
    assert in_server == {"finish-erasures", "media-upkeep"}
    assert not in_server & set(JOB_SCHEDULES)


@pytest.mark.parametrize("stack", STACKS)
def test_each_job_starts_the_apps_task_with_its_command(
    stacks: dict[str, Built], stack: str
) -> None:
    built = stacks[stack]
    schedules = {
        s.inputs["description"].rsplit(" ", 1)[1]: s.inputs for s in built.of_type(SCHEDULE)
    }
    assert set(schedules) == set(JOB_SCHEDULES)
    cluster = arn_of(built.one("aws:ecs/cluster:Cluster", "cluster"))
    task = arn_of(built.one("aws:ecs/taskDefinition:TaskDefinition", "app"))
    service = built.one("aws:ecs/service:Service", "app").inputs["networkConfiguration"]
    queue = arn_of(built.one("aws:sqs/queue:Queue", "jobs-dead-letters"))
    for name, inputs in schedules.items():
        assert inputs["scheduleExpression"] == JOB_SCHEDULES[name]
        assert inputs["scheduleExpressionTimezone"] == "UTC"
        assert inputs["flexibleTimeWindow"] == {"mode": "OFF"}
        target = inputs["target"]
        assert target["arn"] == cluster
        assert target["roleArn"] == arn_of(built.one("aws:iam/role:Role", "scheduler"))
        ecs = target["ecsParameters"]
        assert (ecs["taskDefinitionArn"], ecs["launchType"], ecs["taskCount"]) == (
            task,
            "FARGATE",
            1,
        )
        assert ecs["networkConfiguration"] == {**service, "assignPublicIp": False}
        (override,) = json.loads(target["input"])["containerOverrides"]
        assert override == {"name": "app", "command": ["v7", "jobs", "run", name]}
        args = _parser().parse_args(override["command"][1:])  # what `v7` will make of it
        assert (args.command, args.jobs_command, args.name) == ("jobs", "run", name)
        assert target["deadLetterConfig"] == {"arn": queue}
        assert target["retryPolicy"]["maximumRetryAttempts"] >= 1


def _statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


@pytest.mark.parametrize("stack", STACKS)
def test_the_scheduler_may_only_start_the_apps_tasks(stacks: dict[str, Built], stack: str) -> None:
    built = stacks[stack]
    role = built.one("aws:iam/role:Role", "scheduler").inputs
    (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    family = built.one("aws:ecs/taskDefinition:TaskDefinition", "app").inputs["family"]
    statements = _statements(policy(built, "scheduler"))
    assert {sid: (s["Action"], s["Resource"]) for sid, s in statements.items()} == {
        "StartJobTasks": (
            ["ecs:RunTask"],
            [f"arn:aws:ecs:us-east-1:{ACCOUNT_ID}:task-definition/{family}:*"],
        ),
        "PassTaskRoles": (
            ["iam:PassRole"],
            [arn_of(built.one("aws:iam/role:Role", name)) for name in ("task", "execution")],
        ),
        "DeadLetters": (
            ["sqs:SendMessage"],
            [arn_of(built.one("aws:sqs/queue:Queue", "jobs-dead-letters"))],
        ),
    }
    cluster = arn_of(built.one("aws:ecs/cluster:Cluster", "cluster"))
    assert statements["StartJobTasks"]["Condition"] == {"ArnEquals": {"ecs:cluster": cluster}}
    assert statements["PassTaskRoles"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }


@pytest.mark.parametrize("stack", STACKS)
def test_tasks_run_no_jobs_themselves_and_send_mail_through_ses(
    stacks: dict[str, Built], stack: str
) -> None:
    built = stacks[stack]
    env = task_environment(built)
    assert env["V7_SCHEDULER"] == "external"
    assert env["V7_MAIL_URL"] == "ses://?region=us-east-1"
    identity = built.one("aws:sesv2/emailIdentity:EmailIdentity", "mail")
    settings = Settings.model_validate({"mail_from": env["V7_MAIL_FROM"]})
    assert settings.mail_from.rstrip(">").endswith("@" + identity.inputs["emailIdentity"])
    (send,) = (s for s in policy(built, "task")["Statement"] if s["Sid"] == "SendMail")
    assert (send["Action"], send["Resource"]) == (["ses:SendEmail"], [arn_of(identity)])
