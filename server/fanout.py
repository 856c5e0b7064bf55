"""Cross-process delivery of a user's frames to every socket of that user, over Redis pub/sub.

Each server process subscribes to `v7:u:{user_id}` while it holds at least one socket of that
user. A frame for all of a user's sockets is delivered to the local ones directly (`Hub`) and
published once on the channel wrapped in an envelope naming the publishing process; every
process hands what it receives to its local sockets, except the publisher, which already did
(it tells its own envelopes by their first bytes, without decoding them). A batch of frames is
published by one script call (`PUBLISH_ALL`): one round trip and one reply per batch.

Redis down: publishing drops (local delivery is unaffected), the subscriber reconnects with
backoff and re-subscribes every channel it should hold, so cross-process delivery comes back
by itself. Frames published during the outage are lost to other processes (pub/sub keeps
nothing); a stream's frames can still be fetched with `resume` (`server.streams`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from server.redis_io import BatchWriter, WriteBatch, cancel_and_wait

log = logging.getLogger("v7.fanout")

CHANNEL_PREFIX = "v7:u:"
SUBSCRIBE_WAIT_S = 0.5
"""How long a new socket waits for its user's channel subscription to be confirmed before its
`ready` frame (so a frame published right after `ready` is not missed). Down Redis: no wait."""
IDLE_PING_S = 5.0
"""With no traffic for this long the subscriber pings; no answer within another period means
the connection is dead (a paused or partitioned Redis sends no reset)."""
RECONNECT_MAX_S = 1.0
PUBLISH_ALL = """
-- ARGV: channel, message, channel, message, ... (channels are not keys).
for i = 1, #ARGV, 2 do
  redis.call("PUBLISH", ARGV[i], ARGV[i + 1])
end
return #ARGV / 2
"""

Deliver = Callable[[str, str, "str | None"], None]
"""`deliver(user_id, frame_text, stream_id)`: hand a frame to this process's sockets."""
Control = Callable[[str, str, "dict[str, Any]"], None]
"""`control(user_id, kind, payload)`: act on a control message another process sent about the
user (close their sockets, stop their stream, …; see `Hub.control`)."""


def channel_of(user_id: str) -> str:
    return f"{CHANNEL_PREFIX}{user_id}"


