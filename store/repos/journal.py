"""Journal entries (sessions): `USER#{id}` / `JOURNAL#{date}#{id}`, pointer `REF#JOURNAL#{id}`."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from store.records.common import as_utc
from store.records.journal import JournalEntry, JournalEntryIn
from store.repos.base import user_pk
from store.repos.entity import DatedRepo

if TYPE_CHECKING:
    from store.table import Table

_PAGE = 500


class JournalRepo(DatedRepo[JournalEntry, JournalEntryIn]):
    def __init__(self, table: Table) -> None:
        super().__init__(table, record=JournalEntry, input=JournalEntryIn, kind="JOURNAL")

    async def first_day(self, user_id: str) -> date | None:
        """The date of the user's earliest session (one query: oldest first, limit 1); None
        when the journal is empty. How long a climber has logged, whatever window is read.
        Raises what the store raises."""
        oldest = await self.list(user_id, newest_first=False, limit=1)
        return oldest.items[0].date if oldest.items else None

    async def count_logged(self, user_id: str, start: datetime, end: datetime) -> int:
        """How many of the user's entries were logged (`createdAt`) at `start` ≤ t < `end`,
        whatever day each session was on, counting only those still in the journal.

        The sort keys order entries by the session's date, not by when it was logged (a session
        from last year may be logged today), so this reads every entry's item, a page at a
        time, without validating it as a record. Raises what the store raises."""
        low, high = as_utc(start), as_utc(end)
        count = 0
        cursor: str | None = None
        while True:
            page = await self.table.query(
                user_pk(user_id), sk_prefix=f"{self.kind}#", limit=_PAGE, cursor=cursor
            )
            for item in page.items:
                logged = _instant(item.get("createdAt"))
                if logged is not None and low <= logged < high:
                    count += 1
            cursor = page.cursor
            if cursor is None:
                return count


def _instant(value: object) -> datetime | None:
    """A stored `createdAt` (pydantic's ISO 8601 with "Z") as a UTC instant; None if absent or
    unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None
