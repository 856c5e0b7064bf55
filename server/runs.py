"""The user's running streams across server processes: `stop` from any process, and replies
that outlive the socket that asked for them. Implements `handlers.runs.Runs`.

Stop. While a stream runs, its process keeps a Redis key `v7:run:{user}:{stream}` (TTL
`RUN_TTL_S`, refreshed every third of it) and listens to the user's channel (`Hub.hold`), even
after the user's sockets there have closed. A `stop` for a stream running on this process stops
it at once. Otherwise, if the key exists, the stop travels as the control message "stop"
(`Hub.control`) to the process that runs it, which stops it as a local `stop` does (its
`stream.end`, reason "stopped", reaches every socket of the user); no key: `not_found`. The key
and the channel are the user's: another user's stream id is not found.

Grace. A turn asked over a socket (`asked_over`, called by `server/ws.py`) does not end with that
socket: it streams on into the stream buffer, resumable from any process, and is stopped only
once the user has had no socket open anywhere for `grace_s` (`V7_RESUME_GRACE_SECONDS`). A
socket counts if it is the one that asked, another of the user's on this process, or on another
process listening to the user's channel (`PUBSUB NUMSUB` above this process's own
subscription; a process listens while it holds a socket of the user, or a turn of theirs): a
client that reconnects and `resume`s, anywhere, keeps the reply going to its end. Checked every
`check_s`. A turn asked otherwise (`POST /chat/message`) runs until its caller cancels it.

Drain: `stop_all` stops every stream of this process (a `Lifecycle.on_drain` hook).

Redis down: a stop reaches streams of this process only (others answer `not_found`), and
sockets on other processes cannot be seen, so a dropped socket's turn stops after the grace.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from handlers.runs import LocalRuns, StopStream, no_such_stream
from quotas.unavailable import CHECK_DEADLINE_S, REDIS_DOWN, deadline
from server.fanout import channel_of
from server.hub import Hub
from server.redis_io import cancel_and_wait

log = logging.getLogger("v7.runs")

CONTROL_STOP = "stop"
"""The control message kind that carries a `stop` to the process running the stream."""
RUN_TTL_S = 6.0
"""How long a stream's key outlives the last refresh by its process (one that died)."""
DRAIN_WAIT_S = 5.0
"""How long `stop_all` waits for the stopped streams to end."""

_DOWN: tuple[type[BaseException], ...] = (RedisError, *REDIS_DOWN)

AskerOpen = Callable[[], bool]
_asker: ContextVar[AskerOpen | None] = ContextVar("v7_asker", default=None)


def asked_over(is_open: AskerOpen) -> None:
    """Mark the turn run by the current task (and the tasks it starts) as asked over a socket
    that is open while `is_open()`: its stream then outlives that socket for the grace window."""
    _asker.set(is_open)


def run_key(user_id: str, stream_id: str) -> str:
    return f"{user_runs_prefix(user_id)}{stream_id}"


def user_runs_prefix(user_id: str) -> str:
    """What every running-stream key of the user begins with (erasure removes them)."""
    return f"v7:run:{user_id}:"


