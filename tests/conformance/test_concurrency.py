"""Concurrent writers: optimistic locking lets exactly one win; increments never get lost."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from store.errors import ConditionFailed
from store.table import Absent, Put

if TYPE_CHECKING:
    from store.table import Table

PK = "USER#u1"


async def test_concurrent_updates_with_one_expected_version_have_one_winner(table: Table) -> None:
    await table.put({"pk": PK, "sk": "PLAN", "owner": None}, condition=Absent())
    results = await asyncio.gather(
        *(table.update(PK, "PLAN", set={"owner": n}, expected_version=1) for n in range(20)),
        return_exceptions=True,
    )
    winners = [result for result in results if isinstance(result, dict)]
    losers = [result for result in results if isinstance(result, ConditionFailed)]
    assert len(winners) == 1
    assert len(losers) == 19
    stored = await table.get(PK, "PLAN")
    assert stored == winners[0]
    assert stored is not None
    assert stored["version"] == 2


async def test_concurrent_adds_are_all_counted(table: Table) -> None:
    await asyncio.gather(
        *(table.update(PK, "COUNTER", add={"n": 1}, create=True) for _ in range(50))
    )
    stored = await table.get(PK, "COUNTER")
    assert stored is not None
    assert stored["n"] == 50
    assert stored["version"] == 50


async def test_writes_do_not_block_the_event_loop(table: Table) -> None:
    """A ticker keeps its rhythm while many writes run: no store call holds the loop."""
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    try:
        for start in range(0, 400, 100):
            await table.transact(
                [
                    Put({"pk": PK, "sk": f"J#{i:04d}", "text": "x" * 500})
                    for i in range(start, start + 100)
                ]
            )
        await asyncio.gather(*(table.put({"pk": PK, "sk": f"P#{i:04d}"}) for i in range(100)))
    finally:
        stop.set()
        await ticking
    assert len((await table.query(PK)).items) == 500
    assert len(gaps) >= 5
    # A blocked loop would show one gap as long as the writes themselves.
    assert max(gaps) < 0.25
