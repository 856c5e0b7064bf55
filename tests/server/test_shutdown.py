"""The cross-process parts always shut down: an app whose start fails right after the fan-out
opened, or that stops while its writers are mid-command, exits instead of hanging."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from server.fanout import Fanout
from server.redis_io import patient_client
from server.redis_url import url_client
from tests.redis_servers import TcpRedis, free_port


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[Redis]:
    server = TcpRedis(free_port(), tmp_path)
    server.start()
    client = url_client(server.url)
    try:
        yield client
    finally:
        await client.aclose()
        server.kill()


async def test_the_fanout_closes_every_time_even_straight_after_it_opened(redis: Redis) -> None:
    # A single cancel used to be swallowed now and then by `asyncio.wait_for` inside redis-py
    # (about 1 close in 30 hung for ever); 150 opens and closes at varied moments all finish.
    hung = 0
    async with patient_client(redis) as patient:
        for attempt in range(150):
            fanout = Fanout(redis, patient, lambda *_: None)
            await fanout.__aenter__()
            await asyncio.sleep(0.001 * (attempt % 7))
            try:
                await asyncio.wait_for(fanout.__aexit__(None, None, None), 5)
            except TimeoutError:
                hung += 1
    assert hung == 0
