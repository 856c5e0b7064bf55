"""Reference data kept per process (`context.reference`): a new seed reaches turns once the
kept copy is older than its TTL, never before; without a TTL every turn reads the table; turns
that miss together share one read; a failed read is not kept."""

from __future__ import annotations

import asyncio

import pytest

from context.reference import SharedReference
from store.records.reference import TemplateType
from store.seed import ReferenceData, load_reference, seed_reference
from store.table import Table


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_new_seed_is_read_once_the_kept_copy_is_older_than_the_ttl(
    sqlite_table: Table,
) -> None:
    packaged = load_reference()
    ticks = Ticks()
    shared = SharedReference(sqlite_table, ttl_s=30, monotonic=ticks)
    before = await shared.library()
    assert [e.id for e in before] == sorted(e.id for e in packaged.exercises)  # not seeded yet
    few = tuple(sorted(packaged.exercises, key=lambda e: e.id)[:3])
    await seed_reference(sqlite_table, ReferenceData(exercises=few, templates=packaged.templates))
    ticks.now += 29
    assert len(await shared.library()) == len(before)  # kept: the seed is not seen yet
    ticks.now += 2
    assert [e.id for e in await shared.library()] == [e.id for e in few]


async def test_without_a_ttl_every_call_reads_the_table(sqlite_table: Table) -> None:
    packaged = load_reference()
    shared = SharedReference(sqlite_table)
    assert await shared.templates(TemplateType.COACHING) == []
    await seed_reference(sqlite_table, packaged)
    assert await shared.templates(TemplateType.COACHING)


async def test_turns_that_miss_together_share_one_read_and_a_failure_is_not_kept(
    sqlite_table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = SharedReference(sqlite_table, ttl_s=30)
    reads = 0
    real = shared._repo.list_templates

    async def counted(kind: TemplateType) -> list[object]:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.01)
        if reads == 1:
            raise OSError("the store is unavailable")
        return list(await real(kind))

    monkeypatch.setattr(shared._repo, "list_templates", counted)
    together = await asyncio.gather(
        *(shared.templates(TemplateType.COACHING) for _ in range(5)), return_exceptions=True
    )
    assert reads == 1
    assert all(isinstance(answer, OSError) for answer in together)
    assert await shared.templates(TemplateType.COACHING) == []  # read again, and kept
    assert await shared.templates(TemplateType.COACHING) == []
    assert reads == 2
