"""Queries: key conditions, order, pagination with cursors, and the two indexes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from store.errors import InvalidCursor
from store.table import Put

if TYPE_CHECKING:
    from store.table import Page, Table

PK = "USER#u1"
DAYS = [f"2024-0{month}-{day:02d}" for month in (1, 2, 3) for day in (1, 10, 20)]


async def _seed(table: Table) -> None:
    operations: list[Put] = [
        Put({"pk": PK, "sk": f"JOURNAL#{day}#j{i}", "kind": "journal"})
        for i, day in enumerate(DAYS)
    ]
    operations += [Put({"pk": PK, "sk": f"SEND#{day}#s{i}"}) for i, day in enumerate(DAYS)]
    operations.append(Put({"pk": "USER#u2", "sk": "JOURNAL#2024-01-05#x"}))
    await table.transact(operations)


def _sks(page: Page) -> list[str]:
    return [item["sk"] for item in page.items]


async def test_query_whole_partition_in_order(table: Table) -> None:
    await _seed(table)
    page = await table.query(PK)
    assert page.cursor is None
    assert _sks(page) == sorted(
        [f"JOURNAL#{d}#j{i}" for i, d in enumerate(DAYS)]
        + [f"SEND#{d}#s{i}" for i, d in enumerate(DAYS)]
    )


async def test_query_by_prefix(table: Table) -> None:
    await _seed(table)
    page = await table.query(PK, sk_prefix="SEND#")
    assert _sks(page) == [f"SEND#{d}#s{i}" for i, d in enumerate(DAYS)]


async def test_query_inclusive_range(table: Table) -> None:
    await _seed(table)
    page = await table.query(PK, sk_from="JOURNAL#2024-02-01", sk_to="JOURNAL#2024-02-20#j5")
    assert _sks(page) == ["JOURNAL#2024-02-01#j3", "JOURNAL#2024-02-10#j4", "JOURNAL#2024-02-20#j5"]


async def test_query_open_ended_ranges(table: Table) -> None:
    await _seed(table)
    tail = await table.query(PK, sk_from="SEND#2024-03-10")
    assert _sks(tail) == ["SEND#2024-03-10#s7", "SEND#2024-03-20#s8"]
    head = await table.query(PK, sk_to="JOURNAL#2024-01-10#j1")
    assert _sks(head) == ["JOURNAL#2024-01-01#j0", "JOURNAL#2024-01-10#j1"]


async def test_query_prefix_and_range_combined(table: Table) -> None:
    await _seed(table)
    # The range spans both kinds; the prefix keeps only sends.
    page = await table.query(
        PK, sk_prefix="SEND#", sk_from="JOURNAL#2024-03-01", sk_to="SEND#2024-01-10~"
    )
    assert _sks(page) == ["SEND#2024-01-01#s0", "SEND#2024-01-10#s1"]
    last_month = await table.query(PK, sk_prefix="JOURNAL#", sk_from="JOURNAL#2024-03-01")
    assert _sks(last_month) == [f"JOURNAL#{d}#j{i}" for i, d in enumerate(DAYS)][6:]


async def test_query_empty_and_inverted_ranges(table: Table) -> None:
    await _seed(table)
    assert (await table.query(PK, sk_prefix="NOTE#")).items == []
    assert (await table.query(PK, sk_from="SEND#2025", sk_to="SEND#2024")).items == []
    assert (await table.query(PK, sk_prefix="SEND#", sk_to="JOURNAL#~")).items == []
    assert (await table.query("USER#nobody")).items == []


async def test_query_descending(table: Table) -> None:
    await _seed(table)
    page = await table.query(PK, sk_prefix="JOURNAL#", descending=True)
    assert _sks(page) == [f"JOURNAL#{d}#j{i}" for i, d in enumerate(DAYS)][::-1]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("limit", [1, 4, 9])
async def test_pagination_visits_every_item_once_in_order(
    table: Table, descending: bool, limit: int
) -> None:
    await _seed(table)
    expected = _sks(await table.query(PK, sk_prefix="SEND#", descending=descending))
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await table.query(
            PK, sk_prefix="SEND#", descending=descending, limit=limit, cursor=cursor
        )
        assert len(page.items) <= limit
        seen += _sks(page)
        pages += 1
        cursor = page.cursor
        if cursor is None:
            break
        assert pages <= len(expected) + 1
    assert seen == expected
    assert len(expected) == len(DAYS)


async def test_cursor_is_url_safe(table: Table) -> None:
    await _seed(table)
    page = await table.query(PK, limit=2)
    assert page.cursor is not None
    assert all(char.isalnum() or char in "-_" for char in page.cursor)


async def test_cursor_of_another_partition_is_rejected(table: Table) -> None:
    await _seed(table)
    page = await table.query(PK, limit=2)
    assert page.cursor is not None
    with pytest.raises(InvalidCursor):
        await table.query("USER#u2", limit=2, cursor=page.cursor)


async def test_cursor_of_another_index_is_rejected(table: Table) -> None:
    await table.put({"pk": PK, "sk": "A", "gsi1pk": PK, "gsi1sk": "1"})
    await table.put({"pk": PK, "sk": "B", "gsi1pk": PK, "gsi1sk": "2"})
    page = await table.query(PK, limit=1)
    assert page.cursor is not None
    with pytest.raises(InvalidCursor):
        await table.query(PK, index="gsi1", limit=1, cursor=page.cursor)


@pytest.mark.parametrize("cursor", ["garbage", "", "!!!", "eyJmIjoxfQ", "bnVsbA"])
async def test_garbage_cursor_is_rejected(table: Table, cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        await table.query(PK, limit=2, cursor=cursor)


async def test_query_argument_errors(table: Table) -> None:
    with pytest.raises(ValueError, match="unknown index"):
        await table.query(PK, index="gsi9")
    with pytest.raises(ValueError, match="limit"):
        await table.query(PK, limit=0)


def _ranked(user: str, grade: int, sig: int) -> dict[str, Any]:
    return {
        "pk": f"USER#{user}",
        "sk": f"SEND#2024-01-{grade:02d}#{user}{grade}",
        "gsi1pk": "SENDS#BY_GRADE",
        "gsi1sk": f"{grade:03d}#{user}",
        "gsi2pk": f"USER#{user}#SIG",
        "gsi2sk": f"{sig:03d}",
    }


async def test_query_gsi1_across_partitions_with_pagination(table: Table) -> None:
    for user in ("a", "b"):
        for grade in (3, 1, 2):
            await table.put(_ranked(user, grade, 10 - grade))
    await table.put({"pk": "USER#c", "sk": "NO_INDEX"})
    everything = await table.query("SENDS#BY_GRADE", index="gsi1")
    expected = ["001#a", "001#b", "002#a", "002#b", "003#a", "003#b"]
    assert [item["gsi1sk"] for item in everything.items] == expected
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = await table.query("SENDS#BY_GRADE", index="gsi1", limit=4, cursor=cursor)
        seen += [item["gsi1sk"] for item in page.items]
        if (cursor := page.cursor) is None:
            break
    assert seen == expected
    ranged = await table.query("SENDS#BY_GRADE", index="gsi1", sk_from="002", sk_prefix="00")
    assert [item["gsi1sk"] for item in ranged.items] == expected[2:]


async def test_query_gsi2_descending_and_sparse(table: Table) -> None:
    for grade, sig in ((1, 50), (2, 70), (3, 60)):
        await table.put(_ranked("a", grade, sig))
    await table.put({"pk": "USER#a", "sk": "SEND#2024-02-01#x", "gsi2pk": "USER#a#SIG"})
    page = await table.query("USER#a#SIG", index="gsi2", descending=True)
    assert [item["gsi2sk"] for item in page.items] == ["070", "060", "050"]
    assert page.items[0]["sk"] == "SEND#2024-01-02#a2"


async def test_index_follows_updates_and_deletes(table: Table) -> None:
    await table.put(_ranked("a", 1, 5))
    await table.update("USER#a", "SEND#2024-01-01#a1", set={"gsi1sk": "009#a"})
    page = await table.query("SENDS#BY_GRADE", index="gsi1")
    assert [item["gsi1sk"] for item in page.items] == ["009#a"]
    await table.delete("USER#a", "SEND#2024-01-01#a1")
    assert (await table.query("SENDS#BY_GRADE", index="gsi1")).items == []


async def test_sort_order_is_binary_utf8(table: Table) -> None:
    keys = ["a", "B", "é", "z", "~", "Z", "日本", "🧗", "\u00ff", "\uffff"]
    for sk in keys:
        await table.put({"pk": PK, "sk": sk})
    page = await table.query(PK)
    assert _sks(page) == sorted(keys, key=lambda text: text.encode("utf-8"))
