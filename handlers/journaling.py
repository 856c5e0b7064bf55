"""Writing to the journal under the tier's limits, written once for every way in: a slash command
(`handlers/chat.py`), a confirmed proposal (the same file) and a REST create
(`server/routes/pages.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from core.caller import Caller
from handlers.session import Allowances


@asynccontextmanager
async def journal_write(
    allowances: Allowances | None, caller: Caller, *, session: bool
) -> AsyncIterator[None]:
    """Write one entry inside this block. On entering, the write is counted against the
    journal-write rate (`rate_limited` if over; the block does not run); then, for a `session`,
    one of this ISO week's journal entries is held (`quota_exceeded` if none is left): kept if the
    block finishes, given back if it raises or is cancelled. Without `allowances` (a `Chat` with
    no quotas) nothing is counted."""
    if allowances is None:
        yield
        return
    await allowances.check_write(caller)
    if not session:
        yield
        return
    async with allowances.journal_entry(caller):
        yield
