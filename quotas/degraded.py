"""What the quotas do while Redis is unreachable: small in-process allowances, and log lines
that say so without flooding the log.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

HOUR_S = 3600.0


class HourlyAllowance:
    """At most `limit` grants per key in any rolling hour, in this process only.

    `take` and `give_back` never await, so concurrent tasks of one process see exact counts.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._grants: dict[str, deque[float]] = {}

    def take(self, key: str, limit: int) -> int | None:
        """Grant one (returns None) or refuse with the ms until the oldest grant ages out."""
        now = self._clock()
        grants = self._grants.setdefault(key, deque())
        while grants and grants[0] <= now - HOUR_S:
            grants.popleft()
        if len(grants) >= limit:
            if not grants:
                return int(HOUR_S * 1000)
            return max(1, int((grants[0] + HOUR_S - now) * 1000))
        grants.append(now)
        return None

    def give_back(self, key: str) -> None:
        """Return the newest grant of `key` (a refunded degraded reservation)."""
        grants = self._grants.get(key)
        if grants:
            grants.pop()


class ThrottledLog:
    """Logs a warning about `what` at most once every `every_s` seconds per `what`."""

    def __init__(self, logger: logging.Logger, every_s: float = 10.0) -> None:
        self._log = logger
        self._every = every_s
        self._last: dict[str, float] = {}

    def warning(self, what: str, error: BaseException) -> None:
        now = time.monotonic()
        if now - self._last.get(what, -self._every - 1) < self._every:
            return
        self._last[what] = now
        self._log.warning("redis unavailable: %s (%s: %s)", what, type(error).__name__, error)
