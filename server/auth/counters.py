"""The two counters behind the `/auth/*` limits, in Redis (shared by every process) and, for the
limits that fail open, the same two in this process's memory while Redis is unreachable.

* A rate (`Rate`) is the quotas' GCRA bucket: the same Lua script (`quotas.scripts.GCRA`),
  clocked by Redis `TIME`.
* A lockout (`Lockout`) counts failures per key in a window that starts at the first one. The
  attempt is counted when it starts (`take`), so N concurrent attempts cannot all slip under the
  limit; one that did not fail is given back (`back`); one that failed (`fail`) and filled the
  window locks the key for the window, doubled for each lockout of the last day (`strikes`), up
  to the rule's longest lock. `clear` forgets the key's failures, lock and strikes.

Keys (the `{…}` hash tag keeps one subject's keys in one Redis Cluster slot; subjects are a
client address, or a SHA-256 of an email address or a refresh token, never the plain text):

    v7:auth:{SUBJECT}:RULE              GCRA theoretical arrival time, µs (a rate)
    v7:auth:{SUBJECT}:RULE:n            attempts counted in the current window (a lockout)
    v7:auth:{SUBJECT}:RULE:lock         present while the key is locked
    v7:auth:{SUBJECT}:RULE:strikes      lockouts of the last day

Every key expires by itself (a TTL, never an instant: Redis's clock only measures durations).
Each operation is one script, so one round trip; none raises for a refusal: they answer the
milliseconds to wait (0 when allowed).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from quotas.scripts import GCRA
from server.auth.limits import STRIKES_SECONDS, Lockout, Rate

if TYPE_CHECKING:
    from redis.asyncio import Redis

LockoutOp = Literal["take", "fail", "back", "clear"]
_T = TypeVar("_T")

LOCKOUT = """
-- KEYS: count, lock, strikes.  ARGV: op, limit, window_ms, max_lock_ms, strikes_ms
-- Returns {allowed (1/0), retry_after_ms}
local op = ARGV[1]
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
if op == 'clear' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  return {1, 0}
end
if op == 'back' then
  if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
  return {1, 0}
end
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return {0, locked} end
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if op == 'take' then
  if n >= limit then
    -- full of attempts still running: wait for them, at most the window
    local left = redis.call('PTTL', KEYS[1])
    if left <= 0 then left = window end
    return {0, left}
  end
  if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], window) end
  return {1, 0}
end
-- 'fail': the attempt 'take' counted failed; a full window locks the key
if n < limit then return {1, 0} end
local strikes = tonumber(redis.call('GET', KEYS[3]) or '0')
local lock = math.floor(math.min(window * 2 ^ strikes, tonumber(ARGV[4])))
redis.call('SET', KEYS[2], '1', 'PX', string.format('%d', lock))
redis.call('SET', KEYS[3], string.format('%d', strikes + 1),
           'PX', string.format('%d', lock + tonumber(ARGV[5])))
redis.call('DEL', KEYS[1])
return {0, lock}
"""


def rate_key(subject: str, rule: str) -> str:
    return f"v7:auth:{{{subject}}}:{rule}"


def lockout_keys(subject: str, rule: str) -> list[str]:
    base = rate_key(subject, rule)
    return [f"{base}:n", f"{base}:lock", f"{base}:strikes"]


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisCounters:
    """The counters in Redis. Each method is one script call and raises whatever the client
    raises for a slow or unreachable Redis (the caller decides to fail open or closed)."""

    def __init__(self, redis: Redis) -> None:
        self._gcra = redis.register_script(GCRA)
        self._lockout = redis.register_script(LOCKOUT)

    async def rate(self, subject: str, rule: str, limit: Rate) -> int:
        """Count one request; 0 if allowed, else the ms until one would be."""
        allowed, retry_ms = await self._gcra(
            keys=[rate_key(subject, rule)], args=[limit.interval_us, limit.count]
        )
        return 0 if allowed else max(1, int(retry_ms))

    async def lockout(self, op: LockoutOp, subject: str, rule: str, limit: Lockout) -> int:
        """Apply `op`; 0 if allowed (or nothing to refuse), else the ms until the key opens."""
        args = [op, limit.count, _ms(limit.seconds), _ms(limit.max_seconds), STRIKES_SECONDS * 1000]
        allowed, retry_ms = await self._lockout(keys=lockout_keys(subject, rule), args=args)
        return 0 if allowed else max(1, int(retry_ms))


@dataclass
class _Window:
    count: int = 0
    count_until: float = 0.0
    locked_until: float = 0.0
    strikes: int = 0
    strikes_until: float = 0.0


class LocalCounters:
    """The same counters in this process's memory, for the limits that fail open while Redis is
    unreachable: each process then enforces them on its own (so N processes let through up to
    N times as much). Never awaits, so concurrent tasks see exact counts. Holds at most
    `max_keys` keys, forgetting the least recently used."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, *, max_keys: int = 50_000
    ) -> None:
        self._clock = clock
        self._max = max_keys
        self._tats: OrderedDict[str, float] = OrderedDict()
        self._windows: OrderedDict[str, _Window] = OrderedDict()

    def rate(self, subject: str, rule: str, limit: Rate) -> int:
        key, now = rate_key(subject, rule), self._clock()
        interval = limit.seconds / limit.count
        tat = max(self._tats.pop(key, now), now)
        allow_at = tat + interval - interval * limit.count
        if allow_at > now:
            self._remember(self._tats, key, tat)
            return _ms(allow_at - now)
        self._remember(self._tats, key, tat + interval)
        return 0

    def lockout(self, op: LockoutOp, subject: str, rule: str, limit: Lockout) -> int:
        key, now = rate_key(subject, rule), self._clock()
        state = self._windows.pop(key, None) or _Window()
        if state.count_until <= now:
            state.count = 0
        if state.strikes_until <= now:
            state.strikes = 0
        retry = self._apply(op, state, now, limit)
        if op != "clear":
            self._remember(self._windows, key, state)
        return retry

    @staticmethod
    def _apply(op: LockoutOp, state: _Window, now: float, limit: Lockout) -> int:
        if op == "clear":
            return 0
        if op == "back":
            state.count = max(0, state.count - 1)
            return 0
        if state.locked_until > now:
            return _ms(state.locked_until - now)
        if op == "take":
            if state.count >= limit.count:
                return _ms(state.count_until - now)
            if state.count == 0:
                state.count_until = now + limit.seconds
            state.count += 1
            return 0
        if state.count < limit.count:  # "fail" before the window is full
            return 0
        lock = min(limit.seconds * 2**state.strikes, limit.max_seconds)
        state.locked_until = now + lock
        state.strikes += 1
        state.strikes_until = now + lock + STRIKES_SECONDS
        state.count = 0
        return _ms(lock)

    def _remember(self, store: OrderedDict[str, _T], key: str, value: _T) -> None:
        store[key] = value
        while len(store) > self._max:
            store.popitem(last=False)
