"""Coalescing a model's text into `stream.delta`s.

A frame per token costs the server (and the client) more than the text it carries, so text is
gathered: text after a quiet spell goes out at once (the first words are never held back), and
text that arrives within `window` of the last delta rides in the next one, sent when that
window closes. While the model keeps talking, deltas go out one window apart; a window that
closes with nothing gathered ends the spell. No piece of text waits longer than `window`, and
a delta never grows past `max_chars` (it goes out as soon as it would).

The window widens with the number of streams this process serves (`window_for`): a frame
costs the same CPU whatever it carries, so under load fewer, fuller frames keep every stream
on time, at the price of up to `MAX_WINDOW_S` of extra wait per word.

One timer task per stream closes the windows (`run`), so the model's events are read without a
timeout around each one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

WINDOW_S = 0.04
"""The window while this process streams to few climbers."""
MAX_WINDOW_S = 0.15
STREAMS_PER_WINDOW = 150
"""Streams served at `WINDOW_S`; beyond, the window grows in proportion, up to `MAX_WINDOW_S`."""
MAX_CHARS = 1024


def window_for(streams: int) -> float:
    """The coalescing window of a stream that starts while `streams` run in this process."""
    return min(MAX_WINDOW_S, max(WINDOW_S, WINDOW_S * streams / STREAMS_PER_WINDOW))


Send = Callable[[str], Awaitable[None]]
"""`send(text)`: emit one delta (never called with empty text)."""


class Coalescer:
    """Gathers one stream's text into deltas; `add` each piece, then `close` at the end.

    Use `async with Coalescer(send)`: the block runs the timer task, and leaving it sends what
    is still gathered (also when the block is cancelled: a stopped reply keeps its last
    words)."""

    def __init__(self, send: Send, *, window: float = WINDOW_S, max_chars: int = MAX_CHARS) -> None:
        self._send = send
        self._window = window
        self._max_chars = max_chars
        self._pending: list[str] = []
        self._size = 0
        self._closes_at: float | None = None
        """When the open window closes; None in a quiet spell."""
        self._opened = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Coalescer:
        self._timer = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
        await self._flush()

    async def add(self, piece: str) -> None:
        """Send `piece` now (after a quiet spell) or gather it into the next delta."""
        if not piece:
            return
        if self._closes_at is None:
            self._closes_at = self._loop.time() + self._window
            self._opened.set()
            await self._send(piece)
            return
        self._pending.append(piece)
        self._size += len(piece)
        if self._size >= self._max_chars:
            await self._flush()

    async def _flush(self) -> None:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._size = 0
        await self._send(text)

    async def _run(self) -> None:
        """Close windows as they end: send what they gathered, or end the spell."""
        while True:
            await self._opened.wait()
            self._opened.clear()
            while self._closes_at is not None:
                delay = self._closes_at - self._loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                    continue
                if self._pending:
                    self._closes_at = self._loop.time() + self._window
                    await self._flush()
                else:
                    self._closes_at = None
