from __future__ import annotations

import asyncio
import time

from server.lifecycle import Lifecycle


async def test_drain_waits_for_running_turns_then_closes_sockets_with_1001() -> None:
    lifecycle = Lifecycle()
    closed: list[tuple[int, str]] = []
    events: list[str] = []

    async def close(code: int, reason: str) -> None:
        events.append("closed")
        closed.append((code, reason))

    async def settle() -> None:
        events.append("settled")

    lifecycle.add_socket(1, close)
    lifecycle.add_socket(2, close)
    lifecycle.on_drain(settle)

    async def turn() -> None:
        async with lifecycle.busy():
            await asyncio.sleep(0.2)
            events.append("turn done")

    running = asyncio.create_task(turn())
    await asyncio.sleep(0)
    started = time.perf_counter()
    await lifecycle.drain(window=5.0)
    assert lifecycle.draining
    assert time.perf_counter() - started < 2.0  # returned when the turn ended, not at 5 s
    assert events == ["turn done", "closed", "closed", "settled"]
    assert closed == [(1001, "server going away")] * 2
    await running


async def test_drain_gives_up_on_slow_work_after_the_window() -> None:
    lifecycle = Lifecycle()
    closed: list[int] = []

    async def close(code: int, reason: str) -> None:
        closed.append(code)

    lifecycle.add_socket(1, close)
    release = asyncio.Event()

    async def stuck() -> None:
        async with lifecycle.busy():
            await release.wait()

    task = asyncio.create_task(stuck())
    await asyncio.sleep(0)
    started = time.perf_counter()
    await lifecycle.drain(window=0.2)
    assert 0.15 < time.perf_counter() - started < 1.5
    assert closed == [1001]
    release.set()
    await task
