"""One async Redis client for the app's life, chosen by URL (`V7_REDIS_URL`); the lifespan
(`server.app`) opens it and hands it to the quotas, the fan-out and the stream buffer.

* `embedded://` (the default): start a supervised `redis-server` child on a unix socket under
  `data_dir/redis` (see `server.embedded_redis`) and connect to it; stopped when the context
  exits.
* `redis://[user:password@]host:port/db` and `rediss://…` (TLS; ElastiCache with auth token or
  ACL user): connect to that server. Query options of redis-py's `from_url` are honoured and
  override the defaults below (e.g. `?socket_timeout=0.2`); `check_url` says which.

Strict: an option redis-py does not know (it would reach the connection class as a stray
keyword and fail on the first command), a TLS option on a plain URL, an option given twice or
an invalid value stops the server at start (`check_url`, also run by `open_redis`), named.

Every command has a 100 ms read timeout and no client-side retries; a quota check, which is
one or two commands, is also bounded as a whole by `CHECK_DEADLINE_S` (`quotas.unavailable`:
the quotas' own ceiling, which a new connection may use up too). So a paused or dead Redis
costs a check ~100 ms (a refused connection costs nothing), and the callers in `quotas/` then
take their documented fallback. When all `MAX_CONNECTIONS` are busy the pool waits up to
`POOL_WAIT_S` for a free one (a busy pool is not a dead Redis: a dead one frees its connections
within a command timeout), and the quota checks queue in front of it (`quotas.unavailable.
RedisGate`), so a burst of this process's own checks is never mistaken for an outage.

Both the read timeout and the pool's wait are `quotas.unavailable.deadline`s: time the event
loop spent late is not counted (a reply that arrived while a saturated loop was busy is read,
not dropped as a timeout), and the wait for a pooled connection is not counted against the
caller's own deadline (a pool that stays busy raises `PoolBusy`, named as such).
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.connection import (
    URL_QUERY_ARGUMENT_PARSERS,
    AbstractConnection,
    Connection,
    SSLConnection,
    UnixDomainSocketConnection,
    parse_url,
)
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import AuthenticationError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from quotas.errors import QuotaError
from quotas.unavailable import (
    CHECK_DEADLINE_S,
    REDIS_DOWN,
    deadline,
    not_counted,
    redis_answered,
)
from server.embedded_redis import EmbeddedRedis

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 0.1
"""Socket timeout of every command (and of connecting)."""

MAX_CONNECTIONS = 128
POOL_WAIT_S = 1.0
"""How long a command waits for a free pooled connection (on-time loop only: see `_Pool`);
that wait does not count against the caller's `deadline`."""
CHECK_SLOTS = 64
"""Quota and rate checks in flight at once (`RedisGate`); the rest of the pool is for the
writers (stream buffer, fan-out) and the other Redis users."""

_TLS_OPTIONS = frozenset(
    {
        *(name for name in URL_QUERY_ARGUMENT_PARSERS if name.startswith("ssl_")),
        # Passed to redis-py's SSLConnection as text.
        "ssl_keyfile",
        "ssl_certfile",
        "ssl_cert_reqs",
        "ssl_ca_certs",
        "ssl_ca_data",
        "ssl_ca_path",
        "ssl_ciphers",
        "ssl_password",
    }
)
URL_OPTIONS: dict[str, frozenset[str]] = {
    "redis": frozenset(
        {
            # The options redis-py's `from_url` converts (db, socket_timeout, …), and the text
            # ones its connections take.
            *(name for name in URL_QUERY_ARGUMENT_PARSERS if not name.startswith("ssl_")),
            "client_name",
            "username",
            "password",
        }
    ),
}
URL_OPTIONS["unix"] = URL_OPTIONS["redis"]
URL_OPTIONS["rediss"] = URL_OPTIONS["redis"] | _TLS_OPTIONS
"""The query options each scheme accepts: exactly those redis-py knows for its connections."""


class RedisURLError(QuotaError, ValueError):
    """`V7_REDIS_URL` names an unknown scheme or has an unknown, repeated or invalid option."""


def check_url(url: str) -> None:
    """Raise `RedisURLError` naming what is wrong with `url` (module doc); connects to nothing.
    Never shows the URL, which may hold a password."""
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "embedded":
        if parts.query or parts.netloc or parts.path:
            raise RedisURLError("embedded:// takes no host, path or options")
        return
    known = URL_OPTIONS.get(scheme)
    if known is None:
        raise RedisURLError(
            f"unsupported redis URL scheme {scheme!r}: use embedded://, redis:// or rediss://"
        )
    seen: set[str] = set()
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if name not in known:
            tls = " (a TLS option: use rediss://)" if name in _TLS_OPTIONS else ""
            raise RedisURLError(f"{scheme}:// does not know option {name}{tls}")
        if name in seen:
            raise RedisURLError(f"{scheme}:// option {name} is given more than once")
        seen.add(name)
    try:
        parse_url(url)  # redis-py's own reading: converts and checks the values
    except ValueError as error:
        raise RedisURLError(f"{scheme}:// {error}") from None


def client_options(command_timeout_s: float = COMMAND_TIMEOUT_S) -> dict[str, Any]:
    """The connection options every client of ours uses."""
    return {
        "socket_timeout": command_timeout_s,
        # Connecting happens rarely (the pool keeps connections) but in bursts when the pool is
        # cold; a refused connection fails at once whatever this is.
        "socket_connect_timeout": max(command_timeout_s, CHECK_DEADLINE_S),
        "retry": Retry(NoBackoff(), 0),
        "decode_responses": False,
        "driver_info": None,  # no CLIENT SETINFO round trip on every new connection
    }


