"""uvicorn's sans-I/O WebSocket protocol, closing a gap and sized for many idle sockets.

* An upgrade request that websockets refuses by itself (431 for a header line over 8 KiB or
  more than 128 headers, 414, or a malformed request) has that refusal written and the
  connection closed (uvicorn writes nothing and keeps the connection).
* An open socket keeps only what it uses: once the upgrade is answered, the upgrade's request
  and response are let go (uvicorn keeps both for the socket's life, and websockets' handshake
  parser keeps the request in its frame: it is replaced by the frame parser it had become, as
  websockets itself swaps parsers), and the receive queue and the flow-control flag are a
  list and a flag with their waiters, instead of an `asyncio.Queue` (three deques) and an
  `asyncio.Event` (a deque): together some 12 KiB of every idle socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any, Generic, TypeVar

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import OPEN, Protocol
from websockets.server import ServerProtocol

T = TypeVar("T")


class Inbox(Generic[T]):
    """What uvicorn uses of `asyncio.Queue` (`put_nowait`, `get`, `empty`) for its one reader,
    the app's `receive`. A second concurrent `get` is a bug in the caller: it raises."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[T] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: T) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> T:
        while not self._items:
            if self._waiter is not None:
                raise RuntimeError("the socket's messages are received by one reader at a time")
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class Flag:
    """What uvicorn uses of `asyncio.Event` (`set`, `clear`, `is_set`, `wait`) for its
    "writable" flow control; the waiters' list exists only while someone waits."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = False
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
        return True


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """See the module doc."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        writable = Flag()
        writable.set()
        self.writable = writable  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        refused = not self.handshake_initiated and self.conn.handshake_exc is not None
        if refused and not self.transport.is_closing():
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.transport.close()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # Read only while answering the upgrade (uvicorn's `handle_connect` and accept).
            for name in ("request", "response"):
                self.__dict__.pop(name, None)
            _forget_the_upgrade(self.conn)


def _forget_the_upgrade(conn: ServerProtocol) -> None:
    """Swap the handshake parser, which holds the upgrade request in its frame for the socket's
    life, for a fresh frame parser in the same place: at a frame boundary with nothing read.
    That is where it is once the 101 is written, because a client may send no frame before
    receiving it (RFC 6455, 4.1); a client that did anyway keeps the old parser."""
    if conn.state is not OPEN or conn.reader.buffer or conn.events:
        return
    if not _waiting_for_a_frame(conn.parser):
        return
    conn.parser = Protocol.parse(conn)
    next(conn.parser)  # started, as websockets starts its parsers


def _waiting_for_a_frame(parser: Generator[None]) -> bool:
    """Whether `parser` is suspended between frames (in the reader's `at_eof`), with nothing of
    the next frame read. A structure it does not recognise answers False (keep the parser)."""
    inner: Any = parser
    while getattr(inner, "gi_yieldfrom", None) is not None:
        inner = inner.gi_yieldfrom
    return getattr(getattr(inner, "gi_code", None), "co_name", "") == "at_eof"