class Fanout:
    """This process's end of the per-user channels. `redis` (the app's client) publishes;
    `patient` (a client with a long socket timeout) holds the subscription connection.
    Use as `async with Fanout(...)`; `deliver` is called for frames of other processes."""

    def __init__(
        self, redis: Redis, patient: Redis, deliver: Deliver, control: Control | None = None
    ) -> None:
        self.origin = uuid.uuid4().hex
        self._own = _envelope_prefix(self.origin)
        self._patient = patient
        self._deliver = deliver
        self._control = control
        self._publisher: BatchWriter[tuple[str, bytes]] = BatchWriter("fanout", _publisher(redis))
        self._wanted: set[str] = set()
        self._confirmed: set[str] = set()
        """Wanted channels whose subscription Redis confirmed on the current connection."""
        self._waiting: dict[str, asyncio.Event] = {}
        """Only while a `watch` waits for its confirmation (an Event per idle user's channel
        would cost more than the rest of its socket)."""
        self._pubsub: PubSub | None = None
        self._commands = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        """Set while the subscription connection is up and every wanted channel is sent."""

    async def __aenter__(self) -> Fanout:
        await self._publisher.__aenter__()
        self._task = asyncio.create_task(self._listen(), name="fanout-listener")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
        await self._publisher.__aexit__(*exc)

    def publish(self, user_id: str, text: str, stream: str | None) -> None:
        """Send a frame to the user's sockets on other processes. Never blocks or raises."""
        envelope = {"o": self.origin, "s": stream, "f": text}
        self._publisher.put((channel_of(user_id), orjson.dumps(envelope)))

    def publish_control(self, user_id: str, kind: str, payload: dict[str, Any]) -> None:
        """Send a control message about the user to the other processes that listen to the
        user's channel (those holding a socket or a turn of the user). Never blocks or raises;
        lost while Redis is down, like frames."""
        envelope = {"o": self.origin, "c": kind, "p": payload}
        self._publisher.put((channel_of(user_id), orjson.dumps(envelope)))

    async def watch(self, user_id: str) -> None:
        """Receive the user's frames from other processes (idempotent). Waits, at most
        `SUBSCRIBE_WAIT_S`, until Redis confirms the subscription; returns at once when Redis
        is down (the subscription is made when it is back)."""
        channel = channel_of(user_id)
        if channel not in self._wanted:
            self._wanted.add(channel)
            await self._command("subscribe", channel)
        if channel in self._confirmed or not self.connected.is_set():
            return
        waiting = self._waiting.get(channel)
        if waiting is None:
            waiting = self._waiting[channel] = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiting.wait(), SUBSCRIBE_WAIT_S)
        if self._waiting.get(channel) is waiting and not waiting.is_set():
            del self._waiting[channel]  # not confirmed in time: the next watch waits anew

    async def unwatch(self, user_id: str) -> None:
        """Stop receiving the user's frames (the last local socket of the user left)."""
        channel = channel_of(user_id)
        if channel not in self._wanted:
            return
        self._wanted.discard(channel)
        self._confirmed.discard(channel)
        self._waiting.pop(channel, None)
        await self._command("unsubscribe", channel)

    async def _command(self, name: str, channel: str) -> None:
        async with self._commands:
            pubsub = self._pubsub
            if pubsub is None or not self.connected.is_set():
                return  # down: `_listen` subscribes every wanted channel when it reconnects
            try:
                if name == "subscribe":
                    await pubsub.subscribe(channel)
                else:
                    await pubsub.unsubscribe(channel)
            except (RedisError, OSError):
                # The listener sees the same failure and reconnects.
                log.debug("fanout %s failed", name)

    async def _listen(self) -> None:
        """Hold the subscription connection for the app's life, reconnecting with backoff."""
        backoff = 0.05
        down_logged = False
        while True:
            pubsub = self._patient.pubsub()
            try:
                async with self._commands:
                    # Our own process channel keeps the connection subscribed (and so
                    # readable) even while no user is connected here.
                    await pubsub.subscribe(f"v7:p:{self.origin}", *self._wanted)
                    self._pubsub = pubsub
                    self.connected.set()
                if down_logged:
                    log.info("fanout: redis answers again; cross-process delivery restored")
                down_logged = False
                backoff = 0.05
                await self._pump(pubsub)
            except (RedisError, OSError) as error:
                if not down_logged:
                    log.warning(
                        "fanout: redis unavailable, delivering to this process only: %s",
                        type(error).__name__,
                    )
                    down_logged = True
            finally:
                self.connected.clear()
                self._pubsub = None
                self._confirmed.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RECONNECT_MAX_S)

    async def _pump(self, pubsub: PubSub) -> None:
        """Read messages until the connection fails (raises) or goes silent after a ping."""
        pinged = False
        while True:
            message: dict[str, Any] | None = await pubsub.get_message(timeout=IDLE_PING_S)
            if message is None:
                if pinged:
                    raise ConnectionError("no answer to ping from the pub/sub connection")
                await pubsub.ping()
                pinged = True
                continue
            pinged = False
            kind = message["type"]
            channel = _text(message["channel"]) if message["channel"] is not None else ""
            if kind == "message":
                self._on_message(channel, message["data"])
            elif kind == "subscribe":
                if channel in self._wanted:
                    self._confirmed.add(channel)
                waiting = self._waiting.pop(channel, None)
                if waiting is not None:
                    waiting.set()

    def _on_message(self, channel: str, data: bytes) -> None:
        if not channel.startswith(CHANNEL_PREFIX):
            return
        if data.startswith(self._own):
            return  # this process acted on it locally when it published it
        user_id = channel[len(CHANNEL_PREFIX) :]
        try:
            envelope = orjson.loads(data)
            if "c" in envelope:
                kind, payload = str(envelope["c"]), envelope["p"]
                if not isinstance(payload, dict):
                    raise TypeError("a control payload is an object")
            else:
                stream, text = envelope["s"], envelope["f"]
        except (ValueError, KeyError, TypeError):
            log.warning("fanout: malformed message ignored")
            return
        if "c" in envelope:
            if self._control is not None:
                self._control(user_id, kind, payload)
            return
        self._deliver(user_id, text, stream)


def _envelope_prefix(origin: str) -> bytes:
    """How every envelope this process publishes begins (`orjson.dumps` keeps key order and
    `"o"` comes first)."""
    return orjson.dumps({"o": origin})[:-1]


def _publisher(redis: Redis) -> WriteBatch[tuple[str, bytes]]:
    """Publish a batch of (channel, message) with one call of `PUBLISH_ALL`."""
    publish_all = redis.register_script(PUBLISH_ALL)

    async def write(batch: list[tuple[str, bytes]]) -> None:
        await publish_all(keys=[], args=[part for item in batch for part in item])

    return write


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
