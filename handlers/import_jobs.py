"""An import as a job: parse, write, report, with its state in the table for every process.

`run_import` is the whole use case, for `v7 import` and `POST /users/import` alike: it takes
back any import of the user that died half-way (`recover`), records the job (`running`),
reads the file, writes the records (`handlers/imports.py`), and records the outcome (`done`
with the report, or `failed` with the reason: nothing of it was written). The job's progress
and heartbeat (`updatedAt`) are written as it goes, at most every `PROGRESS_EVERY_S`.

A job whose process died stays `running` with a heartbeat that stops; after `STALE` any
process that reads it (`status`, or the user's next import) takes back what it wrote and marks
it `failed` ("interrupted"). The file is not kept: the climber imports it again.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from core.clock import Clock
from handlers.imports import ImportFailed, Progress, apply_import, forget_markers, take_back
from logbooks import FormatName, Report, WrongFormat, read_logbook
from store.records.base import Wire
from store.records.common import UtcDateTime
from store.repos.imports import ImportJobs
from store.table import Item, Table

STALE = timedelta(minutes=2)
"""A running job whose heartbeat is older than this has lost its process."""

PROGRESS_EVERY_S = 1.0

INTERRUPTED = (
    "The import stopped before it finished (the server restarted). Nothing of it was kept: "
    "import the file again."
)


class JobState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(Wire):
    """An import as `GET /users/import/{id}` shows it."""

    id: str
    state: JobState
    format: FormatName | None = None
    file_name: str | None = None
    processed: int = Field(default=0, description="records handled so far")
    total: int | None = Field(default=None, description="records to handle (once the file is read)")
    message: str | None = Field(default=None, description="why it failed (`failed` only)")
    report: Report | None = Field(default=None, description="what it did (`done` only)")
    created_at: UtcDateTime
    updated_at: UtcDateTime


def _job_of(item: Item) -> ImportJob:
    body = {key: value for key, value in item.items() if key not in ("pk", "sk", "ttl", "version")}
    return ImportJob.model_validate(body)


class ImportBusy(Exception):
    """The user already has an import running."""


async def recover(table: Table, clock: Clock, user_id: str) -> bool:
    """Take back the user's imports whose process died; whether one is still running."""
    jobs = ImportJobs(table)
    running = False
    for item in await jobs.all(user_id):
        job = _job_of(item)
        if job.state is not JobState.RUNNING:
            continue
        if clock() - job.updated_at < STALE:
            running = True
            continue
        await take_back(table, user_id, job.id)
        await jobs.update(
            user_id,
            job.id,
            {"state": JobState.FAILED.value, "message": INTERRUPTED, "updatedAt": _iso(clock())},
        )
    return running


async def begin(
    table: Table,
    clock: Clock,
    user_id: str,
    job_id: str,
    file_name: str | None,
    format: FormatName | None,
) -> ImportJob:
    """Record a new running job. Raises `ImportBusy` if the user has one running."""
    if await recover(table, clock, user_id):
        raise ImportBusy
    now = clock()
    job = ImportJob(
        id=job_id,
        state=JobState.RUNNING,
        format=format,
        file_name=file_name,
        created_at=now,
        updated_at=now,
    )
    await ImportJobs(table).create(user_id, job_id, job.model_dump(by_alias=True, mode="json"))
    return job


async def run_import(
    table: Table,
    clock: Clock,
    user_id: str,
    job_id: str,
    data: bytes,
    format: FormatName | None,
    on_progress: Progress | None = None,
) -> ImportJob:
    """Read `data` and write it into the account as job `job_id` (begun with `begin`), and
    record the outcome. `on_progress(handled, total)`, if given, is awaited after every
    batch (the command line's progress bar). Never raises for a bad file: the job says."""
    jobs = ImportJobs(table)
    last = time.monotonic()

    async def progress(handled: int, total: int) -> None:
        nonlocal last
        if on_progress is not None:
            await on_progress(handled, total)
        if time.monotonic() - last >= PROGRESS_EVERY_S or handled == total:
            last = time.monotonic()
            changes = {"processed": handled, "total": total, "updatedAt": _iso(clock())}
            await jobs.update(user_id, job_id, changes)

    try:
        parsed = await asyncio.to_thread(read_logbook, data, now=clock(), format=format)
        await jobs.update(user_id, job_id, {"format": parsed.report.format.value})
        report = await apply_import(table, user_id, job_id, parsed, progress)
    except (WrongFormat, ImportFailed) as error:
        message = error.message if isinstance(error, WrongFormat) else _failed(error)
        await _finish(jobs, clock, user_id, job_id, {"state": "failed", "message": message})
    except BaseException:
        # Cancelled (the server stopping) or a bug: take back what was written, then say so.
        await asyncio.shield(_abandon(table, clock, user_id, job_id))
        raise
    else:
        await forget_markers(table, user_id, job_id)
        changes = {"state": "done", "report": report.model_dump(by_alias=True, mode="json")}
        await _finish(jobs, clock, user_id, job_id, changes)
    item = await jobs.get(user_id, job_id)
    assert item is not None
    return _job_of(item)


def _failed(error: ImportFailed) -> str:
    return f"The import could not be written ({error}); nothing of it was kept."


async def _abandon(table: Table, clock: Clock, user_id: str, job_id: str) -> None:
    await take_back(table, user_id, job_id)
    await _finish(
        ImportJobs(table), clock, user_id, job_id, {"state": "failed", "message": INTERRUPTED}
    )


async def _finish(
    jobs: ImportJobs, clock: Clock, user_id: str, job_id: str, changes: dict[str, Any]
) -> None:
    await jobs.update(user_id, job_id, {**changes, "updatedAt": _iso(clock())})


async def status(table: Table, clock: Clock, user_id: str, job_id: str) -> ImportJob | None:
    """The job as it is now (None: not this user's, or unknown); a dead one is taken back
    first, so it reads `failed`."""
    jobs = ImportJobs(table)
    item = await jobs.get(user_id, job_id)
    if item is None:
        return None
    job = _job_of(item)
    if job.state is JobState.RUNNING and clock() - job.updated_at >= STALE:
        await recover(table, clock, user_id)
        item = await jobs.get(user_id, job_id)
        assert item is not None
        job = _job_of(item)
    return job


def _iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")
