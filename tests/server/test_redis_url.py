"""`open_redis`: the choice of server by URL (`embedded://`, `redis://`, `rediss://`), the
credentials a URL carries, what an unreachable or unknown server does to the open, and which
query options a URL may carry (exactly those redis-py knows; anything else stops the open
before it connects). The embedded server itself is tested in test_embedded_redis.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio.connection import URL_QUERY_ARGUMENT_PARSERS
from redis.exceptions import ConnectionError

from quotas.errors import QuotaError
from server.redis_url import URL_OPTIONS, RedisURLError, check_url, open_redis
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


async def test_unknown_options_are_refused_before_connecting(tmp_path: Path) -> None:
    port = free_port()  # nothing listens: a refusal here cannot come from a server
    for url, named in (
        (f"redis://127.0.0.1:{port}/0?colour=blue", "does not know option colour"),
        (f"redis://127.0.0.1:{port}/0?ssl_cert_reqs=none", "TLS option: use rediss://"),
        (f"redis://127.0.0.1:{port}/0?db=1&db=2", "option db is given more than once"),
        (f"redis://127.0.0.1:{port}/0?socket_timeout=soon", "socket_timeout"),
        (f"redis://127.0.0.1:{port}/0?decode_responses=true", "decode_responses"),
        ("embedded://?maxmemory=1gb", "embedded:// takes no"),
    ):
        with pytest.raises(RedisURLError, match=named):
            async with open_redis(url, tmp_path):
                pass
    assert not exists(tmp_path / "redis")


def test_every_option_redis_py_knows_is_accepted() -> None:
    check_url("redis://h:6379/0?socket_timeout=0.2&client_name=v7&health_check_interval=5")
    for scheme in ("redis", "rediss", "unix"):
        for option in URL_OPTIONS[scheme]:
            if option not in URL_QUERY_ARGUMENT_PARSERS:  # text options: any value reads
                check_url(f"{scheme}://h/0?{option}=x")
    check_url("rediss://h:6379/0?ssl_cert_reqs=required&ssl_ca_certs=/etc/ca.pem")


async def test_known_options_reach_the_connection(tcp_server: TcpRedis, tmp_path: Path) -> None:
    async with open_redis(f"{tcp_server.url}?client_name=coach-7", tmp_path) as client:
        assert await client.client_getname() in ("coach-7", b"coach-7")
