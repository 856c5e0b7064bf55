"""The server's periodic run of `finish_erasures` (`server.erasures.ErasureRetry`): one process
at a time under a Redis lock, skipped while Redis is down. A real redis-server over TCP and the
table on each engine; local accounts (no Cognito)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from server.erasures import LOCK_KEY, Eraser, ErasureRetry, Finished
from server.redis_url import url_client
from store.records import UserIn
from store.repos import UserRepo
from store.repos.erasures import ErasureRepo
from store.table import Table
from tests.redis_servers import TcpRedis

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
async def redis(tcp_server: TcpRedis) -> AsyncIterator[Redis]:
    client = url_client(tcp_server.url, 1.0)
    yield client
    await client.aclose()


async def pending_erasure(table: Table, user_id: str) -> None:
    await UserRepo(table).create(user_id, UserIn(email=f"{user_id}@example.com"))
    await ErasureRepo(table).begin(user_id, username=user_id, email="", now=NOW)


def process(table: Table, redis: Redis) -> ErasureRetry:
    """One server process's retry job (its loop never ticks here: runs are made by hand)."""
    return ErasureRetry(Eraser(table, redis, None, lambda: NOW), redis, interval_s=3600)


async def test_only_the_process_holding_the_lock_runs(table: Table, redis: Redis) -> None:
    await pending_erasure(table, "ann")
    first, second = process(table, redis), process(table, redis)
    await redis.set(LOCK_KEY, "another process", ex=60)
    assert await first.run_once() is None  # held elsewhere: skipped, nothing done
    assert await ErasureRepo(table).pending("ann")
    await redis.delete(LOCK_KEY)  # that run ended
    assert await second.run_once() == Finished(1, 0)
    assert not await ErasureRepo(table).pending("ann")
    assert await redis.get(LOCK_KEY) is None  # released for the next run, wherever it is
    assert await first.run_once() == Finished(0, 0)


async def test_with_redis_down_the_run_is_skipped_and_the_erasure_waits(
    table: Table, redis: Redis, tcp_server: TcpRedis
) -> None:
    await pending_erasure(table, "bob")
    tcp_server.kill()
    assert await process(table, redis).run_once() is None
    tombstone = await ErasureRepo(table).get("bob")
    assert tombstone is not None
    assert tombstone.attempts == 0  # not even tried: erasing needs Redis
    tcp_server.start()  # the same client: the server's, which reconnects by itself
    assert await process(table, redis).run_once() == Finished(1, 0)
