"""The table's write hook (`Table.on_write`), on both engines: told the keys of every write once
it has settled (and never before: what the hook does may tell other processes to read again),
even when the caller was cancelled; a failing hook never fails the write."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from store.errors import ConditionFailed
from store.table import Absent, Check, Delete, Exists, Key, Put, Table, Update


class Recorder:
    """A hook that records the keys it is told and what the table held for them then."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.told: list[list[Key]] = []
        self.seen: list[list[int | None]] = []

    async def __call__(self, keys: Sequence[Key]) -> None:
        self.told.append(list(keys))
        items = await self.table.batch_get(list(keys))
        self.seen.append([None if item is None else item.get("n") for item in items])


async def test_every_write_is_told_once_it_is_stored(table: Table) -> None:
    hook = Recorder(table)
    table.on_write(hook)
    await table.put({"pk": "USER#u1", "sk": "A", "n": 1})
    await table.update("USER#u1", "A", set={"n": 2})
    await table.transact(
        [
            Put({"pk": "USER#u1", "sk": "B", "n": 3}),
            Update("USER#u1", "A", set={"n": 4}),
            Check("USER#u2", "PROFILE", Absent()),  # a check writes nothing: not told
        ]
    )
    await table.delete("USER#u1", "B")
    assert hook.told == [
        [("USER#u1", "A")],
        [("USER#u1", "A")],
        [("USER#u1", "B"), ("USER#u1", "A")],
        [("USER#u1", "B")],
    ]
    # Each time, the hook already read what the write stored.
    assert hook.seen == [[1], [2], [3, 4], [None]]
    await table.get("USER#u1", "A")
    await table.query("USER#u1")
    assert len(hook.told) == 4  # reads are not writes
    table.on_write(None)
    await table.put({"pk": "USER#u1", "sk": "C", "n": 5})
    assert len(hook.told) == 4


async def test_a_refused_write_is_told_too_and_still_refused(table: Table) -> None:
    hook = Recorder(table)
    table.on_write(hook)
    with pytest.raises(ConditionFailed):
        await table.put({"pk": "USER#u1", "sk": "A", "n": 1}, condition=Exists())
    assert hook.told == [[("USER#u1", "A")]]  # harmless: the hook just invalidates


async def test_a_cancelled_writer_still_writes_and_the_hook_is_told_after(table: Table) -> None:
    hook = Recorder(table)
    table.on_write(hook)
    writing = asyncio.create_task(table.put({"pk": "USER#u1", "sk": "A", "n": 7}))
    await asyncio.sleep(0)  # the write is under way
    writing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writing
    for _ in range(200):
        if hook.seen:  # the hook has run to its end
            break
        await asyncio.sleep(0.01)
    assert hook.told == [[("USER#u1", "A")]]
    assert hook.seen == [[7]]


async def test_a_failing_hook_does_not_fail_the_write(
    table: Table, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(keys: Sequence[Key]) -> None:
        raise RuntimeError("the hook is broken")

    table.on_write(broken)
    await table.transact([Put({"pk": "USER#u1", "sk": "A", "n": 1}), Delete("USER#u1", "Z")])
    assert (await table.get("USER#u1", "A")) is not None
    assert "a write hook failed" in caplog.text
