"""Open sockets: each one's outbox and writer, and the registry of sockets by user that lets
one tab's `saved` frame (or a stream) reach the user's other tabs — on this process directly,
and on other processes through a `Relay` (`server.fanout`).

Besides frames, the hub carries control messages about a user (`Hub.control`): a kind and a
JSON payload, acted on by the handler registered for the kind (`Hub.on_control`) here and on
every process that listens to the user — one holding a socket of the user, or a turn of the
user that outlives its sockets (`Hub.hold`).

The hub also keeps the per-user socket cap (`Leases`, `server.socket_cap`): a socket it adds is
counted across processes, and the user's oldest sockets beyond the cap are closed with 1008
"too many connections" on whichever process holds them (control message `sockets.evict`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, Protocol

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from core.caller import Caller
from handlers.frames import ServerFrame, encode
from server.errors import CLOSE_POLICY

log = logging.getLogger("v7.ws")

OUTBOX_LIMIT = 2_000
"""Frames waiting for a slow client before it is dropped (it can reconnect and resume)."""
EVICT = "sockets.evict"
"""Control message: close these sockets of the user (payload `{"sockets": [id, …]}`), the
oldest beyond the per-user cap."""
TOO_MANY = "too many connections"


class Socket:
    """One accepted connection: its caller, its frames waiting to be written and their writer.

    Sized for many idle sockets: the frames wait in a plain list, and the task that writes them
    exists only while there is something to write (an idle socket has none)."""

    __slots__ = (
        "_close_reason",
        "_held",
        "_pending",
        "_writer",
        "caller",
        "close_code",
        "closed",
        "expires_at",
        "id",
        "replayed",
        "replaying",
        "websocket",
    )

    def __init__(self, websocket: WebSocket, caller: Caller, expires_at: datetime) -> None:
        self._close_reason = ""
        self.id = uuid.uuid4().hex
        """Names the socket across processes (the socket cap closes sockets by id)."""
        self.websocket = websocket
        self.caller = caller
        self.expires_at = expires_at
        self._pending: list[str] = []
        self._writer: asyncio.Task[None] | None = None
        self.closed = False
        self.close_code: int | None = None
        self._held: list[str] | None = []
        """Live frames that arrived before `ready` (None once `ready` is sent)."""
        self.replaying: set[str] = set()
        """Streams being replayed into this socket (`resume`): their live frames are held back
        because the replay delivers them itself, in order and without duplicates."""
        self.replayed: set[str] = set()
        """Streams replayed through their end: a live copy arriving later is a duplicate (the
        buffer and the pub/sub channel are written independently)."""

    def send(self, frame: ServerFrame) -> None:
        """Queue a frame; never blocks. A client too slow to drain its outbox is closed."""
        self.send_text(encode(frame))

    def greet(self, ready: ServerFrame) -> None:
        """Send the `ready` frame, then the live frames that arrived before it (the socket is
        registered, and so reachable by the user's other sockets, before `ready` is built):
        `ready` is always a socket's first frame."""
        self.send(ready)
        held, self._held = self._held or [], None
        for text in held:
            self.send_text(text)

    def send_live(self, text: str, stream: str | None) -> None:
        """Queue a frame of the live flow (already encoded), unless it belongs to a stream
        this socket is replaying."""
        if stream is not None and (stream in self.replaying or stream in self.replayed):
            return
        if self._held is not None:
            if len(self._held) < OUTBOX_LIMIT:
                self._held.append(text)
            return
        self.send_text(text)

    def send_text(self, text: str) -> None:
        """Queue an encoded frame; never blocks. A client too slow to drain its outbox is
        closed."""
        if self.closed:
            return
        if len(self._pending) >= OUTBOX_LIMIT:
            log.warning("outbox full; closing slow socket")
            self.close_soon(1008, "client too slow")
            return
        self._pending.append(text)
        self._write_soon()

    def close_soon(self, code: int, reason: str) -> None:
        """Close with `code` once the frames already queued are written. Never blocks."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._close_reason = reason
        self._write_soon()

    async def close(self, code: int, reason: str) -> None:
        self.close_soon(code, reason)

    async def finish(self, timeout: float) -> None:
        """Stop taking frames, write what is queued and close (at most `timeout` seconds)."""
        self.close_soon(1000, "bye")
        writer = self._writer
        if writer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(writer), timeout)
            writer.cancel()

    def _write_soon(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        """Write the queued frames in order, then close if asked to; ends when none is left."""
        websocket = self.websocket
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                for text in batch:
                    await websocket.send_text(text)
            if self.closed and websocket.application_state == WebSocketState.CONNECTED:
                await websocket.close(self.close_code or 1000, self._close_reason)
        except (WebSocketDisconnect, RuntimeError, OSError):
            # The peer is gone; the read loop notices and cleans up.
            self.closed = True
            self._pending = []
        finally:
            self._writer = None


class Relay(Protocol):
    """Delivery to the user's sockets on other server processes (`server.fanout.Fanout`)."""

    async def watch(self, user_id: str) -> None:
        """Start receiving the user's frames from other processes (idempotent)."""

    async def unwatch(self, user_id: str) -> None:
        """Stop receiving them: this process holds no socket of the user any more."""

    def publish(self, user_id: str, text: str, stream: str | None) -> None:
        """Send a frame to the user's sockets on other processes; never blocks."""

    def publish_control(self, user_id: str, kind: str, payload: dict[str, Any]) -> None:
        """Send a control message about the user to other processes; never blocks."""


class Leases(Protocol):
    """The per-user socket cap, counted across processes (`server.socket_cap.SocketLeases`)."""

    async def admit(self, user_id: str, socket_id: str) -> list[str]:
        """Count the socket as one of the user's open sockets; the ids of the user's oldest
        sockets beyond the cap, which must close wherever they are. Never raises (a Redis that
        cannot be reached admits without counting)."""

    def release(self, user_id: str, socket_id: str) -> None:
        """Stop counting the socket (it closed). Never blocks or raises."""


ControlHandler = Callable[[str, dict[str, Any]], None]
"""`handler(user_id, payload)`: act on one control message, on this process. Never blocks."""


class Hub:
    """Every open socket, by user, so one tab's `saved` frame reaches the user's other tabs:
    here directly, elsewhere through the `relay` (None: this process only)."""

    def __init__(self, relay: Relay | None = None, leases: Leases | None = None) -> None:
        self._by_user: dict[str, set[Socket]] = {}
        self._holds: Counter[str] = Counter()
        self._handlers: dict[str, ControlHandler] = {EVICT: self._evict}
        self.relay = relay
        self.leases = leases
        """The socket cap (None: no cap)."""

    async def add(self, socket: Socket) -> None:
        """Register a socket; returns once frames for its user from other processes reach it
        (or at once when the relay is down; see `Fanout.watch`), and the user's oldest
        sockets beyond the cap have been told to close (1008), on every process. The new
        socket is the newest, so it is never the one closed."""
        user_id = socket.caller.user_id
        self._by_user.setdefault(user_id, set()).add(socket)
        if self.relay is not None:
            await self.relay.watch(user_id)
        if self.leases is not None:
            evicted = await self.leases.admit(user_id, socket.id)
            if evicted:
                self.control(user_id, EVICT, {"sockets": evicted})

    async def remove(self, socket: Socket) -> None:
        user_id = socket.caller.user_id
        if self.leases is not None:
            self.leases.release(user_id, socket.id)
        sockets = self._by_user.get(user_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._by_user[user_id]
                await self._unwatch_if_unused(user_id)

    @contextlib.asynccontextmanager
    async def hold(self, user_id: str) -> AsyncIterator[None]:
        """Keep listening to the user's messages from other processes while the block runs,
        even if the user's last socket here closes meanwhile (a turn streaming on after a drop
        must still hear a `stop` sent on another process)."""
        self._holds[user_id] += 1
        try:
            if self.relay is not None:
                await self.relay.watch(user_id)
            yield
        finally:
            self._holds[user_id] -= 1
            if self._holds[user_id] <= 0:
                del self._holds[user_id]
                await asyncio.shield(self._unwatch_if_unused(user_id))

    async def _unwatch_if_unused(self, user_id: str) -> None:
        if user_id in self._by_user or self._holds.get(user_id):
            return
        if self.relay is not None:
            await self.relay.unwatch(user_id)

    def on_control(self, kind: str, handler: ControlHandler) -> None:
        """Register what this process does with control messages of `kind` (one handler per
        kind, registered in the app's lifespan)."""
        if kind in self._handlers:
            raise ValueError(f"a handler for control messages {kind!r} is already registered")
        self._handlers[kind] = handler

    def control(self, user_id: str, kind: str, payload: dict[str, Any]) -> None:
        """Act on a control message about the user here and on every process that listens to
        the user. Never blocks; lost on other processes while Redis is down."""
        self.deliver_control(user_id, kind, payload)
        if self.relay is not None:
            self.relay.publish_control(user_id, kind, payload)

    def deliver_control(self, user_id: str, kind: str, payload: dict[str, Any]) -> None:
        """Act on a control message (from this process or another) with its handler."""
        handler = self._handlers.get(kind)
        if handler is None:
            log.warning("control message of unknown kind %r ignored", kind)
            return
        try:
            handler(user_id, payload)
        except Exception:
            log.exception("control message %r failed", kind)

    def _evict(self, user_id: str, payload: dict[str, Any]) -> None:
        ids = payload.get("sockets")
        if isinstance(ids, list):
            self.close_sockets(user_id, CLOSE_POLICY, TOO_MANY, only={str(i) for i in ids})

    def close_sockets(
        self, user_id: str, code: int, reason: str, *, only: set[str] | None = None
    ) -> int:
        """Close the user's sockets on this process (those whose id is in `only`, if given)
        with `code` and `reason`; how many. Never blocks."""
        closing = [
            socket for socket in self._by_user.get(user_id, ()) if only is None or socket.id in only
        ]
        for socket in closing:
            socket.close_soon(code, reason)
        return len(closing)

    def recall(self, caller: Caller) -> None:
        """Serve the user's sockets on this process as `caller` from now on: their account
        as just read (a changed tier or time zone)."""
        for socket in self._by_user.get(caller.user_id, ()):
            socket.caller = caller

    def to_all(self, user_id: str, text: str, stream: str | None, *, skip: Socket) -> None:
        """Deliver an encoded frame to every socket of the user but `skip` (the one that caused
        it, which the caller serves itself), on every process. Never blocks."""
        for socket in self._by_user.get(user_id, ()):
            if socket is not skip:
                socket.send_live(text, stream)
        if self.relay is not None:
            self.relay.publish(user_id, text, stream)

    def deliver_local(self, user_id: str, text: str, stream: str | None) -> None:
        """Deliver a frame that another process published to this process's sockets of the
        user."""
        for socket in list(self._by_user.get(user_id, ())):
            socket.send_live(text, stream)

    def sockets_of(self, user_id: str) -> list[Socket]:
        return list(self._by_user.get(user_id, ()))

    def count(self) -> int:
        return sum(len(sockets) for sockets in self._by_user.values())
