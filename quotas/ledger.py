"""The durable side of the quotas, in the store: the monthly usage ledger (AI messages and
tokens per model) and the journal entries themselves.

A week's journal count is what the Redis counter counts: the entries logged (`createdAt`) in
that ISO week that are still in the journal, whatever day each session was on. An entry undone
or deleted is gone from the store and, if it was logged this week, its count is given back in
Redis too (`Quotas.release_journal`), so a counter and its rebuild always agree.

Redis counters are rebuilt from here when they are missing (a flushed or fresh Redis), and the
degraded paths read these counts while Redis is down, so nobody ever gets a fresh quota.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from store.repos.journal import JournalRepo
from store.repos.usage import UsageRepo

if TYPE_CHECKING:
    from quotas.windows import Window
    from store.table import Table

log = logging.getLogger(__name__)

LEDGER_ATTEMPTS = 3


class StoreCounts:
    """Counts read from (and usage written to) the single table."""

    def __init__(self, table: Table) -> None:
        self.usage = UsageRepo(table)
        self.journal = JournalRepo(table)

    async def ai_messages(self, user_id: str, month: str) -> int:
        """AI messages recorded in the ledger for `month` (`YYYY-MM`)."""
        return (await self.usage.get(user_id, month)).ai_messages

    async def journal_entries(self, user_id: str, week: Window) -> int:
        """The user's journal entries logged inside `week` and still in the journal."""
        return await self.journal.count_logged(user_id, week.start, week.resets_at)

    async def record(
        self, user_id: str, month: str, model: str, input_tokens: int, output_tokens: int
    ) -> bool:
        """Add one AI message to the ledger, retrying a failing store briefly. Returns False
        (and logs an error) if it could not be written: the reply was already delivered, so
        the caller's turn must not fail for it."""
        for attempt in range(LEDGER_ATTEMPTS):
            try:
                await self.usage.record(user_id, month, model, input_tokens, output_tokens)
                return True
            except ValueError:
                raise
            except Exception as exc:
                if attempt == LEDGER_ATTEMPTS - 1:
                    log.error(
                        "usage ledger write failed; this AI message is counted in redis only",
                        extra={"month": month, "model": model, "error": type(exc).__name__},
                    )
                    return False
                await asyncio.sleep(0.05 * 2**attempt)
        return False
