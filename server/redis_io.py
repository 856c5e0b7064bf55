"""Two pieces of Redis plumbing that the cross-process parts (`server.fanout`,
`server.streams`) share.

* `patient_client`: a second client of the same Redis as the app's client (same URL or unix
  socket, same credentials) with a long socket timeout, for reads that block on purpose
  (XREAD BLOCK, pub/sub). The app's client keeps its 100 ms timeout for everything else.
* `BatchWriter`: fire-and-forget writes in order. Callers enqueue without waiting (an emit on a
  streaming turn must never wait for Redis); one task drains the queue in batches, each
  written in one round trip (`pipelined` for a few commands per item; a hot writer hands the
  whole batch to one script instead, one command and one reply however many items, because
  redis-py's per-command packing and reply parsing cost more CPU than Redis itself). When Redis
  is down, a batch is dropped (logged once per outage) and the writer backs off; it recovers by
  itself when Redis answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Generic, TypeVar

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

log = logging.getLogger("v7.redis")

PATIENT_TIMEOUT_S = 5.0
"""Socket timeout of the patient client: longer than any BLOCK we issue (see streams.py)."""
PATIENT_CONNECTIONS = 256
"""Each resuming client that follows a live stream holds one connection while it blocks."""

T = TypeVar("T")

WriteBatch = Callable[[list[T]], Awaitable[object]]
"""`write(items)`: write one batch in one round trip (raises `RedisError`/`OSError`)."""


async def cancel_and_wait(*tasks: asyncio.Task[Any]) -> None:
    """Cancel `tasks` and return once every one has ended.

    Cancels again while a task runs on: Python 3.11's `asyncio.wait_for`, which redis-py's
    commands use inside, can swallow a cancellation that lands as its inner call completes, and
    a single cancel followed by `gather` then waits forever (a shutdown that never ends)."""
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.1)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: no "exception was never retrieved" at exit


@asynccontextmanager
async def patient_client(
    redis: Redis,
    timeout_s: float = PATIENT_TIMEOUT_S,
    max_connections: int = PATIENT_CONNECTIONS,
) -> AsyncIterator[Redis]:
    """A client of the server `redis` talks to, with a `timeout_s` socket timeout; closed on
    exit. Connecting is lazy, so a Redis that is down does not fail this."""
    pool = redis.connection_pool
    options: dict[str, Any] = {
        **pool.connection_kwargs,
        "socket_timeout": timeout_s,
    }
    client = Redis.from_pool(
        BlockingConnectionPool(
            connection_class=pool.connection_class,
            max_connections=max_connections,
            timeout=timeout_s,
            **options,
        )
    )
    try:
        yield client
    finally:
        await client.aclose()


def pipelined(redis: Redis, apply: Callable[[Pipeline, T], None]) -> WriteBatch[T]:
    """A `WriteBatch` that adds each item's commands to one pipeline of `redis` with `apply`."""

    async def write(batch: list[T]) -> None:
        pipeline = redis.pipeline(transaction=False)
        for item in batch:
            apply(pipeline, item)
        await pipeline.execute()

    return write


class BatchWriter(Generic[T]):
    """Ordered, non-blocking writes: `put` enqueues, one task writes them in batches.

    `write(items)` writes one batch in one round trip (see `pipelined`). Items are
    written in the order they were put. Use as `async with BatchWriter(...)`; leaving the block
    writes what is queued (bounded by `flush_s`) and stops the task.
    """

    def __init__(
        self,
        name: str,
        write: WriteBatch[T],
        *,
        max_batch: int = 256,
        queue_limit: int = 20_000,
        flush_s: float = 1.0,
    ) -> None:
        self._name = name
        self._write = write
        self._max_batch = max_batch
        self._queue: asyncio.Queue[T] = asyncio.Queue(maxsize=queue_limit)
        self._flush_s = flush_s
        self._task: asyncio.Task[None] | None = None
        self._down = False
        self.dropped = 0
        """Items lost to a full queue or a failed write (for logs and tests)."""

    def put(self, item: T) -> None:
        """Queue one item; never blocks. A full queue (Redis far behind) drops the item."""
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped % 1000 == 1:
                log.warning("%s: queue full, dropping writes", self._name)

    async def __aenter__(self) -> BatchWriter[T]:
        self._task = asyncio.create_task(self._run(), name=f"{self._name}-writer")
        return self

    async def __aexit__(self, *_: object) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), self._flush_s)
        if self._task is not None:
            await cancel_and_wait(self._task)

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            except (RedisError, OSError) as error:
                self.dropped += len(batch)
                if not self._down:
                    log.warning(
                        "%s: redis unavailable, writes dropped until it answers: %s",
                        self._name,
                        type(error).__name__,
                    )
                self._down = True
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 1.0)
            else:
                if self._down:
                    log.info("%s: redis answers again", self._name)
                self._down = False
                backoff = 0.05
            finally:
                for _ in batch:
                    self._queue.task_done()
