"""Bounded retries of a model call that failed before any output was yielded."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass

from core.model import ModelError

RETRIED_KINDS = frozenset({"throttled", "unavailable"})

log = logging.getLogger("llm.retry")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most `attempts` calls in all; waits grow as `base_delay * 2**n` with full jitter, and
    the sum of the waits never exceeds `budget` seconds (a climber waiting on a first token is
    better served by the fallback than by a long retry)."""

    attempts: int = 3
    base_delay: float = 0.25
    budget: float = 2.0


class Backoff:
    """Tracks the attempts of one call. Cancel-safe: `wait` is a plain sleep."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy
        self._attempt = 1
        self._waited = 0.0

    @property
    def attempt(self) -> int:
        return self._attempt

    def should_retry(self, error: ModelError) -> bool:
        return (
            error.before_output
            and error.kind in RETRIED_KINDS
            and self._attempt < self._policy.attempts
            and self._waited < self._policy.budget
        )

    async def wait(self, error: ModelError) -> None:
        """Sleep before the next attempt after `error` (which `should_retry` accepted)."""
        cap = self._policy.base_delay * 2 ** (self._attempt - 1)
        delay = min(random.uniform(0, cap), self._policy.budget - self._waited)
        log.warning(
            "model call failed before output (%s); attempt %d of %d in %.0f ms",
            error.message,
            self._attempt + 1,
            self._policy.attempts,
            delay * 1000,
        )
        self._waited += delay
        self._attempt += 1
        await asyncio.sleep(delay)
