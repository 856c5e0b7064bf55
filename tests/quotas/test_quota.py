"""AI messages per month and journal entries per ISO week: reserve, commit, refund."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from core.clock import system_clock
from quotas.errors import QuotaExceeded
from quotas.quota import KEY_GRACE, Reservation
from quotas.scripts import quota_keys
from quotas.windows import month_window
from store.repos.journal import JournalRepo
from store.repos.usage import UsageRepo
from store.table import Table
from tests.clock import FrozenClock, at

from .conftest import eventually, make_quotas, today_entry, use_ai, user

NOW = at("2026-11-22T12:00:00")


async def test_commit_counts_the_message_and_records_model_and_tokens(
    redis: Redis, sqlite_table: Table
) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW))
    uid = user()
    reservation = await quotas.reserve(uid, "free")
    assert (await quotas.usage(uid, "free")).ai_messages.used == 1  # in flight counts
    assert await quotas.commit(reservation, "bedrock-sonnet", 1200, 340)
    usage = await quotas.usage(uid, "free")
    assert usage.ai_messages.model_dump(mode="json") == {
        "limit": 10,
        "used": 1,
        "remaining": 9,
        "resets_at": "2026-12-01T00:00:00Z",
    }
    ledger = await UsageRepo(sqlite_table).get(uid, "2026-11")
    assert (ledger.ai_messages, ledger.input_tokens, ledger.output_tokens) == (1, 1200, 340)
    assert ledger.by_model["bedrock-sonnet"].output_tokens == 340


async def test_refund_gives_the_message_back_and_records_nothing(
    redis: Redis, sqlite_table: Table
) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW))
    uid = user()
    reservation = await quotas.reserve(uid, "free")
    assert await quotas.refund(reservation)
    assert (await quotas.usage(uid, "free")).ai_messages.used == 0
    assert (await UsageRepo(sqlite_table).get(uid, "2026-11")).ai_messages == 0


async def test_a_second_settle_is_a_no_op_in_every_order(redis: Redis, sqlite_table: Table) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW))
    uid = user()
    committed = await quotas.reserve(uid, "free")
    assert await quotas.commit(committed, "analyst", 10, 5)
    assert not await quotas.commit(committed, "analyst", 10, 5)
    assert not await quotas.refund(committed)
    # Another process holding the same reservation id (a copy) cannot settle it again either.
    copy = replace(committed)
    assert not copy.settled
    assert not await quotas.commit(copy, "analyst", 10, 5)
    assert not await quotas.refund(replace(committed))

    refunded = await quotas.reserve(uid, "free")
    assert await quotas.refund(refunded)
    assert not await quotas.refund(refunded)
    assert not await quotas.commit(refunded, "analyst", 10, 5)
    assert not await quotas.commit(replace(refunded), "analyst", 10, 5)

    assert (await quotas.usage(uid, "free")).ai_messages.used == 1
    assert (await UsageRepo(sqlite_table).get(uid, "2026-11")).ai_messages == 1


async def test_quota_exceeded_carries_the_reset_instant(redis: Redis, sqlite_table: Table) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW))
    uid = user()
    await use_ai(quotas, uid, "free", 9)
    in_flight = await quotas.reserve(uid, "free")  # the tenth, not settled yet
    with pytest.raises(QuotaExceeded) as refused:
        await quotas.reserve(uid, "free")
    error = refused.value
    assert (error.code, error.kind, error.limit, error.used) == (
        "quota_exceeded",
        "ai_messages",
        10,
        10,
    )
    assert error.resets_at == at("2026-12-01T00:00:00")
    assert error.retry_after_ms == int((error.resets_at - NOW).total_seconds() * 1000)
    # A refund of the in-flight one frees exactly one slot.
    await quotas.refund(in_flight)
    await quotas.reserve(uid, "free")
    usage = (await quotas.usage(uid, "free")).ai_messages
    assert (usage.used, usage.remaining) == (10, 0)


@pytest.mark.alone
async def test_fifty_concurrent_reservations_at_nine_of_ten_grant_exactly_one(
    redis: Redis, sqlite_table: Table
) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW))
    uid = user()
    await use_ai(quotas, uid, "free", 9)
    results = await asyncio.gather(
        *(quotas.reserve(uid, "free") for _ in range(50)), return_exceptions=True
    )
    granted = [r for r in results if isinstance(r, Reservation)]
    assert len(granted) == 1
    assert all(isinstance(r, QuotaExceeded) for r in results if r not in granted)


async def test_month_boundary_resets_and_late_settles_land_in_their_month(
    redis: Redis, sqlite_table: Table
) -> None:
    clock = FrozenClock(at("2026-11-30T23:59:58"))
    quotas = make_quotas(redis, sqlite_table, clock=clock)
    uid = user()
    await use_ai(quotas, uid, "free", 9)
    late = await quotas.reserve(uid, "free")
    clock.now = at("2026-11-30T23:59:59.999999")
    with pytest.raises(QuotaExceeded) as refused:
        await quotas.reserve(uid, "free")
    assert refused.value.resets_at == at("2026-12-01T00:00:00")

    clock.now = at("2026-12-01T00:00:00")
    december = await quotas.reserve(uid, "free")
    assert await quotas.commit(late, "analyst", 1, 1)  # settles November's reservation
    assert await quotas.commit(december, "analyst", 1, 1)
    usage = (await quotas.usage(uid, "free")).ai_messages
    assert (usage.used, usage.resets_at) == (1, at("2027-01-01T00:00:00"))
    ledger = UsageRepo(sqlite_table)
    assert (await ledger.get(uid, "2026-11")).ai_messages == 10
    assert (await ledger.get(uid, "2026-12")).ai_messages == 1


async def test_tier_change_mid_month_keeps_what_was_used(redis: Redis, sqlite_table: Table) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW))
    uid = user()
    await use_ai(quotas, uid, "free", 10)
    with pytest.raises(QuotaExceeded):
        await quotas.reserve(uid, "free")
    # Upgraded: the same 10 used, against the new limit.
    await use_ai(quotas, uid, "pro", 1)
    pro = (await quotas.usage(uid, "pro")).ai_messages
    assert (pro.limit, pro.used, pro.remaining) == (100, 11, 89)
    premium = (await quotas.usage(uid, "premium")).ai_messages
    assert (premium.limit, premium.used, premium.remaining) == (None, 11, None)
    # Downgraded again: over the free limit, nothing fresh.
    free = (await quotas.usage(uid, "free")).ai_messages
    assert (free.limit, free.used, free.remaining) == (10, 11, 0)
    with pytest.raises(QuotaExceeded):
        await quotas.reserve(uid, "free")


async def test_unlimited_tier_is_counted_but_never_refused(
    redis: Redis, sqlite_table: Table
) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW))
    uid = user()
    results = await asyncio.gather(*(quotas.reserve(uid, "premium") for _ in range(30)))
    assert len({r.id for r in results}) == 30
    assert (await quotas.usage(uid, "premium")).ai_messages.used == 30


@pytest.mark.alone
async def test_twenty_concurrent_journal_writes_at_two_of_three_save_exactly_one(
    redis: Redis, sqlite_table: Table
) -> None:
    clock = FrozenClock(NOW)
    quotas = make_quotas(redis, sqlite_table, clock=clock)
    journal = JournalRepo(sqlite_table)
    uid = user()
    for _ in range(2):
        async with quotas.journal_slot(uid, "free"):
            await journal.create(uid, today_entry(clock))

    async def log_session() -> None:
        async with quotas.journal_slot(uid, "free"):
            await journal.create(uid, today_entry(clock))

    results = await asyncio.gather(*(log_session() for _ in range(20)), return_exceptions=True)
    assert sum(r is None for r in results) == 1
    refusals = [r for r in results if r is not None]
    assert all(isinstance(r, QuotaExceeded) and r.kind == "journal_entries" for r in refusals)
    assert len((await journal.list(uid)).items) == 3
    usage = (await quotas.usage(uid, "free")).journal_entries
    assert (usage.limit, usage.used, usage.remaining) == (3, 3, 0)


async def test_failed_journal_write_is_refunded(redis: Redis, sqlite_table: Table) -> None:
    quotas = make_quotas(redis, sqlite_table)
    uid = user()
    with pytest.raises(RuntimeError):
        async with quotas.journal_slot(uid, "free"):
            raise RuntimeError("store write failed")
    assert (await quotas.usage(uid, "free")).journal_entries.used == 0
    slot = await quotas.reserve_journal(uid, "free")
    assert await quotas.commit_journal(slot)
    assert not await quotas.commit_journal(slot)
    assert not await quotas.refund(slot)
    with pytest.raises(ValueError, match="commit_journal"):
        await quotas.commit(await quotas.reserve_journal(uid, "free"), "analyst", 1, 1)
    assert (await quotas.usage(uid, "free")).journal_entries.used == 2  # one still in flight


async def test_journal_week_boundary(redis: Redis, sqlite_table: Table) -> None:
    clock = FrozenClock(at("2027-01-03T23:59:59"))  # Sunday of 2026-W53
    quotas = make_quotas(redis, sqlite_table, clock=clock)
    uid = user()
    for _ in range(3):
        assert await quotas.commit_journal(await quotas.reserve_journal(uid, "free"))
    with pytest.raises(QuotaExceeded) as refused:
        await quotas.reserve_journal(uid, "free")
    assert refused.value.resets_at == at("2027-01-04T00:00:00")
    clock.now = at("2027-01-04T00:00:00")  # Monday of 2027-W01
    await quotas.reserve_journal(uid, "free")
    week = (await quotas.usage(uid, "free")).journal_entries
    assert (week.used, week.resets_at) == (1, at("2027-01-11T00:00:00"))
    assert (await quotas.usage(uid, "pro")).journal_entries.limit is None


async def test_commit_finishes_even_if_the_caller_is_cancelled(
    redis: Redis, sqlite_table: Table
) -> None:
    quotas = make_quotas(redis, sqlite_table, clock=FrozenClock(NOW))
    uid = user()
    reservation = await quotas.reserve(uid, "free")
    task = asyncio.create_task(quotas.commit(reservation, "analyst", 7, 3))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    ledger = UsageRepo(sqlite_table)

    async def recorded() -> bool:
        return (await ledger.get(uid, "2026-11")).ai_messages == 1

    await eventually(recorded)
    assert (await quotas.usage(uid, "free")).ai_messages.used == 1


@pytest.mark.parametrize("skew_days", [-90, 0, 90])
async def test_counters_outlive_their_window_whatever_date_redis_keeps(
    redis: Redis, sqlite_table: Table, skew_days: int
) -> None:
    # The app's clock picks the window; Redis's own clock runs the key expiry. The two need
    # only agree on how long a millisecond is: an app clock months away from Redis's (a test
    # clock, a skewed host) must neither expire the counters at once nor keep them forever.
    seconds, _ = await redis.time()
    clock = FrozenClock(datetime.fromtimestamp(seconds, UTC) + timedelta(days=skew_days))
    quotas = make_quotas(redis, sqlite_table, clock=clock)
    uid = user()
    await use_ai(quotas, uid, "free", 2)
    window = month_window(clock())
    used_key, _, settled_key = quota_keys(uid, "ai_messages", window.key)
    expected_ms = ((window.resets_at - clock()) + KEY_GRACE).total_seconds() * 1000
    for key in (used_key, settled_key):
        left_ms = await redis.pttl(key)
        assert expected_ms - 60_000 <= left_ms <= expected_ms
    assert (await quotas.usage(uid, "free")).ai_messages.used == 2


async def test_redis_keeps_the_time_of_this_process(redis: Redis) -> None:
    # Rate limits and reservation expiry run on Redis's clock: under `make test-dates` this
    # shows the redis-server child runs on the same (fake) time as the test process.
    seconds, micros = await redis.time()
    assert abs(seconds + micros / 1e6 - system_clock().timestamp()) < 5
