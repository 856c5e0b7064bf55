"""When Redis counts as slow or unreachable: the exceptions that mean it (as opposed to a bug),
and how long one check may wait for it. The client itself is given to `quotas/` (the server
opens it with 100 ms command timeouts, see `server.redis_url`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError

REDIS_DOWN: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, and BusyLoadingError (a restarted server loading its AOF)
    TimeoutError,  # redis-py's: the 100 ms socket timeout
    ReadOnlyError,  # a replica promoted mid-failover
    OSError,  # includes the builtin TimeoutError that `asyncio.timeout` raises
)

CHECK_DEADLINE_S = 0.25
"""Ceiling of one whole check (connect + up to two scripts + a script reload after a restart):
a cold pool hit by a burst of concurrent checks must not be mistaken for a dead Redis."""


class RedisBusy(ConnectionError):
    """No turn at Redis came within the gate's wait: this process has more checks in flight
    than it can send (treated like Redis being down, but logged as what it is)."""


class RedisGate:
    """At most `slots` checks talk to Redis at once; the others queue here, for up to
    `wait_s`, instead of inside the connection pool.

    Why: a check's deadline (`CHECK_DEADLINE_S`) is there to notice a Redis that is slow or
    gone. Started before the check has a connection, it also counts the time spent queueing
    behind this process's own burst (2,000 checks at once on 64 connections), and a healthy
    Redis was then taken for a dead one. Behind the gate, the deadline starts with the turn.
    `slots` stays below the pool's size so the writers sharing the pool (stream buffer,
    fan-out) always find a connection."""

    def __init__(self, slots: int = 32, wait_s: float = 2.0) -> None:
        self._slots = asyncio.Semaphore(slots)
        self._wait_s = wait_s

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold one slot for the block. Raises `RedisBusy` after waiting `wait_s`."""
        try:
            async with asyncio.timeout(self._wait_s):
                await self._slots.acquire()
        except TimeoutError:
            raise RedisBusy(f"no turn at redis within {self._wait_s:g} s") from None
        try:
            yield
        finally:
            self._slots.release()
