"""Import jobs and what each wrote: `USER#{id}` / `IMPORT#{jobId}` and `IMPORTED#{jobId}#{n}`.

The job item is the one truth about an import every process reads (`GET /users/import/{id}`):
its state, progress, heartbeat (`updatedAt`) and final report. Each batch of records an import
writes carries, in the same transaction, a marker item listing the sort keys it created, so an
import that died half-way can be taken back exactly (`written`), whatever process finds it.
Both live in the user's partition (erasure removes them), are never exported, and expire
with a `ttl`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from store.repos.base import user_pk
from store.table import Absent, Delete, Item, Put

if TYPE_CHECKING:
    from store.table import Table

JOB_PREFIX = "IMPORT#"
MARKER_PREFIX = "IMPORTED#"
KEEP = timedelta(days=30)
"""How long a job's record (and any marker left behind) is kept."""


def job_key(job_id: str) -> str:
    return f"{JOB_PREFIX}{job_id}"


def marker_put(user_id: str, job_id: str, batch: int, written: Sequence[str], now: datetime) -> Put:
    """The marker of one batch: written in the batch's own transaction, never alone."""
    item: Item = {
        "pk": user_pk(user_id),
        "sk": f"{MARKER_PREFIX}{job_id}#{batch:07d}",
        "written": list(written),
        "ttl": int((now + KEEP).timestamp()),
    }
    return Put(item, Absent())


class ImportJobs:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def create(self, user_id: str, job_id: str, body: dict[str, Any]) -> None:
        now = self.table.clock()
        item = {
            **body,
            "pk": user_pk(user_id),
            "sk": job_key(job_id),
            "ttl": int((now + KEEP).timestamp()),
        }
        await self.table.put(item, condition=Absent())

    async def update(self, user_id: str, job_id: str, changes: dict[str, Any]) -> None:
        await self.table.update(user_pk(user_id), job_key(job_id), set=changes)

    async def get(self, user_id: str, job_id: str) -> Item | None:
        if not job_id or "#" in job_id:
            return None
        return await self.table.get(user_pk(user_id), job_key(job_id))

    async def all(self, user_id: str) -> list[Item]:
        """Every import job of the user (few: one per import in the last 30 days)."""
        # Without a limit a query answers every match in one page (`Table.query`).
        return (await self.table.query(user_pk(user_id), sk_prefix=JOB_PREFIX)).items

    async def markers(self, user_id: str, job_id: str) -> list[Item]:
        """The markers of the job's batches, in the order they were written."""
        prefix = f"{MARKER_PREFIX}{job_id}#"
        return (await self.table.query(user_pk(user_id), sk_prefix=prefix)).items

    @staticmethod
    def delete_ops(user_id: str, marker: Item) -> list[Delete]:
        """What takes one batch back: its items, then its marker (deletes are idempotent)."""
        pk = user_pk(user_id)
        written = marker.get("written") or []
        return [*(Delete(pk, str(sk)) for sk in written), Delete(pk, str(marker["sk"]))]
