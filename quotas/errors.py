"""The errors of `quotas/`: what a refusal carries so the server can answer the client.

Each refusal names the DESIGN.md error code the server puts in an `error` frame (or the body of
a 429) and what else that answer needs: `resets_at` for a quota, `retry_after_ms` for a rate
limit (also the `Retry-After` header, rounded up to whole seconds).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal

QuotaKind = Literal["ai_messages", "journal_entries"]


class QuotaError(Exception):
    """Base of every error raised by `quotas/`."""


class Refused(QuotaError):
    """A request the user may not make now. `code` is the DESIGN.md error code."""

    code: str = "internal"
    retry_after_ms: int | None = None

    @property
    def retry_after_s(self) -> int:
        """`retry_after_ms` rounded up to whole seconds (at least 1): the `Retry-After` header."""
        return max(1, math.ceil((self.retry_after_ms or 0) / 1000))


class QuotaExceeded(Refused):
    """The user's monthly AI messages or weekly journal entries are used up until `resets_at`
    (the first instant of the next window, UTC), as seen at instant `now`. Code
    `quota_exceeded`.

    `timezone` is the refused climber's IANA zone, in which they are told when `resets_at`
    comes (the windows themselves are UTC); whoever knows the caller sets it on the way out
    (`server/allowances.py`). None reads as UTC."""

    code = "quota_exceeded"
    timezone: str | None = None

    def __init__(
        self, kind: QuotaKind, resets_at: datetime, limit: int, used: int, *, now: datetime
    ) -> None:
        self.kind: QuotaKind = kind
        self.resets_at = resets_at
        self.limit = limit
        self.used = used
        self.retry_after_ms = max(1, math.ceil((resets_at - now).total_seconds() * 1000))
        super().__init__(f"{kind} quota of {limit} used up; resets at {resets_at.isoformat()}")


class RateLimited(Refused):
    """Too many requests of one kind in a short time; retry after `retry_after_ms`.
    Code `rate_limited`."""

    code = "rate_limited"

    def __init__(self, limit: str, retry_after_ms: int) -> None:
        self.limit = limit
        self.retry_after_ms = retry_after_ms
        super().__init__(f"rate limit {limit!r}: retry after {retry_after_ms} ms")


class QuotaUnavailable(Refused):
    """Redis (the enforcement point) is unreachable and this user's small degraded allowance of
    AI messages is spent, so no paid model call is made. Code `model_unavailable`: from the
    client's side the coach is unavailable for a while; it is neither their quota nor their
    request rate, and `retry_after_ms` says when a degraded slot frees up."""

    code = "model_unavailable"

    def __init__(self, retry_after_ms: int) -> None:
        self.retry_after_ms = retry_after_ms
        super().__init__(f"quota service unavailable; retry after {retry_after_ms} ms")


class PolicyError(QuotaError):
    """The tier policy file is unreadable or invalid; the message names the file and field."""


class UnknownTier(QuotaError, KeyError):
    """A tier name that the policy does not define."""
