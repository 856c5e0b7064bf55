"""Imports applied to a real table on both engines: every sample logbook, re-imports that add
nothing, the V7 JSON round trip, and imports that fail leaving nothing behind."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from handlers.import_jobs import STALE, JobState, begin, run_import, status
from handlers.imports import ImportFailed, apply_import
from logbooks import FormatName, read_logbook
from store import init_table, open_table
from store.records.journal import JournalEntryIn
from store.records.sends import BenchmarkSendIn
from store.records.user import UserIn
from store.repos.account import AccountRepo
from store.repos.erasures import ErasureRepo
from store.repos.imports import ImportJobs
from store.repos.journal import JournalRepo
from store.repos.sends import SendRepo
from store.repos.users import UserRepo
from store.table import Table
from tests.clock import FrozenClock, at
from tests.logbooks.big import mountain_project_ticks

SAMPLES = Path(__file__).parent.parent / "logbooks" / "samples"
NOW = at("2026-04-01T09:00:00Z")
USER = "climber1"

# (sample, format, rows read, refused, sessions, sends)
EXPECTED = [
    ("mountainproject.csv", FormatName.MOUNTAIN_PROJECT, 6, 1, 2, 3),
    ("thecrag.csv", FormatName.THECRAG, 5, 1, 2, 3),
    ("8a.csv", FormatName.EIGHT_A, 4, 0, 2, 3),
    ("kaya.csv", FormatName.KAYA, 5, 0, 2, 3),
]


async def _clocked(table: Table) -> FrozenClock:
    """The test's clock on `table`, and the climber's account (an import writes only into an
    account that exists and is not being erased)."""
    clock = FrozenClock(NOW)
    table.clock = clock
    await UserRepo(table).create(USER, UserIn(email=f"{USER}@example.com"))
    return clock


async def _import(
    table: Table, clock: FrozenClock, data: bytes, fmt: FormatName | None = None, job: str = "j1"
) -> Any:
    await begin(table, clock, USER, job, "file", fmt)
    return await run_import(table, clock, USER, job, data, fmt)


async def _everything(table: Table) -> dict[str, Any]:
    exported = await AccountRepo(table).export(USER)
    return {key: value for key, value in exported.items() if key != "user"}


@pytest.mark.parametrize(("sample", "fmt", "rows", "refused", "sessions", "sends"), EXPECTED)
async def test_each_sample_imports_and_a_second_import_adds_nothing(
    table: Table, sample: str, fmt: FormatName, rows: int, refused: int, sessions: int, sends: int
) -> None:
    clock = await _clocked(table)
    data = (SAMPLES / sample).read_bytes()
    job = await _import(table, clock, data)
    assert job.state is JobState.DONE, job
    report = job.report
    assert report is not None
    assert (report.format, report.rows_read, report.refused) == (fmt, rows, refused)
    assert (report.sessions, report.sends) == (sessions, sends)
    assert report.imported == rows - refused
    assert report.duplicates == 0
    assert len((await JournalRepo(table).list(USER)).items) == sessions
    assert len((await SendRepo(table).list(USER)).items) == sends
    before = await _everything(table)

    again = await _import(table, clock, data, fmt, job="j2")
    assert again.report is not None
    assert (again.report.imported, again.report.sessions, again.report.sends) == (0, 0, 0)
    assert again.report.duplicates == rows - refused
    assert await _everything(table) == before
    # Bookkeeping of the finished imports is gone; only the job records remain.
    assert await ImportJobs(table).markers(USER, "j1") == []


async def test_the_v7_export_round_trips_exactly(table: Table) -> None:
    clock = await _clocked(table)
    journal, sends = JournalRepo(table), SendRepo(table)
    await journal.create(
        "source",
        JournalEntryIn.model_validate(
            {"date": "2026-03-01", "sessionType": "gym", "duration": 90, "rpe": 7,
             "gradesCompleted": ["V4", {"grade": "V5", "count": 2}], "notes": "Line one\nTwo"}
        ),
    )  # fmt: skip
    await sends.create(
        "source",
        BenchmarkSendIn.model_validate(
            {"grade": "7a+", "date": "2026-02-11", "name": "Sample", "ascentStyle": "redpoint"}
        ),
    )
    exported = await AccountRepo(table).export("source")
    document = json.dumps({"exportedAt": "2026-04-01T09:00:00Z", **exported}).encode()

    job = await _import(table, clock, document)
    assert job.state is JobState.DONE
    assert job.report is not None
    assert (job.report.format, job.report.imported, job.report.refused) == ("v7-json", 2, 0)
    mine = await AccountRepo(table).export(USER)
    for kind in ("journalEntries", "sends"):
        assert mine[kind] == exported[kind]  # ids and timestamps included
    again = await _import(table, clock, document, job="j2")
    assert again.report is not None
    assert again.report.duplicates == 2


async def test_a_wrong_format_says_what_it_looks_like_and_writes_nothing(table: Table) -> None:
    clock = await _clocked(table)
    data = (SAMPLES / "kaya.csv").read_bytes()
    job = await _import(table, clock, data, FormatName.MOUNTAIN_PROJECT)
    assert job.state is JobState.FAILED
    assert job.message == (
        "This looks like a KAYA logbook export, not a Mountain Project ticks export."
    )
    assert await _everything(table) == {}


async def test_an_import_whose_process_died_is_taken_back(table: Table) -> None:
    clock = await _clocked(table)
    data = (SAMPLES / "kaya.csv").read_bytes()
    await _import(table, clock, data)
    # A second, different import's process dies after its first batch: its job stays running.
    mp = (SAMPLES / "mountainproject.csv").read_bytes()
    await begin(table, clock, USER, "dead", "file", None)

    async def die(handled: int, total: int) -> None:
        raise SystemExit  # the process going away mid-import, as far as the table can tell

    with pytest.raises(SystemExit):
        await apply_import(table, USER, "dead", read_logbook(mp, now=NOW), die)
    half_written = (await JournalRepo(table).list(USER)).items
    assert len(half_written) == 4  # KAYA's two sessions and the dead import's two
    assert (await status(table, clock, USER, "dead")).state is JobState.RUNNING  # type: ignore[union-attr]
    clock.advance(STALE)
    job = await status(table, clock, USER, "dead")
    assert job is not None
    assert job.state is JobState.FAILED
    assert job.message is not None
    assert "stopped before it finished" in job.message
    sessions = (await JournalRepo(table).list(USER)).items
    assert {entry.location for entry in sessions} == {
        "Sample Climbing Gym",
        "Sample Valley > Riverside",
    }


async def test_a_hundred_thousand_rows_import_in_seconds(tmp_path: Path) -> None:
    # SQLite only: the size is this test's point, the engines' conformance the others'.
    url = f"sqlite:///{tmp_path / 'big.db'}"
    await init_table(url, data_dir=tmp_path)
    data = mountain_project_ticks(100_000, NOW.date() - timedelta(days=1))
    async with open_table(url, data_dir=tmp_path, clock=FrozenClock(NOW)) as table:
        clock = await _clocked(table)
        started = time.perf_counter()
        job = await _import(table, clock, data)
        elapsed = time.perf_counter() - started
        assert job.report is not None
        assert (job.report.rows_read, job.report.imported, job.report.refused) == (100_000,) * 2 + (
            0,
        )
        assert job.report.sessions == 2_500
        assert (job.total, job.processed) == (3_100, 3_100)  # sessions and sends
        first = (await JournalRepo(table).list(USER, newest_first=False, limit=1)).items[0]
        assert sum(grade.count for grade in first.grades_completed + first.grades_attempted) == 40
    # A sanity floor far below what a laptop does (README "Numbers"), not a timing.
    assert 100_000 / elapsed > 2_000


async def test_an_account_being_erased_takes_nothing_of_an_import(table: Table) -> None:
    await _clocked(table)
    await ErasureRepo(table).begin(USER, username=USER, email="", now=NOW)
    data = (SAMPLES / "mountainproject.csv").read_bytes()
    with pytest.raises(ImportFailed, match="being erased"):
        await apply_import(table, USER, "late", read_logbook(data, now=NOW))
    assert (await JournalRepo(table).list(USER)).items == []
    assert await ImportJobs(table).markers(USER, "late") == []
