"""Threads that run blocking calls for the event loop, for less than an executor costs.

`loop.run_in_executor` makes a `concurrent.futures.Future` per call (with its own lock and
condition), then chains it to an asyncio future with more callbacks; a coaching turn makes
some twenty store calls, and under load that bookkeeping on the event loop outweighed the
SQLite work itself. `Workers` hands each call to its threads through one queue and completes
the caller's asyncio future directly from the thread (`call_soon_threadsafe`).

Contract: calls run in the order they were submitted when there is one thread (the SQLite
writer relies on it); a cancelled caller does not stop its call (it runs to the end; its
result is dropped); after `shutdown`, `run` raises `RuntimeError`, and calls already queued
still run.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[Callable[[], Any], asyncio.Future[Any], asyncio.AbstractEventLoop] | None


class Workers:
    """`count` daemon threads named `name-N` running the calls given to `run`."""

    def __init__(self, count: int, name: str) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{index}", daemon=True)
            for index in range(count)
        ]
        for thread in self._threads:
            thread.start()

    async def run(self, call: Callable[[], T]) -> T:
        """`call()` on one of the threads; its result, or what it raised."""
        if self._closed:
            raise RuntimeError("these workers are shut down")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((call, future, loop))
        return await future

    def shutdown(self, *, wait: bool) -> None:
        """Take no more calls; the threads end once the calls queued before have run (waited
        for when `wait`)."""
        if not self._closed:
            self._closed = True
            for _ in self._threads:
                self._jobs.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            call, future, loop = job
            try:
                result = call()
            except BaseException as error:  # handed to the caller, who decides
                _settle_soon(loop, future, None, error)
            else:
                _settle_soon(loop, future, result, None)


def _settle_soon(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller was cancelled: the result is dropped
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
