"""The exceptions that mean "Redis is slow or unreachable" (as opposed to a bug)."""

from __future__ import annotations

from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError

REDIS_DOWN: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, and BusyLoadingError (a restarted server loading its AOF)
    TimeoutError,  # redis-py's: the 100 ms socket timeout
    ReadOnlyError,  # a replica promoted mid-failover
    OSError,  # includes the builtin TimeoutError that `asyncio.timeout` raises
)
