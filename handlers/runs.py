"""Where a coaching turn's stream runs, so that `stop` reaches it (sans-I/O).

A turn registers its stream for as long as it streams (`Runs.running`), handing over the one
way to end it early: `stop()`, which cancels only the streaming part (the turn still ends the
stream "stopped", saves the partial reply and settles). `Runs.stop` is what a climber's `stop`
frame does: it ends the caller's own stream, wherever it runs, or raises `NoSuchStream`.

`LocalRuns` knows the streams of this process only. The server wraps it with its cross-process
registry (`server/runs.py`: a Redis key per running stream, the stop sent as a control message
to the process that runs it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from core.errors import HandlerError

StopStream = Callable[[], None]
"""Ends one stream's streaming part; never blocks, and does nothing once it has ended."""


class NoSuchStream(HandlerError):
    code = "not_found"


def no_such_stream() -> NoSuchStream:
    return NoSuchStream("no such stream running (it may have ended)")


class Runs(Protocol):
    def running(
        self, user_id: str, stream_id: str, stop: StopStream
    ) -> AbstractAsyncContextManager[None]:
        """Register `user_id`'s stream `stream_id` as running while the block runs: `stop`
        ends it when the user stops it (from any socket the implementation reaches). Entering
        and leaving never raise for the registry's own failures."""

    async def stop(self, user_id: str, stream_id: str) -> None:
        """End `user_id`'s running stream `stream_id` (its `stream.end` follows, with reason
        "stopped"). Raises `NoSuchStream` when it is not running, or is another user's."""

    def __len__(self) -> int:
        """How many streams run in this process now (the load the coalescing adapts to)."""


class LocalRuns:
    """The streams running in this process, by (user, stream): another user's stream id is
    simply not found."""

    def __init__(self) -> None:
        self._running: dict[tuple[str, str], StopStream] = {}
        self._idle = asyncio.Event()
        self._idle.set()

    @asynccontextmanager
    async def running(self, user_id: str, stream_id: str, stop: StopStream) -> AsyncIterator[None]:
        key = (user_id, stream_id)
        self._running[key] = stop
        self._idle.clear()
        try:
            yield
        finally:
            if self._running.get(key) is stop:
                del self._running[key]
            if not self._running:
                self._idle.set()

    async def stop(self, user_id: str, stream_id: str) -> None:
        if not self.stop_here(user_id, stream_id):
            raise no_such_stream()

    def stop_here(self, user_id: str, stream_id: str) -> bool:
        """Stop the stream if it runs in this process; whether it did."""
        stop = self._running.get((user_id, stream_id))
        if stop is None:
            return False
        stop()
        return True

    def is_running(self, user_id: str, stream_id: str) -> bool:
        return (user_id, stream_id) in self._running

    def stop_user(self, user_id: str) -> int:
        """Stop every stream of the user running in this process; how many there were."""
        stops = [stop for (owner, _), stop in self._running.items() if owner == user_id]
        for stop in stops:
            stop()
        return len(stops)

    def stop_all(self) -> int:
        """Stop every stream running in this process (a drain); how many there were."""
        stops = list(self._running.values())
        for stop in stops:
            stop()
        return len(stops)

    async def idle(self) -> None:
        """Return once no stream runs in this process."""
        await self._idle.wait()

    def __len__(self) -> int:
        return len(self._running)
