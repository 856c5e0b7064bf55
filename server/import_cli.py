"""`v7 import FILE --user EMAIL [--format NAME]`: the same import as `POST /users/import`,
run in the foreground, with a progress bar on stderr when it is a terminal."""

from __future__ import annotations

import asyncio
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TextIO

from core.clock import Clock
from handlers.import_jobs import ImportBusy, ImportJob, JobState, begin, run_import
from handlers.imports import Progress
from logbooks import FormatName, Report
from server.settings import Settings
from store.records.common import new_id

BAR_WIDTH = 30


def progress_bar(stream: TextIO) -> Progress:
    """An `on_progress` drawing `[#####-----] 50% 1,000/2,000 records` in place."""

    async def draw(handled: int, total: int) -> None:
        done = BAR_WIDTH * handled // max(total, 1)
        percent = 100 * handled // max(total, 1)
        bar = "#" * done + "-" * (BAR_WIDTH - done)
        end = "\n" if handled >= total else ""
        stream.write(f"\r[{bar}] {percent:3d}% {handled:,}/{total:,} records{end}")
        stream.flush()

    return draw


def describe(job: ImportJob) -> str:
    """The outcome in words, the refused rows one per line."""
    if job.state is not JobState.DONE or job.report is None:
        return f"Import failed: {job.message}"
    report: Report = job.report
    lines = [
        f"Imported {report.imported:,} of {report.rows_read:,} rows from "
        f"{report.format.described}: {report.sessions:,} sessions, {report.sends:,} sends"
        + (f", {report.other_records:,} other records" if report.other_records else "")
        + f"; {report.duplicates:,} already there; {report.refused:,} refused."
    ]
    lines += [
        f"  {f'line {error.line}' if error.line is not None else error.item}: {error.reason}"
        for error in report.errors
    ]
    if report.refused > len(report.errors):
        lines.append(f"  … and {report.refused - len(report.errors):,} more")
    return "\n".join(lines)


async def import_file(
    settings: Settings, clock: Clock, path: Path, email: str, format: str | None
) -> tuple[str, bool]:
    """Import `path` into the account of `email`; the outcome in words and whether it
    succeeded. The file is read whole first (a logbook is megabytes at most)."""
    from server.cli_redis import command_line_redis, tell_caches
    from store import open_table
    from store.repos.users import UserRepo

    fmt = FormatName(format) if format else None
    data = await asyncio.to_thread(path.read_bytes)
    async with AsyncExitStack() as stack:
        table = await stack.enter_async_context(
            open_table(settings.resolved_store_url, data_dir=settings.data_dir)
        )
        tell_caches(table, await command_line_redis(stack, settings))
        user = await UserRepo(table).find_by_email(email)
        if user is None:
            raise SystemExit(f"v7: no user with email {email}")
        job_id = new_id()
        try:
            await begin(table, clock, user.id, job_id, path.name, fmt)
        except ImportBusy:
            return "An import into this account is already running; wait for it.", False
        draw = progress_bar(sys.stderr) if sys.stderr.isatty() else None
        job = await run_import(table, clock, user.id, job_id, data, fmt, draw)
    return describe(job), job.state is JobState.DONE
