"""The per-user socket cap (`V7_MAX_SOCKETS_PER_USER`), counted across server processes.

Key (the `{user}` hash tag keeps it in the user's Redis Cluster slot, with their quota keys):

    v7:ws:{USER}    sorted set: "CONNECTED_US:SOCKET_ID" → lease expiry (ms, Redis clock)

A member names one open socket: when it connected (µs on Redis's clock, zero-padded, so the
members sort oldest first) and its id (`Socket.id`). Its score is a lease: the process holding
the socket renews the leases of all its sockets every `RENEW_S` in one pipeline, and a lease
not renewed for `LEASE_S` (its process died without closing its sockets) stops counting.

Admitting a socket is one script: drop lapsed leases, add the new one, and if the user then has
more than the cap, remove the oldest and return them; the hub closes those with 1008 "too many
connections" wherever they are (`server.hub.EVICT`).

Why the oldest is closed rather than the new one refused: a phone that changes networks
reconnects before the server has noticed that its old socket is dead (that takes up to a ping
interval and timeout, 40 s), so the sockets beyond the cap are most often half-dead ones, and
the newest socket is the one somebody is looking at. Refusing it would lock the climber out
until the dead ones time out. A client closed with 1008 "too many connections" should not
reconnect on its own (the web UI waits for "Retry now"): with more live tabs than the cap,
tabs reconnecting on their own would take turns closing each other.

Redis down or slow: the socket is admitted without being counted (fail open, logged once per
outage, like the rate limits); a release or renewal that fails is dropped, and the lease lapses.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from quotas.unavailable import CHECK_DEADLINE_S, REDIS_DOWN, deadline
from server.redis_io import BatchWriter, cancel_and_wait, pipelined

log = logging.getLogger("v7.ws")

TROUBLE: tuple[type[BaseException], ...] = (*REDIS_DOWN, RedisError)
"""What makes the cap stand aside: Redis down or slow, or refusing a command (out of memory)."""

LEASE_S = 60.0
"""How long a socket counts without its process renewing it."""
RENEW_S = 15.0
"""How often a process renews the leases of its sockets (several times per lease)."""

_NOW = """
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

ADMIT = (
    _NOW
    + """
-- KEYS: the user's leases.  ARGV: socket id, cap, lease_ms
-- Returns the new member, then the members removed to keep the cap (oldest first).
local lease = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
local member = string.format('%010d%06d:%s', tonumber(t[1]), tonumber(t[2]), ARGV[1])
redis.call('ZADD', KEYS[1], now_ms + lease, member)
redis.call('PEXPIRE', KEYS[1], lease)
local answer = {member}
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local over = #members - tonumber(ARGV[2])
if over <= 0 then return answer end
table.sort(members)
for i = 1, over do
  redis.call('ZREM', KEYS[1], members[i])
  answer[i + 1] = members[i]
end
return answer
"""
)

RENEW = (
    _NOW
    + """
-- KEYS: the user's leases.  ARGV: lease_ms, member…
-- Renews the leases still counted (XX: an evicted socket stays out).
local lease = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now_ms + lease, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], lease)
return 0
"""
)


def leases_key(user_id: str) -> str:
    """The user's socket leases: the one Redis key of the socket cap (erasure removes it)."""
    return f"v7:ws:{{{user_id}}}"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def socket_of(member: str) -> str:
    """The socket id a lease member names."""
    return member.partition(":")[2]


class SocketLeases:
    """This process's side of the cap (`server.hub.Leases`): admits sockets, releases them, and
    renews the leases of those it holds. Use as `async with SocketLeases(...)`."""

    def __init__(
        self,
        redis: Redis,
        cap: int,
        *,
        lease_s: float = LEASE_S,
        renew_s: float = RENEW_S,
    ) -> None:
        self.cap = cap
        self._redis = redis
        self._lease_ms = round(lease_s * 1000)
        self._renew_s = renew_s
        self._admit = redis.register_script(ADMIT)
        self._renew = redis.register_script(RENEW)
        self._held: dict[str, dict[str, str]] = {}
        """user id → socket id → its member, for the sockets this process admitted."""
        self._releases: BatchWriter[tuple[str, str]] = BatchWriter(
            "socket-cap", pipelined(redis, _release)
        )
        self._task: asyncio.Task[None] | None = None
        self._down = False

    async def __aenter__(self) -> SocketLeases:
        await self._releases.__aenter__()
        self._task = asyncio.create_task(self._renew_forever(), name="socket-leases")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
        await self._releases.__aexit__(*exc)

    async def admit(self, user_id: str, socket_id: str) -> list[str]:
        try:
            async with deadline(CHECK_DEADLINE_S):
                answer = await self._admit(
                    keys=[leases_key(user_id)], args=[socket_id, self.cap, self._lease_ms]
                )
        except TROUBLE as error:
            if not self._down:
                log.warning(
                    "socket cap not enforced while redis is unavailable (fail open): %s",
                    type(error).__name__,
                )
            self._down = True
            return []
        self._down = False
        member, *evicted = (_text(item) for item in answer)
        self._held.setdefault(user_id, {})[socket_id] = member
        return [socket_of(old) for old in evicted]

    def release(self, user_id: str, socket_id: str) -> None:
        held = self._held.get(user_id)
        member = held.pop(socket_id, None) if held is not None else None
        if held is not None and not held:
            del self._held[user_id]
        if member is not None:
            self._releases.put((leases_key(user_id), member))

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self._renew_s)
            try:
                await self.renew()
            except TROUBLE:
                log.debug("socket leases not renewed: redis unavailable", exc_info=True)

    async def renew(self) -> None:
        """Renew the leases of every socket this process holds, in one pipeline."""
        held = [(user_id, list(members.values())) for user_id, members in self._held.items()]
        if not held:
            return
        pipeline = self._redis.pipeline(transaction=False)
        for user_id, members in held:
            # Through the pipeline, so that a script Redis lost (a restart) is loaded again.
            await self._renew(
                keys=[leases_key(user_id)], args=[self._lease_ms, *members], client=pipeline
            )
        await pipeline.execute()


def _release(pipeline: Pipeline, item: tuple[str, str]) -> None:
    pipeline.zrem(*item)
