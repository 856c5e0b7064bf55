from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from server.redis_url import url_client
from tests.redis_servers import TcpRedis
from tests.server.live import LiveServer, live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One live server (embedded SQLite, local auth) per test module."""
    with live_server(Path(tmp_path_factory.mktemp("server"))) as live:
        yield live


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
async def redis(tcp_server: TcpRedis) -> AsyncIterator[Redis]:
    """A client of the test's own redis-server (`tcp_server`, which a test may kill and
    restart), with a 1 s command timeout."""
    client = url_client(tcp_server.url, 1.0)
    yield client
    await client.aclose()
