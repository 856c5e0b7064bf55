"""The command line's own Redis client, for commands that run beside the servers (`v7 jobs run`,
`v7 users finish-erasures`, `v7 import`), and the one thing every such command must do with it:
tell the servers' context caches about its writes (`context.generations`)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from urllib.parse import urlsplit

from redis.asyncio import Redis

from context.generations import RedisGenerations
from server.embedded_redis import EmbeddedRedis
from server.redis_url import check_url, unix_client, url_client
from server.settings import Settings
from store.table import Table

TIMEOUT_S = 2.0
"""Command timeout of the command line's client (the server's is 100 ms): a one-off command
would rather wait than take a degraded path."""


async def command_line_redis(
    stack: AsyncExitStack, settings: Settings, *, embedded_must_run: bool = False
) -> Redis | None:
    """A client of the servers' Redis, closed with `stack`. With `embedded://` it is the running
    server's embedded Redis, through its socket (never one of our own: its locks and
    generations would reach nobody); None when no server runs it, unless `embedded_must_run`
    (then the client is made anyway and fails on use, as a down Redis does)."""
    check_url(settings.redis_url)
    if urlsplit(settings.redis_url).scheme == "embedded":
        socket = EmbeddedRedis(settings.data_dir).socket_path
        if not socket.exists() and not embedded_must_run:
            return None
        redis = unix_client(socket, TIMEOUT_S)
    else:
        redis = url_client(settings.redis_url, TIMEOUT_S)
    stack.push_async_callback(redis.aclose)
    return redis


def tell_caches(table: Table, redis: Redis | None) -> None:
    """Make `table`'s writes change the climber's context generation, as a server's do, so no
    server answers from a context computed before them (with no Redis, the caches' maximum
    age bounds it)."""
    if redis is not None:
        table.on_write(RedisGenerations(redis).bump)
