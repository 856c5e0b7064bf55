"""`open_redis`: the choice of server by URL (`embedded://`, `redis://`, `rediss://`), the
credentials a URL carries, and what an unreachable or unknown server does to the open. The
embedded server itself is tested in test_embedded_redis.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.exceptions import ConnectionError

from quotas.errors import QuotaError
from server.redis_url import open_redis
from tests.redis_servers import TcpRedis, free_port


def exists(path: Path) -> bool:
    return path.exists()


async def test_urls_choose_the_server(tcp_server: TcpRedis, tmp_path: Path) -> None:
    async with open_redis(tcp_server.url, tmp_path) as client:
        assert await client.ping()
        assert (await client.config_get("port"))["port"] == str(tcp_server.port)
    assert not exists(tmp_path / "redis")  # nothing embedded was started
    with pytest.raises(QuotaError, match="unsupported redis URL scheme"):
        async with open_redis("memcached://127.0.0.1:11211", tmp_path):
            pass


async def test_password_and_acl_user_come_from_the_url(tmp_path: Path) -> None:
    acl = ("--user", "coach", "on", ">s3cret", "~*", "&*", "+@all", "--user", "default", "off")
    server = TcpRedis(free_port(), tmp_path, extra=acl)
    server.start()
    try:
        good = f"redis://coach:s3cret@127.0.0.1:{server.port}/0"
        async with open_redis(good, tmp_path) as client:
            assert await client.acl_whoami() == "coach"
        with pytest.raises(QuotaError, match="refused our credentials"):
            async with open_redis(f"redis://coach:wrong@127.0.0.1:{server.port}/0", tmp_path):
                pass
    finally:
        server.kill()


async def test_an_unreachable_server_does_not_fail_the_open(tmp_path: Path) -> None:
    async with open_redis(f"redis://127.0.0.1:{free_port()}/0", tmp_path) as client:
        with pytest.raises(ConnectionError):
            await client.ping()
