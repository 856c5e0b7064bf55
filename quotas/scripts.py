"""The Lua scripts: each check is one atomic script that reads the clock with `TIME`.

Key layout (the `{user}` hash tag keeps one user's keys in one Redis Cluster slot):

    v7:rl:{USER}:NAME                   GCRA theoretical arrival time, µs (rate limits)
    v7:q:{USER}:KIND:WINDOW:used        settled count of the window (committed)
    v7:q:{USER}:KIND:WINDOW:pending     sorted set: reservation id → expiry (ms, Redis clock)
    v7:q:{USER}:KIND:WINDOW:settled     hash: reservation id → committed | refunded | expired

Every quota key expires `keep_ms` after it is written: the caller computes it from its own clock
as the time left in the window plus a grace period, so the keys' lifetime never depends on the
application's clock and Redis's clock agreeing on the date (they only have to agree on how long
a millisecond is).

A window's `used` key that is absent means "unknown" (a fresh or flushed Redis), never zero: the
scripts then answer NEED_SEED without writing anything, the caller reads the durable count from
the store and calls again with it, and the script seeds the key only if it is still absent (SET
NX semantics inside the script), so concurrent seeders cannot double-count.

A journal entry that leaves the journal (undone, deleted) in the ISO week it was logged in gives
its count back: RELEASE decrements that week's `used` (keeping its expiry), never below zero,
and does nothing when the key is absent.

Reconciliation, done by every quota script before it decides: pending reservations whose expiry
has passed are removed from `pending` and marked `expired` in `settled`. They stop counting; the
user is not charged for a turn whose process died (the ledger has no entry for it either). A
late `commit` of an expired reservation still counts (tokens were spent and go to the ledger);
a late `refund` is a no-op.
"""

from __future__ import annotations

GRANTED = 1
REFUSED = 0
NEED_SEED = -1
NOOP = 0
SETTLED = 1
RELEASED = 1

_NOW = """
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

_RECONCILE = """
local function reconcile(pending, settled, now_ms)
  local expired = redis.call('ZRANGEBYSCORE', pending, '-inf', now_ms)
  for _, id in ipairs(expired) do
    redis.call('HSET', settled, id, 'expired')
  end
  if #expired > 0 then
    redis.call('ZREMRANGEBYSCORE', pending, '-inf', now_ms)
  end
  return #expired
end
"""

_SEED = """
local function seeded(used, seed, keep_ms)
  if redis.call('EXISTS', used) == 1 then return true end
  if seed < 0 then return false end
  redis.call('SET', used, string.format('%d', seed), 'NX')
  redis.call('PEXPIRE', used, keep_ms)
  return true
end
"""

RESERVE = (
    _NOW
    + _RECONCILE
    + _SEED
    + """
-- KEYS: used, pending, settled
-- ARGV: limit (-1 = unlimited), seed (-1 = unknown), ttl_ms, id ('' = only look), keep_ms
-- Returns {status, used, pending, expired_now}
local limit = tonumber(ARGV[1])
local seed = tonumber(ARGV[2])
local keep_ms = ARGV[5]
if not seeded(KEYS[1], seed, keep_ms) then return {-1, 0, 0, 0} end
local expired = reconcile(KEYS[2], KEYS[3], now_ms)
local used = tonumber(redis.call('GET', KEYS[1]))
local pending = redis.call('ZCARD', KEYS[2])
if ARGV[4] == '' then return {2, used, pending, expired} end
if limit >= 0 and used + pending >= limit then return {0, used, pending, expired} end
redis.call('ZADD', KEYS[2], string.format('%d', now_ms + tonumber(ARGV[3])), ARGV[4])
redis.call('PEXPIRE', KEYS[2], keep_ms)
return {1, used, pending + 1, expired}
"""
)

COMMIT = (
    _NOW
    + _RECONCILE
    + _SEED
    + """
-- KEYS: used, pending, settled
-- ARGV: id, seed (-1 = unknown), seed_includes_this (0/1), keep_ms
-- Returns {status, used}: 1 committed now, 0 already settled (no-op), -1 need seed
local id = ARGV[1]
local state = redis.call('HGET', KEYS[3], id)
if state == 'committed' or state == 'refunded' then
  return {0, tonumber(redis.call('GET', KEYS[1]) or '0')}