class PoolBusy(RedisConnectionError):
    """Every pooled connection stayed busy for `POOL_WAIT_S` of on-time loop: this process
    asks more of Redis at once than its pool holds (not an outage; logged as what it is)."""


class _LateLoopReads(AbstractConnection):
    """A connection whose read timeout (`socket_timeout`) is measured with
    `quotas.unavailable.deadline`: an answer that arrived while the event loop was late is
    read, not thrown away as a timeout (see that function for why)."""

    async def read_response(
        self,
        disable_decoding: bool = False,
        timeout: float | None = None,
        *,
        disconnect_on_error: bool = True,
        push_request: bool | None = False,
    ) -> Any:
        budget = self.socket_timeout
        if timeout is not None or not budget:  # pub/sub's own waits, or no timeout at all
            answer = await super().read_response(
                disable_decoding,
                timeout,
                disconnect_on_error=disconnect_on_error,
                push_request=push_request,
            )
            if answer is not None:  # None: the caller's own wait ended with nothing read
                redis_answered()
            return answer
        try:
            async with deadline(budget):
                # math.inf: no timer of redis-py's own; a cancelled read disconnects.
                answer = await super().read_response(
                    disable_decoding,
                    math.inf,
                    disconnect_on_error=disconnect_on_error,
                    push_request=push_request,
                )
        except TimeoutError:
            raise RedisTimeoutError(f"Timeout reading from {self._host_error()}") from None
        redis_answered()  # Redis is up: see `quotas.unavailable.deadline`
        return answer


class _TcpConnection(_LateLoopReads, Connection):
    pass


class _TlsConnection(_LateLoopReads, SSLConnection):
    pass


class _UnixConnection(_LateLoopReads, UnixDomainSocketConnection):
    pass


_LATE_LOOP_CLASSES: dict[type[AbstractConnection], type[AbstractConnection]] = {
    Connection: _TcpConnection,
    SSLConnection: _TlsConnection,
    UnixDomainSocketConnection: _UnixConnection,
}


class _Pool(BlockingConnectionPool):
    """Waits up to `POOL_WAIT_S` of on-time loop for a free connection, then raises
    `PoolBusy` (redis-py's own wait, a plain timer, is switched off)."""

    async def get_connection(self, *args: Any, **kwargs: Any) -> AbstractConnection:
        if self.can_get_connection():
            # A free (or creatable) connection: no wait, so nothing to bound (the deadline
            # would cost more than taking it, on every command).
            free: AbstractConnection = await super().get_connection(*args, **kwargs)  # type: ignore[no-untyped-call]
            return free
        try:
            with not_counted():
                async with deadline(POOL_WAIT_S):
                    connection: AbstractConnection = await super().get_connection(  # type: ignore[no-untyped-call]
                        *args, **kwargs
                    )
                    return connection
        except TimeoutError:
            raise PoolBusy(
                f"all {self.max_connections} redis connections stayed busy for {POOL_WAIT_S:g} s"
            ) from None


def _pool(command_timeout_s: float, **options: Any) -> _Pool:
    """Our pool over `options` (a parsed URL's, which win over our defaults)."""
    merged: dict[str, Any] = {
        "max_connections": MAX_CONNECTIONS,
        "connection_class": Connection,
        **client_options(command_timeout_s),
        **options,
    }
    merged["connection_class"] = _LATE_LOOP_CLASSES[merged["connection_class"]]
    merged["timeout"] = None  # the wait is `_Pool.get_connection`'s
    return _Pool(**merged)


def unix_client(socket_path: Path, command_timeout_s: float = COMMAND_TIMEOUT_S) -> Redis:
    """A client of the redis-server listening on `socket_path` (closing it closes its pool)."""
    pool = _pool(
        command_timeout_s, connection_class=UnixDomainSocketConnection, path=str(socket_path)
    )
    return Redis.from_pool(pool)


def url_client(url: str, command_timeout_s: float = COMMAND_TIMEOUT_S) -> Redis:
    """A client of `redis://` / `rediss://` `url` (closing it closes its pool)."""
    return Redis.from_pool(_pool(command_timeout_s, **parse_url(url)))


@asynccontextmanager
async def open_redis(url: str, data_dir: Path) -> AsyncIterator[Redis]:
    """The app's Redis client for `url` (see the module doc); closed on exit, and for
    `embedded://` the child redis-server is stopped too. Raises `RedisURLError` (a `QuotaError`)
    for a URL `check_url` refuses, `QuotaError` for credentials the server refuses, and
    `EmbeddedRedisError` if the embedded server cannot start. A remote server that is
    unreachable does not fail the open (it is logged): checks degrade until it answers."""
    check_url(url)
    scheme = urlsplit(url).scheme
    if scheme == "embedded":
        async with EmbeddedRedis(data_dir) as server:
            client = unix_client(server.socket_path)
            try:
                yield client
            finally:
                await client.aclose()
        return
    client = url_client(url)
    try:
        await _probe(client, url)
        yield client
    finally:
        await client.aclose()


async def _probe(client: Redis, url: str) -> None:
    """Fail loudly on a misconfiguration (bad password, unknown ACL user), not on an outage."""
    where = urlsplit(url).hostname or "?"
    try:
        await client.ping()
    except AuthenticationError as exc:
        raise QuotaError(f"redis at {where} refused our credentials: {exc}") from exc
    except ResponseError as exc:
        raise QuotaError(f"redis at {where} refused PING: {exc}") from exc
    except REDIS_DOWN as exc:
        log.warning(
            "redis at %s is unreachable at start; quotas degrade until it answers: %s",
            where,
            type(exc).__name__,
        )
