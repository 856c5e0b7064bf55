"""A session that leaves the journal gives its weekly entry back, and every count of the week's
entries agrees: the Redis counter, its rebuild from the store, and the store fallback that
`usage` (the badge) reads while Redis does not answer.

The bug these pin down: a free climber logged three sessions and undid one; after a reload the
badge said "1 entry left" while `/log` was refused. Redis counted entries logged this week and
never gave an undone one back (3), while the store's count, which `usage` falls back to when a
Redis answer is late and which rebuilds a lost counter, counted the entries DATED this week that
were still there (2). Two definitions of one number; now there is one: logged this week (by
`createdAt`) and still in the journal.
"""

from __future__ import annotations

import signal
from datetime import date, timedelta

import pytest
from redis.asyncio import Redis

from quotas.errors import QuotaExceeded
from quotas.quota import Quotas
from quotas.scripts import quota_keys
from server.redis_url import url_client
from store.records.journal import JournalEntry, JournalEntryIn
from store.repos.journal import JournalRepo
from store.table import Table
from tests.clock import FrozenClock, at
from tests.redis_servers import TcpRedis, free_port

from .conftest import make_quotas, user

WEDNESDAY = at("2026-11-18T15:00:00")
"""Inside ISO week 2026-W47 (Monday 2026-11-16 to Sunday 2026-11-22)."""


def session(day: date) -> JournalEntryIn:
    return JournalEntryIn.model_validate({"date": day, "sessionType": "gym", "duration": 60})


async def log(quotas: Quotas, journal: JournalRepo, uid: str, day: date) -> JournalEntry:
    """What `/log` does: hold a weekly entry, write the session, keep the entry."""
    async with quotas.journal_slot(uid, "free"):
        return await journal.create(uid, session(day))


async def undo(quotas: Quotas, journal: JournalRepo, uid: str, entry: JournalEntry) -> bool:
    """What `/undo` of that session does: delete it, then give its entry back."""
    await journal.delete(uid, entry.id)
    return await quotas.release_journal(uid, entry.created_at)


def store_only(table: Table, clock: FrozenClock) -> Quotas:
    """The same quota service with a Redis that refuses every connection: what `usage` reads
    when Redis does not answer in time (the store fallback)."""
    dead = url_client(f"redis://127.0.0.1:{free_port()}/0")
    return make_quotas(dead, table, clock=clock)


async def test_the_badge_after_a_reload_says_what_log_will_do(redis: Redis, table: Table) -> None:
    clock = FrozenClock(WEDNESDAY)
    quotas = make_quotas(redis, table, clock=clock)
    journal = JournalRepo(table)
    uid = user()
    today = clock().date()
    # Two sessions of today and one from last week, all logged this week.
    await log(quotas, journal, uid, today)
    last = await log(quotas, journal, uid, today)
    await log(quotas, journal, uid, today - timedelta(days=9))
    with pytest.raises(QuotaExceeded):
        await quotas.reserve_journal(uid, "free")
    # Redis slow at the reload: the badge comes from the store, and says the same.
    assert (await store_only(table, clock).usage(uid, "free")).journal_entries.remaining == 0

    assert await undo(quotas, journal, uid, last)
    badge = (await quotas.usage(uid, "free")).journal_entries
    fallback = (await store_only(table, clock).usage(uid, "free")).journal_entries
    assert (badge.used, badge.remaining) == (2, 1)
    assert (fallback.used, fallback.remaining) == (2, 1)
    async with quotas.journal_slot(uid, "free"):  # and /log agrees: one more, then no more
        await journal.create(uid, session(today))
    with pytest.raises(QuotaExceeded):
        await quotas.reserve_journal(uid, "free")


async def test_a_lost_counter_is_rebuilt_to_what_it_said(redis: Redis, table: Table) -> None:
    clock = FrozenClock(WEDNESDAY)
    quotas = make_quotas(redis, table, clock=clock)
    journal = JournalRepo(table)
    uid = user()
    kept = await log(quotas, journal, uid, clock().date() - timedelta(days=30))
    undone = await log(quotas, journal, uid, clock().date())
    assert await undo(quotas, journal, uid, undone)
    assert (await quotas.usage(uid, "free")).journal_entries.used == 1

    await redis.flushall()

    assert (await quotas.usage(uid, "free")).journal_entries.used == 1
    # A session moved to another day still counts in the week it was logged in.
    await journal.update(uid, kept.id, {"date": clock().date().isoformat()})
    await redis.flushall()
    assert (await quotas.usage(uid, "free")).journal_entries.used == 1


async def test_only_the_week_an_entry_was_logged_in_gets_it_back(
    redis: Redis, table: Table
) -> None:
    sunday = FrozenClock(at("2026-11-22T23:30:00"))
    quotas = make_quotas(redis, table, clock=sunday)
    journal = JournalRepo(table)
    uid = user()
    old = await log(quotas, journal, uid, sunday().date())
    sunday.advance(timedelta(hours=1))  # Monday 00:30: a new ISO week
    fresh = await log(quotas, journal, uid, sunday().date() - timedelta(days=1))  # dated Sunday
    assert (await quotas.usage(uid, "free")).journal_entries.used == 1

    assert not await undo(quotas, journal, uid, old)  # logged last week: that week is over
    assert (await quotas.usage(uid, "free")).journal_entries.used == 1
    assert await undo(quotas, journal, uid, fresh)  # logged this week, whatever its date
    assert (await quotas.usage(uid, "free")).journal_entries.used == 0
    # Nothing more to give back: a counter never goes below zero.
    assert not await quotas.release_journal(uid, fresh.created_at)
    assert (await quotas.usage(uid, "free")).journal_entries.used == 0


async def test_a_release_redis_did_not_get_is_made_good_from_the_store(
    tcp_server: TcpRedis, table: Table
) -> None:
    assert tcp_server.process is not None
    clock = FrozenClock(WEDNESDAY)
    client = url_client(tcp_server.url)  # the production client: 100 ms per command
    quotas = make_quotas(client, table, clock=clock, timeout_s=0.25)
    journal = JournalRepo(table)
    uid = user()
    entries = [await log(quotas, journal, uid, clock().date()) for _ in range(3)]
    await journal.delete(uid, entries[0].id)
    tcp_server.process.send_signal(signal.SIGSTOP)
    try:
        assert await quotas.release_journal(uid, entries[0].created_at)  # times out
    finally:
        tcp_server.process.send_signal(signal.SIGCONT)
    # As if the release never reached Redis: the counter still says 3.
    used_key, _, _ = quota_keys(uid, "journal_entries", "2026-W47")
    await client.set(used_key, 3)

    usage = (await quotas.usage(uid, "free")).journal_entries
    assert (usage.used, usage.remaining) == (2, 1)  # rebuilt from the store
    await client.aclose()
