"""Reservations whose process died: they expire, stop counting and are reconciled."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from quotas.errors import QuotaExceeded
from store.repos.usage import UsageRepo
from store.table import Table
from tests.clock import FrozenClock, at

from .conftest import make_quotas, user

NOW = at("2026-11-10T08:00:00")
TTL_S = 0.3


async def test_unsettled_reservations_expire_and_stop_counting(
    redis: Redis, sqlite_table: Table
) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW), ttl_s=TTL_S)
    uid = user()
    # Ten turns whose process "died": reserved, never settled.
    orphans = [await quotas.reserve(uid, "free") for _ in range(10)]
    with pytest.raises(QuotaExceeded):
        await quotas.reserve(uid, "free")
    await asyncio.sleep(TTL_S + 0.1)
    assert await quotas.reconcile(uid) == 10
    assert await quotas.reconcile(uid) == 0
    usage = (await quotas.usage(uid, "free")).ai_messages
    assert (usage.used, usage.remaining) == (0, 10)
    # Nobody was charged: the ledger has nothing for them.
    assert (await UsageRepo(sqlite_table).get(uid, "2026-11")).ai_messages == 0

    # A late commit (the process was slow, not dead) still counts: tokens were spent.
    assert await quotas.commit(orphans[0], "analyst", 50, 10)
    assert (await UsageRepo(sqlite_table).get(uid, "2026-11")).ai_messages == 1
    # A late refund changes nothing.
    await quotas.refund(orphans[1])
    assert (await quotas.usage(uid, "free")).ai_messages.used == 1


async def test_reserve_reconciles_lazily(redis: Redis, sqlite_table: Table) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW), ttl_s=TTL_S)
    uid = user()
    for _ in range(3):
        await quotas.reserve_journal(uid, "free")
    with pytest.raises(QuotaExceeded):
        await quotas.reserve_journal(uid, "free")
    await asyncio.sleep(TTL_S + 0.1)
    # No explicit reconcile: the next reservation sees the expired ones gone.
    granted = await asyncio.gather(*(quotas.reserve_journal(uid, "free") for _ in range(3)))
    assert len(granted) == 3
    assert (await quotas.usage(uid, "free")).journal_entries.used == 3


async def test_settled_reservations_are_not_touched_by_expiry(
    redis: Redis, sqlite_table: Table
) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW), ttl_s=TTL_S)
    uid = user()
    kept = await quotas.reserve(uid, "free")
    await quotas.commit(kept, "analyst", 1, 1)
    await asyncio.sleep(TTL_S + 0.1)
    assert await quotas.reconcile(uid) == 0
    assert (await quotas.usage(uid, "free")).ai_messages.used == 1