end
local existed = redis.call('EXISTS', KEYS[1]) == 1
if not seeded(KEYS[1], tonumber(ARGV[2]), ARGV[4]) then return {-1, 0} end
reconcile(KEYS[2], KEYS[3], now_ms)
redis.call('ZREM', KEYS[2], id)
local used
if existed or ARGV[3] == '0' then
  used = redis.call('INCR', KEYS[1])
else
  -- The store count we just seeded from already includes this item.
  used = tonumber(redis.call('GET', KEYS[1]))
end
redis.call('HSET', KEYS[3], id, 'committed')
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return {1, used}
"""
)

REFUND = (
    _NOW
    + _RECONCILE
    + """
-- KEYS: pending, settled
-- ARGV: id, keep_ms
-- Returns {status}: 1 refunded now, 0 already settled (no-op)
local id = ARGV[1]
local state = redis.call('HGET', KEYS[2], id)
if state == 'committed' or state == 'refunded' then return {0} end
reconcile(KEYS[1], KEYS[2], now_ms)
redis.call('ZREM', KEYS[1], id)
redis.call('HSET', KEYS[2], id, 'refunded')
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {1}
"""
)

LOOK = (
    _NOW
    + _RECONCILE
    + _SEED
    + """
-- Where a user stands in both windows at once (one round trip for the badge). Per window:
-- KEYS: used, pending, settled (AI messages' three, then journal entries' three: one user's
-- keys, one cluster slot).  ARGV: seed, keep_ms for each window, in the same order.
-- Returns {status, used, pending, expired_now} for each: status 2 looked, -1 need seed.
local function look(first_key, first_arg)
  local used, pending = KEYS[first_key], KEYS[first_key + 1]
  if not seeded(used, tonumber(ARGV[first_arg]), ARGV[first_arg + 1]) then
    return -1, 0, 0, 0
  end
  local expired = reconcile(pending, KEYS[first_key + 2], now_ms)
  return 2, tonumber(redis.call('GET', used)), redis.call('ZCARD', pending), expired
end
local a1, a2, a3, a4 = look(1, 1)
local j1, j2, j3, j4 = look(4, 3)
return {a1, a2, a3, a4, j1, j2, j3, j4}
"""
)

RELEASE = """
-- KEYS: used
-- Returns {status, used}: 1 given back now; 0 nothing to give back: no counter (a rebuild from
-- the store, which no longer holds the entry, leaves it out anyway; used is then -1) or 0.
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, -1} end
local used = tonumber(redis.call('GET', KEYS[1]))
if used <= 0 then return {0, used} end
return {1, redis.call('DECR', KEYS[1])}
"""

GCRA = (
    _NOW
    + """
-- KEYS: the limit's key.  ARGV: interval_us, burst
-- Returns {allowed (1/0), retry_after_ms}
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - interval * burst
if allow_at > now then
  return {0, math.ceil((allow_at - now) / 1000)}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX',
           string.format('%d', math.ceil((new_tat - now) / 1000) + 1))
return {1, 0}
"""
)


def _rate_prefix(user_id: str) -> str:
    return f"v7:rl:{{{user_id}}}:"


def _quota_prefix(user_id: str) -> str:
    return f"v7:q:{{{user_id}}}:"


def user_key_prefixes(user_id: str) -> tuple[str, ...]:
    """What every key of the user's rate limits and quotas begins with: erasing an account
    removes the keys that begin so (`server.erasure`)."""
    return _rate_prefix(user_id), _quota_prefix(user_id)


def rate_key(user_id: str, name: str) -> str:
    return f"{_rate_prefix(user_id)}{name}"


def quota_keys(user_id: str, kind: str, window: str) -> tuple[str, str, str]:
    """(used, pending, settled) of one user's window."""
    base = f"{_quota_prefix(user_id)}{kind}:{window}"
    return f"{base}:used", f"{base}:pending", f"{base}:settled"
