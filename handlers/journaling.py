"""Writing to the journal under the tier's limits, written once for every way in: a slash command
(`handlers/chat.py`), a confirmed proposal (the same file) and a REST create
(`server/routes/pages.py`); and giving a session's weekly entry back when it leaves the journal
(`/undo`, a REST delete)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from core.caller import Caller
from handlers.session import Allowances

log = logging.getLogger("v7.journal")


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


async def session_removed(
    allowances: Allowances | None, caller: Caller, logged_at: datetime
) -> None:
    """A session logged at `logged_at` (its `createdAt`) is gone from the journal: its weekly
    journal entry is given back if it was counted in the current ISO week (see
    `Allowances.release_journal`). Call it once, after the delete. Never raises: the entry is
    gone whatever happens here, and that is what the climber must be told."""
    if allowances is None:
        return
    try:
        await allowances.release_journal(caller, logged_at)
    except Exception:
        log.exception("a removed session's journal entry was not given back")
