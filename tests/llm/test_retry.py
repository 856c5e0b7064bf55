"""`llm.retry.retried`: the one retry-before-output loop every remote provider streams through."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing

import pytest

from core.model import ErrorKind, Event, ModelError, Stop, TextDelta
from llm.retry import RetryPolicy, retried

FAST = RetryPolicy(attempts=3, base_delay=0.001, budget=1.0)
REPLY: list[Event] = [TextDelta("Rest "), TextDelta("tomorrow."), Stop("end")]


class Upstream:
    """Scripted attempts, one per call: the events to yield, then an error to raise (or None to
    end normally, or "hold" to wait forever). Counts attempts started and released."""

    def __init__(self, *scripts: tuple[list[Event], Exception | str | None]) -> None:
        self.scripts = list(scripts)
        self.started = 0
        self.released = 0

    async def attempt(self) -> AsyncGenerator[Event, None]:
        events, ending = self.scripts[self.started]
        self.started += 1
        try:
            for event in events:
                yield event
            if ending == "hold":
                await asyncio.Event().wait()
            elif isinstance(ending, Exception):
                raise ending
        finally:
            self.released += 1


def normalise(error: Exception, *, before_output: bool) -> ModelError:
    # Deliberately sloppy with ModelErrors (returned as they are): `retried` must still mark an
    # error after output as such.
    if isinstance(error, ModelError):
        return error
    return ModelError("unavailable", type(error).__name__, before_output=before_output)


def throttled() -> ModelError:
    return ModelError("throttled", "slow down", before_output=True)


async def run(upstream: Upstream, policy: RetryPolicy = FAST) -> tuple[list[Event], ModelError]:
    seen: list[Event] = []
    with pytest.raises(ModelError) as raised:
        async with aclosing(retried(upstream.attempt, policy, normalise)) as events:
            async for event in events:
                seen.append(event)
    return seen, raised.value


async def test_failures_before_output_are_retried_and_only_the_success_is_yielded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    upstream = Upstream(([], throttled()), ([], ConnectionResetError()), (REPLY, None))
    stream = retried(upstream.attempt, FAST, normalise)
    assert upstream.started == 0  # nothing is sent before the first event is asked for
    with caplog.at_level(logging.WARNING, logger="llm.retry"):
        async with aclosing(stream) as events:
            seen = [event async for event in events]
    assert seen == REPLY
    assert (upstream.started, upstream.released) == (3, 3)
    retries = [record.getMessage() for record in caplog.records if record.name == "llm.retry"]
    assert len(retries) == 2
    assert "slow down" in retries[0]
    assert "attempt 2 of 3" in retries[0]
    assert "ConnectionResetError" in retries[1]
    assert "attempt 3 of 3" in retries[1]


@pytest.mark.parametrize("failure", [throttled(), ConnectionResetError()], ids=["model", "os"])
async def test_a_failure_after_output_is_raised_after_output_and_not_retried(
    failure: Exception,
) -> None:
    upstream = Upstream((REPLY[:1], failure), (REPLY, None))  # a retry would have succeeded
    seen, error = await run(upstream)
    assert seen == REPLY[:1]
    assert error.before_output is False
    assert error.kind in {"throttled", "unavailable"}
    assert (upstream.started, upstream.released) == (1, 1)


@pytest.mark.parametrize("kind", ["bad_request", "timeout", "access_denied", "internal"])
async def test_kinds_backoff_does_not_retry_fail_at_once(kind: ErrorKind) -> None:
    upstream = Upstream(([], ModelError(kind, "no", before_output=True)), (REPLY, None))
    seen, error = await run(upstream)
    assert (seen, error.kind, error.before_output) == ([], kind, True)
    assert (upstream.started, upstream.released) == (1, 1)


async def test_retries_stop_at_the_policys_attempts() -> None:
    upstream = Upstream(*[([], throttled())] * 2)
    seen, error = await run(upstream, RetryPolicy(attempts=2, base_delay=0.001))
    assert (seen, error.kind, error.before_output) == ([], "throttled", True)
    assert (upstream.started, upstream.released) == (2, 2)


async def test_closing_mid_reply_releases_the_attempt() -> None:
    upstream = Upstream((REPLY, None))
    async with aclosing(retried(upstream.attempt, FAST, normalise)) as events:
        async for event in events:
            assert event == REPLY[0]
            break
    assert (upstream.started, upstream.released) == (1, 1)


async def test_cancelling_the_consumer_releases_the_attempt_and_is_not_retried() -> None:
    upstream = Upstream((REPLY[:1], "hold"))
    first = asyncio.Event()

    async def consume() -> None:
        async with aclosing(retried(upstream.attempt, FAST, normalise)) as events:
            async for _ in events:
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 2)
    await asyncio.sleep(0)  # let the consumer reach the held attempt
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (upstream.started, upstream.released) == (1, 1)
