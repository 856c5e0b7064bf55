"""Per-user rate limits: GCRA in one Lua script per check, with Redis `TIME` as the clock.

A check costs one round trip. If Redis is slow or down the check fails OPEN (allowed, logged,
throttled): rate limits protect against abuse, the per-connection frame limit in `server/`
still holds, and the monthly AI quota has its own fail-closed policy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quotas.degraded import ThrottledLog
from quotas.errors import RateLimited
from quotas.scripts import GCRA, rate_key
from quotas.unavailable import CHECK_DEADLINE_S, REDIS_DOWN, RedisGate, deadline

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from quotas.policy import Policy, RateLimitName

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_ms: int
    degraded: bool = False


class RateLimiter:
    """`await limiter.hit(user_id, tier, "rest_calls")` raises `RateLimited` or returns."""

    def __init__(
        self,
        redis: Redis,
        policy: Policy,
        *,
        timeout_s: float = CHECK_DEADLINE_S,
        gate: RedisGate | None = None,
    ) -> None:
        self._redis = redis
        self._gate = gate or RedisGate()
        self._policy = policy
        self._timeout = timeout_s
        self._script = redis.register_script(GCRA)
        self._warn = ThrottledLog(log)

    async def check(self, user_id: str, tier: str, name: RateLimitName) -> Decision:
        """Count one request against `name` for this user at `tier`'s rate; returns whether it
        is allowed and, if not, how long to wait. Never raises for Redis trouble (fails open).
        Raises `UnknownTier`. Cancel-safe."""
        limit = self._policy.tier(tier).rate_limits.get(name)
        try:
            async with self._gate.turn(), deadline(self._timeout):
                allowed, retry_ms = await self._script(
                    keys=[rate_key(user_id, name)], args=[limit.interval_us, limit.burst]
                )
        except REDIS_DOWN as exc:
            self._warn.warning(f"rate limit {name} not enforced (fail open)", exc)
            return Decision(True, 0, degraded=True)
        return Decision(bool(allowed), int(retry_ms))

    async def hit(self, user_id: str, tier: str, name: RateLimitName) -> None:
        """`check`, raising `RateLimited(name, retry_after_ms)` when refused."""
        decision = await self.check(user_id, tier, name)
        if not decision.allowed:
            raise RateLimited(name, decision.retry_after_ms)
