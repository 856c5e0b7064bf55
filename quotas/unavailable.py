"""When Redis counts as slow or unreachable: the exceptions that mean it (as opposed to a bug),
and how long one check may wait for it. The client itself is given to `quotas/` (the server
opens it with 100 ms command timeouts, see `server.redis_url`)."""

from __future__ import annotations

from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError

REDIS_DOWN: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, and BusyLoadingError (a restarted server loading its AOF)
    TimeoutError,  # redis-py's: the 100 ms socket timeout
    ReadOnlyError,  # a replica promoted mid-failover
    OSError,  # includes the builtin TimeoutError that `asyncio.timeout` raises
)

CHECK_DEADLINE_S = 0.25
"""Ceiling of one whole check (connect + up to two scripts + a script reload after a restart):
a cold pool hit by a burst of concurrent checks must not be mistaken for a dead Redis."""