class RunRegistry:
    """The cross-process `Runs` of one app: `redis` is the app's client, `hub` its hub (which
    must route control messages of kind `CONTROL_STOP` to `on_stop_message`)."""

    def __init__(
        self,
        redis: Redis,
        hub: Hub,
        *,
        grace_s: float,
        check_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.local = LocalRuns()
        self._redis = redis
        self._hub = hub
        self._grace = grace_s
        self._check = check_s if check_s is not None else min(1.0, max(0.05, grace_s / 10))
        self._clock = clock
        self._marked: set[str] = set()
        """The keys of the streams running here (a stream id is new for every turn)."""
        self._keeper: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def running(self, user_id: str, stream_id: str, stop: StopStream) -> AsyncIterator[None]:
        key = run_key(user_id, stream_id)
        asker = _asker.get()
        async with self.local.running(user_id, stream_id, stop), self._hub.hold(user_id):
            await self._mark(key)
            self._hold_key(key)
            helpers = []
            if asker is not None:
                helpers.append(asyncio.create_task(self._watch(user_id, asker, stop)))
            try:
                yield
            finally:
                self._release_key(key)
                await cancel_and_wait(*helpers)
                await asyncio.shield(self._quietly(self._redis.delete(key)))

    def __len__(self) -> int:
        return len(self.local)

    async def stop(self, user_id: str, stream_id: str) -> None:
        if self.local.stop_here(user_id, stream_id):
            return
        try:
            async with deadline(CHECK_DEADLINE_S):
                elsewhere = await self._redis.exists(run_key(user_id, stream_id))
        except _DOWN:
            log.warning("stop: redis unavailable, only this process's streams can be stopped")
            raise no_such_stream() from None
        if not elsewhere:
            raise no_such_stream()
        self._hub.control(user_id, CONTROL_STOP, {"stream": stream_id})

    def on_stop_message(self, user_id: str, payload: dict[str, Any]) -> None:
        """The control handler: stop the stream if it runs here (a no-op elsewhere)."""
        stream_id = payload.get("stream")
        if isinstance(stream_id, str):
            self.local.stop_here(user_id, stream_id)

    async def stop_all(self) -> None:
        """Stop every stream of this process and wait (at most `DRAIN_WAIT_S`) until they
        have ended."""
        stopped = self.local.stop_all()
        if stopped:
            log.info("drain: stopping running streams", extra={"streams": stopped})
        try:
            await asyncio.wait_for(self.local.idle(), DRAIN_WAIT_S)
        except TimeoutError:
            log.warning("drain: streams still running", extra={"streams": len(self.local)})

    async def _mark(self, key: str) -> None:
        await self._quietly(self._redis.set(key, 1, px=round(RUN_TTL_S * 1000)))

    def _hold_key(self, key: str) -> None:
        self._marked.add(key)
        if self._keeper is None or self._keeper.done():
            self._keeper = asyncio.create_task(self._keep_marked(), name="run-keys")

    def _release_key(self, key: str) -> None:
        self._marked.discard(key)
        if not self._marked and self._keeper is not None:
            self._keeper.cancel()  # nothing left to refresh (and no timer left behind)
            self._keeper = None

    async def _keep_marked(self) -> None:
        """Refresh the keys of every stream running here, all in one round trip every third of
        their TTL (a task per stream would cost a command and a timer each); cancelled once no
        stream runs here (the next one starts it again)."""
        while True:
            await asyncio.sleep(RUN_TTL_S / 3)
            keys = list(self._marked)
            pipeline = self._redis.pipeline(transaction=False)
            for key in keys:
                pipeline.set(key, 1, px=round(RUN_TTL_S * 1000))
            await self._quietly(pipeline.execute())

    async def _watch(self, user_id: str, asker: AskerOpen, stop: StopStream) -> None:
        """Stop the stream once the user has had no socket open anywhere for the grace."""
        alone_since: float | None = None
        while True:
            if asker() or await self._present(user_id):
                alone_since = None
            elif alone_since is None:
                alone_since = self._clock()
            if alone_since is not None and self._clock() - alone_since >= self._grace:
                log.info("stream stopped: nobody came back for it", extra={"user": user_id})
                stop()
                return
            await asyncio.sleep(self._check)

    async def _present(self, user_id: str) -> bool:
        """Whether the user has a socket open on this process or (probably) on another."""
        if any(not socket.closed for socket in self._hub.sockets_of(user_id)):
            return True
        try:
            async with deadline(CHECK_DEADLINE_S):
                counts: Any = await self._redis.pubsub_numsub(channel_of(user_id))
        except _DOWN:
            return False
        # This process listens too (it holds the channel for the turn).
        return bool(counts) and int(counts[0][1]) >= 2

    @staticmethod
    async def _quietly(operation: Any) -> None:
        try:
            async with deadline(CHECK_DEADLINE_S):
                await operation
        except _DOWN:
            log.debug("run key not updated: redis unavailable")
