"""Import benchmark: a made-up Mountain Project ticks file of 10,000 and 100,000 rows
(`tests/logbooks/big.py`: 40 ticks a day at one crag), read and written into a fresh SQLite
table through the import job (`handlers/import_jobs.run_import`), then imported again.

What it shows: rows per second of reading the file (decode, CSV, dates, grades, styles, the
sessions and sends as validated records) and of writing them (duplicate check by key, one
transaction per batch with its marker), and what a second import of the same file costs
(every record found already there: nothing written).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import cpu
from handlers.import_jobs import begin, run_import
from logbooks import read_logbook
from store import init_table, open_table
from tests.logbooks.big import mountain_project_ticks

SIZES = (10_000, 100_000)
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


async def _one(rows: int) -> None:
    data = mountain_project_ticks(rows, NOW.date() - timedelta(days=1))
    started = time.perf_counter()
    parsed = read_logbook(data, now=NOW)
    reading = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'v7.db'}"
        await init_table(url, data_dir=Path(directory))
        async with open_table(url, data_dir=Path(directory), clock=lambda: NOW) as table:
            timings = []
            for attempt in ("first", "again"):
                await begin(table, lambda: NOW, "bench", attempt, "ticks.csv", None)
                started = time.perf_counter()
                job = await run_import(table, lambda: NOW, "bench", attempt, data, None)
                timings.append(time.perf_counter() - started)
                assert job.report is not None
    records = len(parsed.entries) + len(parsed.sends)
    print(
        f"{rows:>7,} rows ({len(data) / 1e6:.1f} MB, {records:,} records): "
        f"read {rows / reading:,.0f} rows/s; whole import {timings[0]:.2f} s "
        f"({rows / timings[0]:,.0f} rows/s); again (all duplicates) {timings[1]:.2f} s"
    )


def main() -> None:
    print(f"import: {cpu()}")
    for rows in SIZES:
        asyncio.run(_one(rows))
