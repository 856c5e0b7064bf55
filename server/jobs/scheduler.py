"""The in-process scheduler: the one loop that runs periodic work inside a server process,
each job through the same runner EventBridge's tasks use in AWS.

Which jobs a process plans is the registry's rule (`server.jobs.registry.in_server`): with
`V7_SCHEDULER=local` (a laptop) every job; with `external` (AWS) only the in-server upkeep,
EventBridge starting the others as their own tasks.

One task per job sleeps until `schedule.next_after(now)`, "now" read from the injected clock,
then runs the job. Every server process schedules its jobs; the job's Redis lock lets one of
them run it and the others find it running (`lock_held`), so several processes are safe. A
run that fails as a whole (Redis down: `JobRefused`; a maintenance job's fault) is logged and
the next instant tries again. Entered in the lifespan; leaving it cancels the tasks (a run in
progress stops at its next await; its claimed users stay in doubt rather than risk a second
email).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

from server.jobs.job import Job, JobEnv
from server.jobs.registry import Registered
from server.jobs.runner import JobRefused, RunReport, run
from server.jobs.schedule import Schedule
from server.redis_io import cancel_and_wait
from server.settings import Settings

log = logging.getLogger("v7.jobs")


@dataclass(frozen=True)
class Planned:
    job: Job
    schedule: Schedule


def planned(jobs: Sequence[Registered], settings: Settings) -> list[Planned]:
    """Every job of `jobs` loaded, with its schedule under `settings`. A job that cannot be
    loaded raises (`ImportError`, `TypeError`): a build missing a job must not start."""
    return [Planned(entry.load(), entry.schedule_for(settings)) for entry in jobs]


class LocalScheduler:
    def __init__(self, plan: Sequence[Planned], env: JobEnv) -> None:
        self._planned = list(plan)
        self._env = env
        self._tasks: list[asyncio.Task[None]] = []
        self.reports: list[RunReport] = []
        """The latest runs' reports, newest last (a few kept: for tests and debugging)."""

    @property
    def jobs(self) -> list[str]:
        """The names of the jobs this scheduler runs."""
        return [item.job.name for item in self._planned]

    async def __aenter__(self) -> LocalScheduler:
        self._tasks = [
            asyncio.create_task(self._loop(item), name=f"job-{item.job.name}")
            for item in self._planned
        ]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Cancelled again while a loop runs on: a cancel landing inside a job's Redis call can
        # be swallowed there (see `cancel_and_wait`), and the loop would then never end.
        await cancel_and_wait(*self._tasks)

    async def _loop(self, item: Planned) -> None:
        while True:
            now = self._env.clock()
            due = item.schedule.next_after(now)
            await asyncio.sleep(max(0.0, (due - now).total_seconds()))
            try:
                report = await run(item.job, self._env)
            except JobRefused as refused:  # Redis down: nothing done; the next instant retries
                log.warning("scheduled job skipped: %s", refused, extra={"job": item.job.name})
                continue
            except Exception:  # the loop outlives a bad run; the next instant retries
                log.exception("scheduled job run failed", extra={"job": item.job.name})
                continue
            self.reports = [*self.reports[-9:], report]
