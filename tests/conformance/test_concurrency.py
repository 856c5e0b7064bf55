"""Concurrent writers: optimistic locking lets exactly one win; increments never get lost."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from store.errors import ConditionFailed
from store.table import Absent

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
