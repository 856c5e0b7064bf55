"""The say records of `handlers/idempotency.py` in Redis, shared by every server process.

One hash per say: `v7:say:{user}:{say id}` with fields `s` (status: `p` in progress, `c`
completed), `h` (the frame's fingerprint), `o` (the run that owns it) and, once completed, `f`
(a JSON list of the frames' texts; absent when they were too large to keep). Its TTL is the
record's life. Every write is one Lua script, so claiming is atomic and only the owner
completes, refreshes or deletes a record. Any Redis failure is `RecordsUnavailable` (the
caller then falls back to this process's memory).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from handlers.idempotency import Record, RecordsUnavailable
from quotas.unavailable import CHECK_DEADLINE_S, REDIS_DOWN, deadline

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

_DOWN: tuple[type[BaseException], ...] = (RedisError, *REDIS_DOWN)

CLAIM = """
local found = redis.call('HGETALL', KEYS[1])
if #found > 0 then return found end
redis.call('HSET', KEYS[1], 's', 'p', 'h', ARGV[1], 'o', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return found
"""
REFRESH = """
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""
COMPLETE = """
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 's', 'c')
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'f', ARGV[3]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""
DELETE = """
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""


def say_key(user_id: str, say_id: str) -> str:
    return f"{user_says_prefix(user_id)}{say_id}"


def user_says_prefix(user_id: str) -> str:
    """What every say record of the user begins with (erasure removes them)."""
    return f"v7:say:{user_id}:"


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class SayLedger:
    """`handlers.idempotency.RecordStore` over the app's Redis client."""

    def __init__(self, redis: Redis, timeout_s: float = CHECK_DEADLINE_S) -> None:
        self._timeout = timeout_s
        self._claim = redis.register_script(CLAIM)
        self._refresh = redis.register_script(REFRESH)
        self._complete = redis.register_script(COMPLETE)
        self._delete = redis.register_script(DELETE)

    async def put_in_progress(
        self, user_id: str, say_id: str, record: Record, ttl_s: float
    ) -> Record | None:
        found = await self._eval(
            self._claim, say_key(user_id, say_id), record.fingerprint, record.owner, _ms(ttl_s)
        )
        return _decode(found) if found else None

    async def refresh(self, user_id: str, say_id: str, owner: str, ttl_s: float) -> None:
        await self._eval(self._refresh, say_key(user_id, say_id), owner, _ms(ttl_s))

    async def complete(self, user_id: str, say_id: str, record: Record, ttl_s: float) -> None:
        frames = "" if record.frames is None else json.dumps(list(record.frames))
        await self._eval(self._complete, say_key(user_id, say_id), record.owner, _ms(ttl_s), frames)

    async def delete(self, user_id: str, say_id: str, owner: str) -> None:
        await self._eval(self._delete, say_key(user_id, say_id), owner)

    async def _eval(self, script: AsyncScript, key: str, *args: Any) -> Any:
        try:
            async with deadline(self._timeout):
                return await script(keys=[key], args=list(args))
        except _DOWN as error:
            raise RecordsUnavailable(type(error).__name__) from error


def _decode(flat: list[bytes]) -> Record:
    """A record from HGETALL's flat `[field, value, …]` answer."""
    fields = {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}
    frames = fields.get("f")
    return Record(
        status="completed" if fields.get("s") == b"c" else "in_progress",
        fingerprint=fields.get("h", b"").decode(),
        owner=fields.get("o", b"").decode(),
        frames=None if frames is None else tuple(json.loads(frames)),
    )
