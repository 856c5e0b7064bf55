"""The running-stream keys (`server.runs`): while streams run, their keys stay in Redis past
their TTL (one refresher for all of a process's streams), so a `stop` from another process
still finds them; a stream that ends takes its key with it, and the refresher stops with the
last stream. A short TTL stands in for the real 6 s."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from server import runs
from server.hub import Hub
from server.runs import RunRegistry, run_key

TTL_S = 0.3


async def test_keys_outlive_their_ttl_while_streams_run_and_go_with_them(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runs, "RUN_TTL_S", TTL_S)
    registry = RunRegistry(redis, Hub(), grace_s=60)
    first, second = run_key("ann", "s1"), run_key("bob", "s2")
    async with registry.running("ann", "s1", lambda: None):
        async with registry.running("bob", "s2", lambda: None):
            await asyncio.sleep(TTL_S * 3)  # three TTLs: only refreshing keeps them
            assert await redis.exists(first, second) == 2
        assert await redis.exists(second) == 0  # ended: its key is gone at once
        await asyncio.sleep(TTL_S * 2)
        assert await redis.exists(first) == 1  # the other is still refreshed
    assert await redis.exists(first) == 0
    assert registry._keeper is None  # no refresher (nor its timer) left behind
