"""The per-connection frame rate limit, in process (a socket is pinned to one process).

A token bucket: `rate` frames a second with bursts up to `burst`. A frame over the limit is
refused (the client gets `rate_limited`); a client that keeps sending while refused is abusive
and its socket is closed (4029).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    REFUSE = "refuse"
    CLOSE = "close"


class FrameRateLimit:
    def __init__(
        self,
        rate: float = 10.0,
        burst: int = 30,
        abuse_after: int = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._abuse_after = abuse_after
        self._clock = clock
        self._tokens = float(burst)
        self._refused = 0.0
        self._last = clock()

    def check(self) -> Verdict:
        now = self._clock()
        elapsed = now - self._last
        self._last = now
        self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
        # Refusals are forgiven at the same pace as tokens refill, so one burst over the limit
        # is a warning and only sustained flooding closes the socket.
        self._refused = max(0.0, self._refused - elapsed * self._rate)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return Verdict.ALLOW
        self._refused += 1.0
        return Verdict.CLOSE if self._refused >= self._abuse_after else Verdict.REFUSE

    def retry_after_ms(self) -> int:
        return max(1, int((1.0 - self._tokens) / self._rate * 1000))
