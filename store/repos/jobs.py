"""Job records: `USER#{id}` / `JOB#{job}#{period}`, one per (job, user, period) a run took on.

The record is what keeps a scheduled job from doing a user's work twice, across re-runs,
crashes and processes (`server.jobs.runner` owns the rules). It is claimed before the work
(`running`, a conditional put: only one claimant wins) and marked `done` after it; a run that
fails for the user releases it so that a later run tries again. It lives in the user's
partition, so erasing the account erases it, and it expires with a `ttl` (DynamoDB deletes
it; reads here treat an expired one as absent), long after its period can come round again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from store.errors import ConditionFailed
from store.repos.base import user_pk
from store.table import VERSION, Absent, VersionIs

if TYPE_CHECKING:
    from store.table import Table

PREFIX = "JOB#"
KEEP = timedelta(days=60)
"""How long a record outlives its claim: longer than any period a job keys by (a week)."""


class JobState(StrEnum):
    RUNNING = "running"
    """Claimed: the work began and has not been marked done (or the run died meanwhile)."""
    DONE = "done"


@dataclass(frozen=True)
class JobRecord:
    job: str
    period: str
    state: JobState
    run_id: str
    claimed_at: datetime


def _sk(job: str, period: str) -> str:
    if not job or not period or "#" in job:
        raise ValueError("a job name must be non-empty and without '#'; a period non-empty")
    return f"{PREFIX}{job}#{period}"


class JobRecordRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def claim(
        self, user_id: str, job: str, period: str, *, run_id: str, now: datetime
    ) -> JobRecord | None:
        """Claim (job, period) for `user_id`: None when this run now holds it, else the record
        that was already there (done, or running under another or a crashed run)."""
        pk, sk = user_pk(user_id), _sk(job, period)
        item = {
            "pk": pk,
            "sk": sk,
            "job": job,
            "period": period,
            "state": JobState.RUNNING.value,
            "runId": run_id,
            "claimedAt": now.isoformat(),
            "ttl": int((now + KEEP).timestamp()),
        }
        for _ in range(3):
            try:
                await self.table.put(item, condition=Absent())
                return None
            except ConditionFailed:
                existing = await self.get(user_id, job, period, now=now)
                if existing is not None:
                    return existing
                # Expired but not yet removed by DynamoDB, or released meanwhile: take it over.
                await self.table.delete(pk, sk)
        raise ConditionFailed(pk, sk, "the job record kept changing")

    async def complete(self, user_id: str, job: str, period: str, *, now: datetime) -> None:
        """Mark the claimed record done (its work happened)."""
        await self.table.update(
            user_pk(user_id),
            _sk(job, period),
            set={"state": JobState.DONE.value, "doneAt": now.isoformat()},
        )

    async def release(self, user_id: str, job: str, period: str, *, run_id: str) -> None:
        """Delete this run's claim, so a later run does the work (it failed or was skipped).
        A claim of another run is left alone."""
        pk, sk = user_pk(user_id), _sk(job, period)
        item = await self.table.get(pk, sk)
        if item is None or item.get("runId") != run_id:
            return
        try:
            # Only the item read: never a claim another run made since.
            await self.table.delete(pk, sk, condition=VersionIs(int(item[VERSION])))
        except ConditionFailed:
            return

    async def get(self, user_id: str, job: str, period: str, *, now: datetime) -> JobRecord | None:
        """The record, or None (also when it has expired)."""
        item = await self.table.get(user_pk(user_id), _sk(job, period))
        if item is None or int(item.get("ttl", 0)) <= now.timestamp():
            return None
        return JobRecord(
            job=str(item["job"]),
            period=str(item["period"]),
            state=JobState(str(item["state"])),
            run_id=str(item["runId"]),
            claimed_at=datetime.fromisoformat(str(item["claimedAt"])),
        )
