"""Bounded retries of a model call that failed before any output was yielded: the policy
(`RetryPolicy`, `Backoff`) and the one loop every provider streams through (`retried`)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Protocol

from core.model import Event, ModelError

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


class Normalise(Protocol):
    """A provider's translation of whatever one attempt raised into a `ModelError`."""

    def __call__(self, error: Exception, /, *, before_output: bool) -> ModelError: ...


async def retried(
    attempt: Callable[[], AsyncGenerator[Event, None]],
    policy: RetryPolicy,
    normalise: Normalise,
) -> AsyncGenerator[Event, None]:
    """The events of `attempt()`, calling it again while it fails before yielding anything.

    `attempt` starts one upstream call and yields its events; it owns that call and releases it
    in its own `finally` (it is always closed before the next attempt starts or this generator
    ends). Every `Exception` it raises goes through `normalise(error, before_output=…)`, where
    `before_output` says whether nothing had been yielded yet; the resulting `ModelError` is
    retried after `Backoff.wait` when `Backoff.should_retry` accepts it, and raised otherwise.
    Once an event was yielded the error is raised with `before_output=False` and never retried.
    Closing this generator (`aclose()`) or cancelling its consumer closes the current attempt;
    cancellation is never retried.
    """
    backoff = Backoff(policy)
    while True:
        yielded = False
        try:
            # aclosing: an `aclose()` of ours, arriving at a `yield`, closes the attempt too.
            async with aclosing(attempt()) as events:
                async for event in events:
                    yielded = True
                    yield event
            return
        except Exception as exc:
            error = normalise(exc, before_output=not yielded)
            if yielded and error.before_output:
                # A caller falls back to another model only on before_output: after a half
                # reply that would show the climber two answers, whatever the normaliser said.
                error = error.after_output()
            if not backoff.should_retry(error):
                raise error from None
        await backoff.wait(error)
