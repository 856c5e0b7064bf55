"""The in-process scheduler: on a laptop (`V7_SCHEDULER=local`, the default) the server runs
each registered job at its schedule's instants, through the same runner EventBridge's tasks
use in AWS (`V7_SCHEDULER=external`: the app runs none).

One task per job sleeps until `schedule.next_after(now)`, "now" read from the injected clock,
then runs the job. Every server process schedules every job; the job's Redis lock lets one of
them run it and the others find it running (`lock_held`), so several local processes are
safe. A run that fails as a whole (Redis down) is logged and the next instant tries again.
Entered in the lifespan; leaving it cancels the tasks (a run in progress stops at its next
await; its claimed users stay in doubt rather than risk a second email).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

from server.jobs.job import JobEnv, UserJob
from server.jobs.registry import Registered
from server.jobs.runner import RunReport, run
from server.jobs.schedule import Schedule

log = logging.getLogger("v7.jobs")


@dataclass(frozen=True)
class Planned:
    job: UserJob
    schedule: Schedule


def loadable(jobs: Sequence[Registered]) -> list[Planned]:
    """The registered jobs whose code is there (a job not merged yet is logged and left out)."""
    planned: list[Planned] = []
    for entry in jobs:
        try:
            planned.append(Planned(entry.load(), entry.schedule))
        except ImportError:
            log.warning("job not available, not scheduled", extra={"job": entry.name})
    return planned


class LocalScheduler:
    def __init__(self, planned: Sequence[Planned], env: JobEnv) -> None:
        self._planned = list(planned)
        self._env = env
        self._tasks: list[asyncio.Task[None]] = []
        self.reports: list[RunReport] = []
        """The latest runs' reports, newest last (a few kept: for tests and debugging)."""

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
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self, item: Planned) -> None:
        while True:
            now = self._env.clock()
            due = item.schedule.next_after(now)
            await asyncio.sleep(max(0.0, (due - now).total_seconds()))
            try:
                report = await run(item.job, self._env)
            except Exception:  # the loop outlives a bad run; the next instant retries
                log.exception("scheduled job run failed", extra={"job": item.job.name})
                continue
            self.reports = [*self.reports[-9:], report]
