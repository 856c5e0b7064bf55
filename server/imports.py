"""Imports running in the background of the process that received them.

`POST /users/import` answers 202 as soon as the job is recorded; the work (`handlers/
import_jobs.run_import`) runs here as a task of this process, its state in the table so that
any process answers `GET /users/import/{id}`. Stopping the server cancels running imports,
which take back what they wrote (the job reads `failed`); a process killed outright leaves a
job whose heartbeat stops, taken back by whichever process next reads it
(`handlers/import_jobs.py`).
"""

from __future__ import annotations

import asyncio
import logging

from core.clock import Clock
from handlers.import_jobs import ImportJob, begin, run_import
from logbooks import FormatName
from store.records.common import new_id
from store.table import Table

log = logging.getLogger(__name__)


class Importer:
    def __init__(self, table: Table, clock: Clock) -> None:
        self.table = table
        self.clock = clock
        self._tasks: set[asyncio.Task[ImportJob]] = set()

    async def start(
        self, user_id: str, data: bytes, format: FormatName | None, file_name: str | None
    ) -> ImportJob:
        """Record a job and start it; the job as recorded (`running`). Raises
        `handlers.import_jobs.ImportBusy` when the user has an import running."""
        job_id = new_id()
        job = await begin(self.table, self.clock, user_id, job_id, file_name, format)
        task = asyncio.create_task(
            run_import(self.table, self.clock, user_id, job_id, data, format),
            name=f"import {job_id}",
        )
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return job

    def _done(self, task: asyncio.Task[ImportJob]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The job was marked failed and taken back; the cause is for the operator.
            log.error("import failed", exc_info=task.exception())

    async def aclose(self) -> None:
        """Cancel running imports and wait while they take back what they wrote."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
