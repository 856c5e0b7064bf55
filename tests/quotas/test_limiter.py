from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis

from quotas.errors import RateLimited
from quotas.limiter import RateLimiter
from quotas.policy import Policy, load_policy

from .conftest import PATIENT_S, user


def policy_with(name: str, per_minute: float, burst: int) -> Policy:
    raw: dict[str, Any] = load_policy().model_dump()
    for tier in raw["tiers"].values():
        tier["rate_limits"][name] = {"per_minute": per_minute, "burst": burst}
    return Policy.model_validate(raw)


async def test_burst_then_refused_until_the_interval_passes(redis: Redis) -> None:
    limiter = RateLimiter(
        redis, timeout_s=PATIENT_S, policy=policy_with("rest_calls", 600, 3)
    )  # one per 100 ms
    uid = user()
    for _ in range(3):
        await limiter.hit(uid, "free", "rest_calls")
    with pytest.raises(RateLimited) as refused:
        await limiter.hit(uid, "free", "rest_calls")
    assert refused.value.code == "rate_limited"
    retry_ms = refused.value.retry_after_ms
    assert retry_ms is not None
    assert 0 < retry_ms <= 100
    assert refused.value.retry_after_s == 1
    await asyncio.sleep(retry_ms / 1000 + 0.01)
    assert (await limiter.check(uid, "free", "rest_calls")).allowed


async def test_limits_are_per_user_and_per_name(redis: Redis) -> None:
    limiter = RateLimiter(redis, timeout_s=PATIENT_S, policy=policy_with("ai_messages", 1, 1))
    alice, bob = user(), user()
    assert (await limiter.check(alice, "free", "ai_messages")).allowed
    refused = await limiter.check(alice, "free", "ai_messages")
    assert not refused.allowed
    assert 58_000 < refused.retry_after_ms <= 60_000
    assert (await limiter.check(bob, "free", "ai_messages")).allowed
    assert (await limiter.check(alice, "free", "journal_writes")).allowed


@pytest.mark.alone
async def test_concurrent_checks_grant_exactly_the_burst(redis: Redis) -> None:
    limiter = RateLimiter(redis, timeout_s=PATIENT_S, policy=policy_with("journal_writes", 1, 10))
    uid = user()
    decisions = await asyncio.gather(
        *(limiter.check(uid, "free", "journal_writes") for _ in range(50))
    )
    assert sum(d.allowed for d in decisions) == 10
    assert all(d.retry_after_ms > 0 for d in decisions if not d.allowed)


async def test_tier_rates_differ(redis: Redis) -> None:
    limiter = RateLimiter(redis, load_policy(), timeout_s=PATIENT_S)
    granted = {}
    for tier in ("free", "premium"):
        uid = user()
        results = await asyncio.gather(
            *(limiter.check(uid, tier, "ai_messages") for _ in range(15))
        )
        granted[tier] = sum(r.allowed for r in results)
    policy = load_policy()
    assert granted["free"] == policy.tier("free").rate_limits.ai_messages.burst
    assert granted["premium"] == policy.tier("premium").rate_limits.ai_messages.burst
    assert granted["premium"] > granted["free"]
