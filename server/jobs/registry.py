"""Every scheduled job, with when it runs: the one list `v7 jobs`, the in-process scheduler
and the Pulumi program's EventBridge schedules (checked by pulumi/tests/test_contract.py) read.

A job is named here with the dotted path of its class and loaded on first use, so listing
jobs (and the Pulumi contract) needs none of their imports.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from server.jobs.job import UserJob
from server.jobs.schedule import Hourly, Schedule


@dataclass(frozen=True)
class Registered:
    name: str
    """`v7 jobs run NAME`, the lock's and the job records' name, the EventBridge schedule's."""
    description: str
    schedule: Schedule
    target: str
    """`module:Class` of the `UserJob`; its `name` must equal `name`."""

    def load(self) -> UserJob:
        """An instance of the job. Raises `ImportError` when its module is not there."""
        module, _, attribute = self.target.partition(":")
        job = getattr(importlib.import_module(module), attribute)()
        if not isinstance(job, UserJob) or job.name != self.name:
            raise TypeError(f"{self.target} is not the UserJob {self.name!r}")
        return job


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
)


def find(name: str) -> Registered | None:
    """The registered job called `name`, or None."""
    return next((job for job in JOBS if job.name == name), None)
