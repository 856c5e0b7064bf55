"""Draining on shutdown: stop taking new sockets, let running turns finish for a window, then
close every socket with 1001 so clients reconnect to a live server.

Socket-free: sockets register a coroutine that closes them, so this module stays testable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("v7.lifecycle")

CloseSocket = Callable[[int, str], Awaitable[None]]
DrainHook = Callable[[], Awaitable[None]]


class Lifecycle:
    def __init__(self) -> None:
        self.draining = False
        self._sockets: dict[int, CloseSocket] = {}
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._hooks: list[DrainHook] = []

    @property
    def open_sockets(self) -> int:
        return len(self._sockets)

    def add_socket(self, key: int, close: CloseSocket) -> None:
        self._sockets[key] = close

    def remove_socket(self, key: int) -> None:
        self._sockets.pop(key, None)

    def on_drain(self, hook: DrainHook) -> None:
        """Run `hook` after the sockets are closed (e.g. settle quota reservations)."""
        self._hooks.append(hook)

    def busy(self) -> _Busy:
        """`async with lifecycle.busy():` marks work that a drain should wait for."""
        return _Busy(self)

    async def drain(self, window: float) -> None:
        """Wait up to `window` seconds for busy work, then close all sockets with 1001.

        Idempotent; safe to call from a signal-triggered task.
        """
        if self.draining:
            return
        self.draining = True
        log.info("draining", extra={"sockets": self.open_sockets, "window_s": window})
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=window)
        except TimeoutError:
            log.warning("drain window over with work still running", extra={"busy": self._busy})
        closing = [close(1001, "server going away") for close in list(self._sockets.values())]
        await asyncio.gather(*closing, return_exceptions=True)
        for hook in self._hooks:
            try:
                await hook()
            except Exception:
                log.exception("drain hook failed")
        log.info("drained")


class _Busy:
    def __init__(self, lifecycle: Lifecycle) -> None:
        self._lifecycle = lifecycle

    async def __aenter__(self) -> None:
        self._lifecycle._busy += 1
        self._lifecycle._idle.clear()

    async def __aexit__(self, *_: object) -> None:
        self._lifecycle._busy -= 1
        if self._lifecycle._busy == 0:
            self._lifecycle._idle.set()
