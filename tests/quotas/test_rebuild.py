"""Redis loses its data (FLUSHALL, a fresh node): counters are rebuilt from the store."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from quotas.errors import QuotaExceeded
from quotas.quota import Reservation
from store.repos.journal import JournalRepo
from store.repos.usage import UsageRepo
from store.table import Table
from tests.clock import FrozenClock, at

from .conftest import make_quotas, today_entry, use_ai, user

NOW = at("2026-11-18T15:00:00")


async def test_flushall_mid_month_gives_nobody_a_fresh_quota(redis: Redis, table: Table) -> None:
    # Both store engines; one operation at a time (moto's DynamoDB and concurrent transactions
    # do not mix).
    clock = FrozenClock(NOW)
    quotas = make_quotas(redis, table, clock=clock)
    journal = JournalRepo(table)
    uid = user()
    await use_ai(quotas, uid, "free", 4)
    for _ in range(2):
        async with quotas.journal_slot(uid, "free"):
            await journal.create(uid, today_entry(clock))

    await redis.flushall()

    usage = await quotas.usage(uid, "free")
    assert (usage.ai_messages.used, usage.ai_messages.remaining) == (4, 6)
    # The journal week is the clock's week (entries are dated by the same clock).
    assert usage.journal_entries.used == 2
    await use_ai(quotas, uid, "free", 6)
    with pytest.raises(QuotaExceeded) as ai_refused:
        await quotas.reserve(uid, "free")
    assert ai_refused.value.used == 10
    async with quotas.journal_slot(uid, "free"):
        await journal.create(uid, today_entry(clock))
    with pytest.raises(QuotaExceeded) as journal_refused:
        await quotas.reserve_journal(uid, "free")
    assert journal_refused.value.used == 3


async def test_concurrent_first_use_after_a_flush_seeds_once(
    redis: Redis, sqlite_table: Table
) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW))
    uid = user()
    await UsageRepo(sqlite_table).record(uid, "2026-11", "analyst", 900, 90, messages=9)
    # Redis knows nothing of this user (a fresh node); 50 racing first reservations.
    results = await asyncio.gather(
        *(quotas.reserve(uid, "free") for _ in range(50)), return_exceptions=True
    )
    assert sum(isinstance(r, Reservation) for r in results) == 1
    assert (await quotas.usage(uid, "free")).ai_messages.used == 10


async def test_settles_across_a_flush_count_once(redis: Redis, sqlite_table: Table) -> None:
    clock = FrozenClock(NOW)
    quotas = make_quotas(redis, sqlite_table, clock=clock)
    journal = JournalRepo(sqlite_table)
    uid = user()
    await use_ai(quotas, uid, "free", 2)
    turn = await quotas.reserve(uid, "free")
    async with quotas.journal_slot(uid, "free"):
        await journal.create(uid, today_entry(clock))
    slot = await quotas.reserve_journal(uid, "free")
    await journal.create(uid, today_entry(clock))

    await redis.flushall()  # mid-turn and mid-write

    # The AI counter is rebuilt from the ledger (2) plus this message; the journal counter
    # from the store, which already holds the entry being committed: 2, not 3.
    assert await quotas.commit(turn, "analyst", 1, 1)
    assert await quotas.commit_journal(slot)
    usage = await quotas.usage(uid, "free")
    assert usage.ai_messages.used == 3
    assert usage.journal_entries.used == 2
    assert (await UsageRepo(sqlite_table).get(uid, "2026-11")).ai_messages == 3
