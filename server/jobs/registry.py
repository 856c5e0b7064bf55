"""Every scheduled job, with when and where it runs: the one list `v7 jobs`, the in-process
scheduler and the Pulumi program's EventBridge schedules (checked by
pulumi/tests/test_infra_jobs.py) read.

Where a job runs (`Trigger`) follows from how often it runs:

- `EVENTBRIDGE`: the per-climber jobs (reports, reminders), hourly. In AWS an EventBridge
  Scheduler schedule starts a one-off task per run (`v7 jobs run NAME`), so a deploy or a
  scale-in never cuts a run short; on a laptop (`V7_SCHEDULER=local`) the server runs them.
- `SERVER`: upkeep that must run often (finishing erasures every minute) or is cheap and
  idempotent (media upkeep). It always runs inside the serving processes, whatever
  `V7_SCHEDULER` says: a schedule starting a Fargate task every minute would pay a task's
  start-up (and its cost) sixty times an hour for a few reads. Every serving process plans it;
  the job's lock lets one of them run it.

A job is named here with the dotted path of its class and loaded on first use, so listing
jobs (and the Pulumi contract) needs none of their imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from server.jobs.job import Job, MaintenanceJob, UserJob
from server.jobs.schedule import Every, Hourly, Schedule

if TYPE_CHECKING:
    from server.settings import Settings


class Trigger(StrEnum):
    """What starts a job's runs (see the module doc for the rule)."""

    EVENTBRIDGE = "eventbridge"
    """In AWS, an EventBridge Scheduler schedule; on a laptop, the server."""
    SERVER = "server"
    """Always the serving processes' own scheduler."""


@dataclass(frozen=True)
class Registered:
    name: str
    """`v7 jobs run NAME`, the lock's and the job records' name, the EventBridge schedule's."""
    description: str
    schedule: Schedule | Callable[[Settings], Schedule]
    """A fixed schedule, or one read from the settings (an in-server job's interval); an
    EventBridge job's must be fixed: the Pulumi program declares it."""
    target: str
    """`module:Class` of the `UserJob` or `MaintenanceJob`; its `name` must equal `name`."""
    trigger: Trigger = Trigger.EVENTBRIDGE

    def __post_init__(self) -> None:
        if self.trigger is Trigger.EVENTBRIDGE and callable(self.schedule):
            raise ValueError(f"{self.name}: an EventBridge job needs a fixed schedule")

    def schedule_for(self, settings: Settings) -> Schedule:
        """When the job runs under `settings`."""
        return self.schedule(settings) if callable(self.schedule) else self.schedule

    def load(self) -> Job:
        """An instance of the job. Raises `ImportError` when its module is not there, and
        `TypeError` when the target is not the job it names: both are faults of the build, so
        start-up fails on them."""
        module, _, attribute = self.target.partition(":")
        job = getattr(importlib.import_module(module), attribute)()
        if not isinstance(job, UserJob | MaintenanceJob) or job.name != self.name:
            raise TypeError(f"{self.target} is not the job {self.name!r}")
        return job


def _erasure_interval(settings: Settings) -> Schedule:
    return Every(settings.erasure_retry_seconds)


# The report and reminder jobs both run hourly: each decides per climber, in their time zone,
# whether anything is due.
JOBS: tuple[Registered, ...] = (
    Registered(
        name="weekly-report",
        description="the weekly progress email (Pro and Premium, emailReports on), once the "
        "climber's week has ended in their time zone",
        schedule=Hourly(minute=0),
        target="server.reports.weekly:WeeklyReport",
    ),
    Registered(
        name="reminders",
        description='the "log yesterday\'s session?" nudge when a planned day has no entry',
        schedule=Hourly(minute=30),
        target="server.reports.reminders:Reminder",
    ),
    Registered(
        name="finish-erasures",
        description="finish account erasures left pending (Redis, the media store or Cognito "
        "was unreachable, a crash)",
        schedule=_erasure_interval,
        target="server.jobs.upkeep:FinishErasures",
        trigger=Trigger.SERVER,
    ),
    Registered(
        name="media-upkeep",
        description="give back storage of uploads never completed and delete media of "
        "entries gone past the undo window, for every climber",
        schedule=Hourly(minute=45),
        target="server.jobs.upkeep:MediaUpkeep",
        trigger=Trigger.SERVER,
    ),
)


def find(name: str) -> Registered | None:
    """The registered job called `name`, or None."""
    return next((job for job in JOBS if job.name == name), None)


def in_server(scheduler: Literal["local", "external"]) -> tuple[Registered, ...]:
    """The jobs a serving process schedules itself: all of them with `V7_SCHEDULER=local`,
    only the `SERVER` ones with `external` (EventBridge starts the others)."""
    if scheduler == "local":
        return JOBS
    return tuple(job for job in JOBS if job.trigger is Trigger.SERVER)


def eventbridge_schedules() -> dict[str, str]:
    """Job name -> EventBridge Scheduler expression, for every `EVENTBRIDGE` job: what the
    Pulumi program must declare."""
    return {
        job.name: job.schedule.expression()
        for job in JOBS
        if job.trigger is Trigger.EVENTBRIDGE and not callable(job.schedule)
    }
