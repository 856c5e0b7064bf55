"""Redis slow (paused with SIGSTOP) or down (killed), with the production timeouts.

Checks give up within the 100 ms command timeout; rate limits and journal writes fail open; AI
messages get a small degraded allowance and then `model_unavailable`; everything returns to
normal by itself when Redis is back, without restarting the app (the client is never rebuilt).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import statistics
import time
from pathlib import Path

import pytest
from redis.asyncio import Redis

from quotas.errors import QuotaExceeded, QuotaUnavailable
from quotas.limiter import RateLimiter
from quotas.policy import load_policy
from quotas.quota import Quotas
from quotas.unavailable import REDIS_DOWN, RedisGate
from server.redis_url import CHECK_SLOTS, open_redis, url_client
from store.repos.journal import JournalRepo
from store.repos.usage import UsageRepo
from store.table import Table
from tests.clock import FrozenClock, at
from tests.redis_servers import TcpRedis

from .conftest import eventually, today_entry, use_ai, user

NOT_YET: tuple[type[BaseException], ...] = (*REDIS_DOWN, ValueError)
FREE_DEGRADED = load_policy().tier("free").degraded_ai_messages_per_hour


CLOCK = FrozenClock(at("2026-11-18T15:00:00"))
MONTH = "2026-11"


def quotas_on(client: Redis, table: Table) -> Quotas:
    """The production quota service (its own timeouts) on `table`, both at `CLOCK`."""
    table.clock = CLOCK
    return Quotas(client, load_policy(), table, clock=CLOCK)


async def test_paused_redis_times_out_fast_and_degrades(
    tcp_server: TcpRedis, sqlite_table: Table
) -> None:
    assert tcp_server.process is not None
    client = url_client(tcp_server.url)
    quotas = quotas_on(client, sqlite_table)
    limiter = RateLimiter(client, load_policy())
    uid = user()
    await use_ai(quotas, uid, "free", 3)
    tcp_server.process.send_signal(signal.SIGSTOP)
    try:
        elapsed = []
        for _ in range(5):
            started = time.perf_counter()
            decision = await limiter.check(uid, "free", "rest_calls")
            elapsed.append(time.perf_counter() - started)
            assert decision.allowed  # fails open
            assert decision.degraded
        assert statistics.median(elapsed) < 0.2
        assert max(elapsed) < 0.5

        # AI: the degraded allowance, then model_unavailable.
        granted = [await quotas.reserve(uid, "free") for _ in range(FREE_DEGRADED)]
        assert all(r.degraded for r in granted)
        with pytest.raises(QuotaUnavailable) as refused:
            await quotas.reserve(uid, "free")
        assert refused.value.code == "model_unavailable"
        retry_ms = refused.value.retry_after_ms
        assert retry_ms is not None
        assert 0 < retry_ms <= 3_600_000
        # A refund gives the degraded slot back; a commit reaches the ledger.
        assert await quotas.refund(granted[0])
        assert (await quotas.reserve(uid, "free")).degraded
        assert await quotas.commit(granted[1], "analyst", 10, 10)
        assert (await UsageRepo(sqlite_table).get(uid, MONTH)).ai_messages == 4

        # Journal: fails open.
        slot = await quotas.reserve_journal(uid, "free")
        assert slot.degraded
        assert await quotas.commit_journal(slot)
        # Where the user stands comes from the store meanwhile.
        assert (await quotas.usage(uid, "free")).ai_messages.used == 4
    finally:
        tcp_server.process.send_signal(signal.SIGCONT)

    back = await quotas.reserve(uid, "free")
    assert not back.degraded
    assert not (await limiter.check(uid, "free", "rest_calls")).degraded
    await client.aclose()


@pytest.mark.alone
async def test_a_burst_of_checks_on_a_healthy_redis_is_never_taken_for_an_outage(
    tcp_server: TcpRedis, sqlite_table: Table, caplog: pytest.LogCaptureFixture
) -> None:
    # 2,000 rate checks and 300 AI reservations at once on the production client (its pool,
    # 100 ms command timeouts): they queue for a turn at Redis, none degrades.
    client = url_client(tcp_server.url)
    gate = RedisGate(CHECK_SLOTS)
    table = sqlite_table
    table.clock = CLOCK
    quotas = Quotas(client, load_policy(), table, clock=CLOCK, gate=gate)
    limiter = RateLimiter(client, load_policy(), gate=gate)
    with caplog.at_level(logging.WARNING):
        checks, reservations = await asyncio.gather(
            asyncio.gather(*(limiter.check(user(), "premium", "rest_calls") for _ in range(2000))),
            asyncio.gather(*(quotas.reserve(user(), "premium") for _ in range(300))),
        )
    assert not [decision for decision in checks if decision.degraded]
    assert not [reservation for reservation in reservations if reservation.degraded]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    await client.aclose()


async def test_degraded_mode_never_exceeds_the_monthly_quota_in_the_ledger(
    tcp_server: TcpRedis, sqlite_table: Table
) -> None:
    client = url_client(tcp_server.url)
    quotas = quotas_on(client, sqlite_table)
    uid = user()
    await use_ai(quotas, uid, "free", 10)
    tcp_server.kill()
    with pytest.raises(QuotaExceeded) as refused:
        await quotas.reserve(uid, "free")
    assert refused.value.used == 10
    await client.aclose()


async def test_killed_and_restarted_external_redis(
    tcp_server: TcpRedis, sqlite_table: Table
) -> None:
    client = url_client(tcp_server.url)
    quotas = quotas_on(client, sqlite_table)
    limiter = RateLimiter(client, load_policy())
    uid = user()
    await use_ai(quotas, uid, "free", 3)

    tcp_server.kill()
    started = time.perf_counter()
    assert (await limiter.check(uid, "free", "ai_messages")).degraded
    assert time.perf_counter() - started < 0.5
    down = await quotas.reserve(uid, "free")
    assert down.degraded
    await quotas.commit(down, "analyst", 5, 5)  # ledger only

    tcp_server.start()  # a fresh, empty node on the same address
    up = await quotas.reserve(uid, "free")
    assert not up.degraded
    # Rebuilt from the ledger, including the message committed while Redis was down.
    assert (await quotas.usage(uid, "free")).ai_messages.used == 5
    await client.aclose()


async def test_embedded_redis_is_restarted_by_its_supervisor(
    tmp_path: Path, sqlite_table: Table, caplog: pytest.LogCaptureFixture
) -> None:
    async with open_redis("embedded://", tmp_path) as client:
        quotas = quotas_on(client, sqlite_table)
        uid = user()
        await use_ai(quotas, uid, "free", 2)
        await client.set("probe", "kept")
        pid_file = tmp_path / "redis" / "redis.pid"
        pid = int(pid_file.read_text())

        os.kill(pid, signal.SIGSTOP)
        started = time.perf_counter()
        stalled = await quotas.reserve(uid, "free")
        assert stalled.degraded
        assert time.perf_counter() - started < 1.0  # ~100 ms + a store read
        os.kill(pid, signal.SIGKILL)  # the supervisor notices and starts a new one

        async def restarted() -> bool:
            try:
                return int(pid_file.read_text()) != pid and await client.ping()
            except NOT_YET:
                return False

        await eventually(restarted)
        assert not (await quotas.reserve(uid, "free")).degraded
        assert await client.get("probe") == b"kept"  # the append-only file kept the data
        assert any("exited; restarting" in r.getMessage() for r in caplog.records)
        assert (await quotas.usage(uid, "free")).ai_messages.used == 3


async def test_settling_a_degraded_reservation_settles_its_timed_out_twin(
    tcp_server: TcpRedis, sqlite_table: Table
) -> None:
    assert tcp_server.process is not None
    client = url_client(tcp_server.url)
    quotas = quotas_on(client, sqlite_table)
    uid = user()
    await use_ai(quotas, uid, "free", 1)
    tcp_server.process.send_signal(signal.SIGSTOP)
    try:
        turn = await quotas.reserve(uid, "free")  # its script waits in the paused server
    finally:
        tcp_server.process.send_signal(signal.SIGCONT)
    assert turn.degraded
    # The paused server ran the script when it resumed: a reservation nobody holds but `turn`.
    assert (await quotas.usage(uid, "free")).ai_messages.used == 2
    assert await quotas.refund(turn)
    assert (await quotas.usage(uid, "free")).ai_messages.used == 1
    await client.aclose()


async def test_journal_cap_falls_back_to_the_store_count_while_redis_is_down(
    tcp_server: TcpRedis, sqlite_table: Table
) -> None:
    client = url_client(tcp_server.url)
    quotas = quotas_on(client, sqlite_table)
    journal = JournalRepo(sqlite_table)
    uid = user()
    for _ in range(2):
        async with quotas.journal_slot(uid, "free"):
            await journal.create(uid, today_entry(CLOCK))
    tcp_server.kill()
    # Down: the third is allowed (the store holds two this week) and written ...
    async with quotas.journal_slot(uid, "free") as slot:
        await journal.create(uid, today_entry(CLOCK))
    assert slot.degraded
    # ... and the fourth is refused from the store's count alone.
    with pytest.raises(QuotaExceeded) as refused:
        await quotas.reserve_journal(uid, "free")
    assert refused.value.kind == "journal_entries"
    week = (await quotas.usage(uid, "free")).journal_entries
    assert (week.used, week.remaining) == (3, 0)
    # Unlimited tiers are not even counted.
    assert (await quotas.reserve_journal(uid, "pro")).degraded
    await client.aclose()
