"""When Redis counts as slow or unreachable: the exceptions that mean it (as opposed to a bug),
how long one check may wait for it, and the clock that wait is measured on (`deadline`: time
the event loop itself spent late is not charged to Redis). The client itself is given to
`quotas/` (the server opens it with 100 ms command timeouts, see `server.redis_url`)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any

from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError

REDIS_DOWN: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, and BusyLoadingError (a restarted server loading its AOF)
    TimeoutError,  # redis-py's: the 100 ms socket timeout
    ReadOnlyError,  # a replica promoted mid-failover
    OSError,  # includes the builtin TimeoutError that `asyncio.timeout` raises
)

CHECK_DEADLINE_S = 0.25
"""Ceiling of one whole check (connect + up to two scripts + a script reload after a restart):
a cold pool hit by a burst of concurrent checks must not be mistaken for a dead Redis. Measured
with `deadline`, so a late event loop does not use it up."""

LATE_LOOP_S = 0.01
"""A deadline's timer that runs this much after it was due found the event loop late."""
LATE_LOOP_GRACE_S = 5.0
"""The most one `deadline` forgives (loop lateness, Redis busy answering others): past its
budget plus this it expires whatever the reason (a Redis paused under a saturated loop is still
noticed)."""

_heard_at = [-math.inf]
"""When (loop time) this process last read an answer from Redis (`redis_answered`)."""


def redis_answered() -> None:
    """Note that Redis just answered a command of this process (the app's client calls it on
    every reply, `server.redis_url`): Redis is up, so a command still waiting is waiting behind
    this process's own queue, not for a dead server."""
    _heard_at[0] = asyncio.get_running_loop().time()


class _Deadline:
    """The state of one `deadline` block: when it expires, in loop time (see `deadline`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: asyncio.Timeout, budget_s: float):
        self._loop = loop
        self._timeout = timeout
        self._budget = budget_s
        now = loop.time()
        self._due = now + budget_s
        self._last_call = self._due + LATE_LOOP_GRACE_S
        self._paused_at: float | None = None
        self._timer = loop.call_at(self._due, self._check)

    def _check(self) -> None:
        if self._paused_at is not None:
            return  # re-armed by `resume`
        now = self._loop.time()
        late = now - self._due
        heard = _heard_at[0]
        if now >= self._last_call:
            self._timeout.reschedule(now)  # expire now, whatever the reason
        elif late > LATE_LOOP_S:
            # Not Redis's fault: the loop could not have run the reply's callbacks.
            self._arm(min(now + late, self._last_call))
        elif now - heard < self._budget:
            # Redis answered within the budget: it is up, and this block waits behind the
            # process's own queue (a busy pool, a slow loop). Expire if it then falls silent.
            self._arm(min(heard + self._budget, self._last_call))
        else:
            self._timeout.reschedule(now)  # expire now: the block is cancelled

    def _arm(self, when: float) -> None:
        self._timer.cancel()
        self._due = when
        self._timer = self._loop.call_at(when, self._check)

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = self._loop.time()

    def resume(self) -> None:
        if self._paused_at is None:
            return
        waited = self._loop.time() - self._paused_at
        self._paused_at = None
        self._last_call += waited
        self._arm(self._due + waited)

    def close(self) -> None:
        self._timer.cancel()


_CURRENT: ContextVar[_Deadline | None] = ContextVar("v7_redis_deadline", default=None)


class deadline:
    """`asyncio.timeout(budget_s)` for talking to Redis, counting only time that is Redis's:
    raises `TimeoutError` (the builtin) when the block runs past it, cancelling the block.

    Not counted, because neither is Redis being slow or gone:

    * the event loop being late. A reply can sit in the socket while a CPU-saturated loop (or a
      collector pause) is busy with other callbacks; the timer and the reply then become ready
      in the same loop iteration and a plain timeout wins. Here, a timer that runs more than
      `LATE_LOOP_S` after it was due gives the time it was late back, and the block gets
      another turn of the loop (a reply already in the socket is read first); at most
      `LATE_LOOP_GRACE_S` is forgiven so.
    * waiting for this process's own connection pool (`not_counted`, used by the pool of
      `server.redis_url`, which bounds that wait itself).
    * waiting while Redis keeps answering this process's other commands (`redis_answered`):
      the block expires once Redis has been silent for `budget_s`, so a paused or dead Redis
      is still noticed within at most twice the budget, a busy one is waited for.

    So an on-time loop with a free connection expires the block at `budget_s`.

    A class rather than a generator-based context manager: one is entered around every Redis
    command's read, so its own cost is paid thousands of times a second under load."""

    __slots__ = ("_budget", "_state", "_timeout", "_token")

    def __init__(self, budget_s: float) -> None:
        self._budget = budget_s

    async def __aenter__(self) -> None:
        self._timeout = asyncio.timeout(None)
        await self._timeout.__aenter__()
        self._state = _Deadline(asyncio.get_running_loop(), self._timeout, self._budget)
        self._token = _CURRENT.set(self._state)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: Any
    ) -> None:
        _CURRENT.reset(self._token)
        self._state.close()
        await self._timeout.__aexit__(kind, error, trace)  # raises TimeoutError if it expired


@contextmanager
def not_counted() -> Iterator[None]:
    """Time spent in the block does not count against the enclosing `deadline` (if any) of
    this task: a wait on this process itself (a free pooled connection), not on Redis."""
    state = _CURRENT.get()
    if state is None:
        yield
        return
    state.pause()
    try:
        yield
    finally:
        state.resume()


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
            async with deadline(self._wait_s):
                await self._slots.acquire()
        except TimeoutError:
            raise RedisBusy(f"no turn at redis within {self._wait_s:g} s") from None
        try:
            yield
        finally:
            self._slots.release()
