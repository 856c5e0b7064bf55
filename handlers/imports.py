"""Applying an import: the records a logbook parser read, written all or nothing.

* **Duplicates.** Every record carries a stable id (a fingerprint of its source row for the
  CSV logbooks, its own id for the V7 JSON), so a record already stored is found by its key
  before the write and counted as a duplicate: importing the same file again adds nothing.
* **All or nothing.** Records are written in transactions of up to `store.table`'s limit;
  each transaction also writes a marker listing the sort keys it created
  (`store/repos/imports.py`). When an import fails, or its process dies and a later call finds
  it stale (`recover`), every batch it wrote is deleted by its markers: an import is either
  all there or not at all (never resumed: the file is imported again, and nothing of the
  first try is counted as a duplicate).
* **Quotas.** Imports are of the past: they neither use nor are refused by the weekly
  journal allowance (records are stamped as logged on their own day, `logbooks/sessions.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from logbooks import Parsed, Report
from store.errors import TransactionCancelled
from store.records.base import Record
from store.records.common import Stored
from store.repos.athlete import KIND as ATHLETE
from store.repos.base import to_item, user_pk
from store.repos.chat import chat_key
from store.repos.goals import GoalRepo
from store.repos.imports import ImportJobs, marker_put
from store.repos.injuries import InjuryRepo
from store.repos.journal import JournalRepo
from store.repos.nutrition import KIND as NUTRITION
from store.repos.nutrition import log_key
from store.repos.plans import PlanRepo
from store.repos.sends import SendRepo
from store.repos.users import ERASING, PROFILE
from store.table import MAX_TRANSACTION_OPS, Absent, Delete, Operation, Put, Table

Progress = Callable[[int, int], Awaitable[None]]
"""Told (records handled, records in all) as an import goes."""

_RETRIES = 3


@dataclass
class _Unit:
    """One record: the puts that store it (its own first) and the file rows it stands for."""

    ops: list[Operation]
    rows: int
    kind: str  # "session", "send" or "other"

    @property
    def key(self) -> tuple[str, str]:
        first = self.ops[0]
        assert isinstance(first, Put)
        return str(first.item["pk"]), str(first.item["sk"])


class ImportFailed(Exception):
    """The import could not be written; what it had written was taken back."""


async def apply_import(
    table: Table,
    user_id: str,
    job_id: str,
    parsed: Parsed,
    progress: Progress | None = None,
) -> Report:
    """Write `parsed`'s records into the user's account and return the finished report.
    Raises `ImportFailed` (nothing of this import remains) when a write fails."""
    units = await _units(table, user_id, parsed)
    report = parsed.report.model_copy(deep=True)
    # Rows of a CSV are counted per session; a JSON export's every record is a row.
    total = len(units)
    handled = 0
    batch = 0
    size = _records_per_batch(units)
    try:
        for start in range(0, total, size):
            chunk = units[start : start + size]
            await _write_chunk(table, user_id, job_id, batch, chunk, report)
            batch += 1
            handled += len(chunk)
            if progress is not None:
                await progress(handled, total)
    except Exception as error:
        await take_back(table, user_id, job_id)
        raise ImportFailed(str(error)) from error
    return report


def _records_per_batch(units: Sequence[_Unit]) -> int:
    widest = max((len(unit.ops) for unit in units), default=1)
    return max(1, (MAX_TRANSACTION_OPS - 1) // widest)


async def _write_chunk(
    table: Table, user_id: str, job_id: str, batch: int, chunk: list[_Unit], report: Report
) -> None:
    for _ in range(_RETRIES):
        # The profile is read in the same round trip: an account whose erasure has begun takes
        # no more of the import (what it took is taken back, and the erasure's last table pass
        # removes a batch that landed while it ran).
        profile, *present = await table.batch_get(
            [(user_pk(user_id), PROFILE), *(unit.key for unit in chunk)]
        )
        if profile is None or profile.get(ERASING):
            raise ImportFailed("the account is being erased")
        fresh = [unit for unit, found in zip(chunk, present, strict=True) if found is None]
        if fresh:
            ops = [op for unit in fresh for op in unit.ops]
            written = [str(op.item["sk"]) for op in ops if isinstance(op, Put)]
            marker = marker_put(user_id, job_id, batch, written, table.clock())
            try:
                await table.transact([*ops, marker])
            except TransactionCancelled:
                continue  # another writer stored one of them meanwhile: look again
        _count(report, chunk, fresh)
        return
    raise ImportFailed("the account kept changing while importing")


def _count(report: Report, chunk: list[_Unit], fresh: list[_Unit]) -> None:
    added = {id(unit) for unit in fresh}
    for unit in chunk:
        if id(unit) in added:
            report.imported += unit.rows
            if unit.kind == "session":
                report.sessions += 1
            elif unit.kind == "send":
                report.sends += 1
            else:
                report.other_records += 1
        else:
            report.duplicates += unit.rows  # a CSV's sends stand for no rows of their own


async def take_back(table: Table, user_id: str, job_id: str) -> int:
    """Delete everything import `job_id` wrote, by its batch markers; how many items.
    Idempotent: a take-back that was itself interrupted is finished by the next one."""
    jobs = ImportJobs(table)
    deleted = 0
    for marker in await jobs.markers(user_id, job_id):
        ops = ImportJobs.delete_ops(user_id, marker)
        # The marker goes last, with its last chunk, so a crash here leaves it to retry.
        for start in range(0, len(ops), MAX_TRANSACTION_OPS):
            await table.transact(ops[start : start + MAX_TRANSACTION_OPS])
        deleted += len(ops) - 1
    return deleted


async def forget_markers(table: Table, user_id: str, job_id: str) -> None:
    """Drop a finished import's markers: its records are the account's now."""
    jobs = ImportJobs(table)
    pk = user_pk(user_id)
    markers = await jobs.markers(user_id, job_id)
    for start in range(0, len(markers), MAX_TRANSACTION_OPS):
        chunk = markers[start : start + MAX_TRANSACTION_OPS]
        await table.transact([Delete(pk, str(item["sk"])) for item in chunk])


async def _units(table: Table, user_id: str, parsed: Parsed) -> list[_Unit]:
    pk = user_pk(user_id)
    journal, sends = JournalRepo(table), SendRepo(table)
    units = [
        _Unit(journal.insert_operations(user_id, entry), rows, "session")
        for entry, rows in parsed.entries
    ]
    units += [_Unit(sends.insert_operations(user_id, send), 0, "send") for send in parsed.sends]
    json_rows = 1 if parsed.report.format == "v7-json" else 0
    if json_rows:
        for unit in units:
            unit.rows = 1
    goals, injuries, plans = GoalRepo(table), InjuryRepo(table), PlanRepo(table)
    units += [_Unit(goals.insert_operations(user_id, goal), 1, "other") for goal in parsed.goals]
    units += [
        _Unit(injuries.insert_operations(user_id, each), 1, "other") for each in parsed.injuries
    ]
    has_active = bool(parsed.plans) and bool(await plans.active(user_id))
    for plan in parsed.plans:
        # At most one plan is active: one imported into an account that has one stays aside.
        kept = plan.model_copy(update={"active": False}) if has_active and plan.active else plan
        units.append(_Unit(plans.insert_operations(user_id, kept), 1, "other"))
    units += [
        _Unit([_put(log, pk, log_key(log.date))], 1, "other") for log in parsed.nutrition_logs
    ]
    units += [
        _Unit([_put(each, pk, chat_key(each.ts, each.id))], 1, "other") for each in parsed.chat
    ]
    if parsed.athlete_profile is not None:
        units.append(_Unit([_put(parsed.athlete_profile, pk, ATHLETE)], 1, "other"))
    if parsed.nutrition_profile is not None:
        units.append(_Unit([_put(parsed.nutrition_profile, pk, NUTRITION)], 1, "other"))
    return units


def _put(record: Record, pk: str, sk: str) -> Put:
    assert isinstance(record, Stored)
    return Put(to_item(record, pk, sk), Absent())
