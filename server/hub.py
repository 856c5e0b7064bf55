"""Open sockets: each one's outbox and writer, and the registry of sockets by user that lets
one tab's `saved` frame reach the user's other tabs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from handlers.frames import ServerFrame, encode
from handlers.session import Caller

log = logging.getLogger("v7.ws")

OUTBOX_LIMIT = 2_000
"""Frames waiting for a slow client before it is dropped (it can reconnect and resume)."""


class Socket:
    """One accepted connection: its caller, its outbox and its writer."""

    def __init__(self, websocket: WebSocket, caller: Caller, expires_at: datetime) -> None:
        self._close_reason = ""
        self.websocket = websocket
        self.caller = caller
        self.expires_at = expires_at
        self.outbox: asyncio.Queue[str | None] = asyncio.Queue(maxsize=OUTBOX_LIMIT)
        self.closed = False
        self.close_code: int | None = None

    def send(self, frame: ServerFrame) -> None:
        """Queue a frame; never blocks. A client too slow to drain its outbox is closed."""
        if self.closed:
            return
        try:
            self.outbox.put_nowait(encode(frame))
        except asyncio.QueueFull:
            log.warning("outbox full; closing slow socket")
            self.close_soon(1008, "client too slow")

    def close_soon(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._close_reason = reason
        # The writer sends what is queued, then closes with this code.
        with contextlib.suppress(asyncio.QueueFull):
            self.outbox.put_nowait(None)

    async def close(self, code: int, reason: str) -> None:
        self.close_soon(code, reason)

    async def write_loop(self) -> None:
        websocket = self.websocket
        try:
            while True:
                text = await self.outbox.get()
                if text is None:
                    break
                await websocket.send_text(text)
            if websocket.application_state == WebSocketState.CONNECTED:
                await websocket.close(self.close_code or 1000, self._close_reason)
        except (WebSocketDisconnect, RuntimeError, OSError):
            # The peer is gone; the read loop notices and cleans up.
            self.closed = True


class Hub:
    """Every open socket, by user, so one tab's `saved` frame reaches the user's other tabs."""

    def __init__(self) -> None:
        self._by_user: dict[str, set[Socket]] = {}

    def add(self, socket: Socket) -> None:
        self._by_user.setdefault(socket.caller.user_id, set()).add(socket)

    def remove(self, socket: Socket) -> None:
        sockets = self._by_user.get(socket.caller.user_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._by_user[socket.caller.user_id]

    def sockets_of(self, user_id: str) -> list[Socket]:
        return list(self._by_user.get(user_id, ()))

    def count(self) -> int:
        return sum(len(sockets) for sockets in self._by_user.values())
