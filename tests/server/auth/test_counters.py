"""The counters behind the `/auth/*` limits: the Redis scripts (a real redis-server) and the
per-process fallback (an injected clock) follow one behaviour, checked by the same scenarios."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from server.auth.counters import LocalCounters, LockoutOp, RedisCounters
from server.auth.limits import Lockout, Rate
from server.redis_url import url_client
from tests.redis_servers import TcpRedis

WINDOW_S = 0.4
"""Short enough to wait out in a test; long enough for a loaded machine's round trips."""


@dataclass
class Counters:
    """One implementation, driven the same way: `wait` lets its clock run."""

    rate: Callable[[str, Rate], Awaitable[int]]
    lockout: Callable[[LockoutOp, str, Lockout], Awaitable[int]]
    wait: Callable[[float], Awaitable[None]]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["redis", "local"])
async def counters(request: pytest.FixtureRequest, tcp_server: TcpRedis) -> AsyncIterator[Counters]:
    if request.param == "redis":
        client = url_client(tcp_server.url, 2.0)
        remote = RedisCounters(client)

        async def rate(subject: str, limit: Rate) -> int:
            return await remote.rate(subject, "r", limit)

        async def lockout(op: LockoutOp, subject: str, limit: Lockout) -> int:
            return await remote.lockout(op, subject, "l", limit)

        yield Counters(rate, lockout, asyncio.sleep)
        await client.aclose()
        return
    clock = FakeClock()
    local = LocalCounters(clock)

    async def local_rate(subject: str, limit: Rate) -> int:
        return local.rate(subject, "r", limit)

    async def local_lockout(op: LockoutOp, subject: str, limit: Lockout) -> int:
        return local.lockout(op, subject, "l", limit)

    async def advance(seconds: float) -> None:
        clock.now += seconds

    yield Counters(local_rate, local_lockout, advance)


LOCK = Lockout(count=3, seconds=WINDOW_S, max_seconds=3 * WINDOW_S)
WINDOW_MS = WINDOW_S * 1000


async def test_a_lockout_counts_attempts_as_they_start_and_gives_back_the_good_ones(
    counters: Counters,
) -> None:
    assert [await counters.lockout("take", "a", LOCK) for _ in range(3)] == [0, 0, 0]
    waiting = await counters.lockout("take", "a", LOCK)  # three still running: wait for them
    assert 0 < waiting <= WINDOW_MS
    assert await counters.lockout("back", "a", LOCK) == 0  # one succeeded
    assert await counters.lockout("take", "a", LOCK) == 0
    assert await counters.lockout("take", "b", LOCK) == 0  # another subject counts apart


async def test_failures_that_fill_the_window_lock_the_key_and_each_lockout_doubles(
    counters: Counters,
) -> None:
    for _ in range(3):
        assert await counters.lockout("take", "a", LOCK) == 0
    assert await counters.lockout("fail", "a", LOCK) == WINDOW_MS  # the third failure locks
    assert await counters.lockout("fail", "a", LOCK) > 0  # a late failure changes nothing
    assert 0 < await counters.lockout("take", "a", LOCK) <= WINDOW_MS
    await counters.wait(WINDOW_S + 0.05)
    for _ in range(3):
        assert await counters.lockout("take", "a", LOCK) == 0  # a fresh window after the lock
        assert await counters.lockout("fail", "a", LOCK) in (0, 2 * WINDOW_MS)
    second = await counters.lockout("take", "a", LOCK)
    assert WINDOW_MS < second <= 2 * WINDOW_MS
    await counters.wait(2 * WINDOW_S + 0.05)
    for _ in range(3):
        await counters.lockout("take", "a", LOCK)
        last = await counters.lockout("fail", "a", LOCK)
    assert last == 3 * WINDOW_MS  # doubled again, capped at max_seconds


async def test_clear_forgets_failures_locks_and_strikes(counters: Counters) -> None:
    for _ in range(3):
        await counters.lockout("take", "a", LOCK)
        await counters.lockout("fail", "a", LOCK)
    assert await counters.lockout("take", "a", LOCK) > 0
    assert await counters.lockout("clear", "a", LOCK) == 0
    for _ in range(3):
        await counters.lockout("take", "a", LOCK)
    assert await counters.lockout("fail", "a", LOCK) == WINDOW_MS  # no strike remembered


async def test_a_rate_lets_its_count_through_at_once_then_refills(counters: Counters) -> None:
    rate = Rate(count=3, seconds=3 * WINDOW_S)  # one every WINDOW_S
    assert [await counters.rate("a", rate) for _ in range(3)] == [0, 0, 0]
    refused = await counters.rate("a", rate)
    assert 0 < refused <= WINDOW_MS
    assert await counters.rate("b", rate) == 0
    await counters.wait(WINDOW_S + 0.05)
    assert await counters.rate("a", rate) == 0
    assert await counters.rate("a", rate) > 0


def test_the_fallback_holds_a_bounded_number_of_keys() -> None:
    clock = FakeClock()
    local = LocalCounters(clock, max_keys=2)
    rate = Rate(count=1, seconds=60)
    assert local.rate("a", "r", rate) == 0
    assert local.rate("a", "r", rate) > 0
    local.rate("b", "r", rate)
    local.rate("c", "r", rate)  # "a" is the least recently used: forgotten
    assert local.rate("a", "r", rate) == 0
