"""batch_get and transactional writes: order, missing keys, all-or-nothing, limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from store.errors import TransactionCancelled
from store.table import (
    MAX_TRANSACTION_OPS,
    Absent,
    Check,
    Delete,
    Exists,
    Operation,
    Put,
    Update,
    VersionIs,
)

if TYPE_CHECKING:
    from store.table import Table

PK = "USER#u1"


async def test_batch_get_keeps_order_and_marks_missing(table: Table) -> None:
    a = await table.put({"pk": PK, "sk": "A"})
    c = await table.put({"pk": "USER#u2", "sk": "C", "n": 3})
    found = await table.batch_get([(PK, "missing"), ("USER#u2", "C"), (PK, "A"), (PK, "A")])
    assert found == [None, c, a, a]
    assert await table.batch_get([]) == []


async def test_batch_get_more_than_one_hundred_keys(table: Table) -> None:
    operations: list[Operation] = [Put({"pk": PK, "sk": f"S#{i:03d}", "i": i}) for i in range(100)]
    await table.transact(operations)
    await table.transact([Put({"pk": PK, "sk": f"S#{i:03d}", "i": i}) for i in range(100, 130)])
    keys = [(PK, f"S#{i:03d}") for i in reversed(range(140))]
    found = await table.batch_get(keys)
    assert [item["i"] if item else None for item in found] == [
        i if i < 130 else None for i in reversed(range(140))
    ]


async def test_transact_mixed_operations_apply_together(table: Table) -> None:
    await table.put({"pk": PK, "sk": "UPDATE", "count": 1}, condition=Absent())
    await table.put({"pk": PK, "sk": "DELETE"}, condition=Absent())
    await table.put({"pk": PK, "sk": "CHECK"}, condition=Absent())
    await table.transact(
        [
            Put({"pk": PK, "sk": "NEW", "x": 1}, condition=Absent()),
            Update(PK, "UPDATE", set={"s": "y"}, add={"count": 2}, expected_version=1),
            Delete(PK, "DELETE", condition=Exists()),
            Check(PK, "CHECK", VersionIs(1)),
            Update(PK, "CREATED", add={"count": 1}, create=True),
        ]
    )
    assert await table.get(PK, "NEW") == {"pk": PK, "sk": "NEW", "x": 1, "version": 1}
    assert await table.get(PK, "UPDATE") == {
        "pk": PK,
        "sk": "UPDATE",
        "count": 3,
        "s": "y",
        "version": 2,
    }
    assert await table.get(PK, "DELETE") is None
    assert await table.get(PK, "CHECK") == {"pk": PK, "sk": "CHECK", "version": 1}
    assert await table.get(PK, "CREATED") == {"pk": PK, "sk": "CREATED", "count": 1, "version": 1}


@pytest.mark.parametrize("failing", [0, 1, 2, 3])
async def test_transact_failure_writes_nothing_and_names_the_operation(
    table: Table, failing: int
) -> None:
    await table.put({"pk": PK, "sk": "KEEP", "count": 1}, condition=Absent())
    await table.put({"pk": PK, "sk": "GONE"}, condition=Absent())
    operations: list[Operation] = [
        Put({"pk": PK, "sk": "NEW"}, condition=Absent()),
        Update(PK, "KEEP", add={"count": 1}, expected_version=1),
        Delete(PK, "GONE", condition=VersionIs(1)),
        Check(PK, "GUARD", Absent()),
    ]
    # Make operation `failing` refuse, leaving the others valid.
    if failing == 0:
        await table.put({"pk": PK, "sk": "NEW", "pre": True})
    elif failing == 1:
        operations[1] = Update(PK, "KEEP", add={"count": 1}, expected_version=7)
    elif failing == 2:
        operations[2] = Delete(PK, "GONE", condition=VersionIs(3))
    else:
        await table.put({"pk": PK, "sk": "GUARD"})
    before = (await table.query(PK)).items
    with pytest.raises(TransactionCancelled) as raised:
        await table.transact(operations)
    assert raised.value.failed == [failing]
    assert (await table.query(PK)).items == before


async def test_transact_reports_every_failed_operation(table: Table) -> None:
    with pytest.raises(TransactionCancelled) as raised:
        await table.transact(
            [
                Check(PK, "A", Exists()),
                Put({"pk": PK, "sk": "B"}),
                Update(PK, "C", set={"x": 1}),
            ]
        )
    assert raised.value.failed == [0, 2]
    assert (await table.query(PK)).items == []


async def test_transact_same_item_twice_is_refused(table: Table) -> None:
    with pytest.raises(ValueError, match="more than once"):
        await table.transact(
            [Put({"pk": PK, "sk": "A"}), Update(PK, "A", set={"x": 1}, create=True)]
        )
    assert await table.get(PK, "A") is None


async def test_transact_too_many_operations_is_refused(table: Table) -> None:
    operations: list[Operation] = [
        Put({"pk": PK, "sk": f"S#{i}"}) for i in range(MAX_TRANSACTION_OPS + 1)
    ]
    with pytest.raises(ValueError, match=str(MAX_TRANSACTION_OPS)):
        await table.transact(operations)
    assert (await table.query(PK)).items == []


async def test_transact_of_nothing_is_a_no_op(table: Table) -> None:
    await table.transact([])
    assert (await table.query(PK)).items == []
