"""Single-item reads and writes: get, put, update, delete, and the version rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from store.errors import ConditionFailed
from store.table import Absent, Exists, VersionIs

if TYPE_CHECKING:
    from store.table import Table

PK = "USER#u1"


async def test_get_missing_is_none(table: Table) -> None:
    assert await table.get(PK, "PROFILE") is None


async def test_put_then_get_returns_item_with_version_one(table: Table) -> None:
    stored = await table.put({"pk": PK, "sk": "PROFILE", "name": "Ada"})
    assert stored == {"pk": PK, "sk": "PROFILE", "name": "Ada", "version": 1}
    assert await table.get(PK, "PROFILE") == stored


async def test_put_absent_creates_once_then_conflicts(table: Table) -> None:
    first = await table.put({"pk": PK, "sk": "A", "n": 1}, condition=Absent())
    assert first["version"] == 1
    with pytest.raises(ConditionFailed) as raised:
        await table.put({"pk": PK, "sk": "A", "n": 2}, condition=Absent())
    assert (raised.value.pk, raised.value.sk) == (PK, "A")
    assert await table.get(PK, "A") == first


async def test_put_absent_ignores_a_carried_version(table: Table) -> None:
    stored = await table.put({"pk": PK, "sk": "A", "version": 9}, condition=Absent())
    assert stored["version"] == 1
    assert (await table.get(PK, "A") or {})["version"] == 1


async def test_put_version_is_match_increments(table: Table) -> None:
    await table.put({"pk": PK, "sk": "A", "n": 1}, condition=Absent())
    stored = await table.put({"pk": PK, "sk": "A", "n": 2}, condition=VersionIs(1))
    assert stored["version"] == 2
    assert await table.get(PK, "A") == {"pk": PK, "sk": "A", "n": 2, "version": 2}


async def test_put_version_is_mismatch_leaves_item(table: Table) -> None:
    original = await table.put({"pk": PK, "sk": "A", "n": 1}, condition=Absent())
    with pytest.raises(ConditionFailed):
        await table.put({"pk": PK, "sk": "A", "n": 2}, condition=VersionIs(5))
    assert await table.get(PK, "A") == original


async def test_put_version_is_on_missing_item_fails(table: Table) -> None:
    with pytest.raises(ConditionFailed):
        await table.put({"pk": PK, "sk": "A"}, condition=VersionIs(1))
    assert await table.get(PK, "A") is None


async def test_put_exists_condition(table: Table) -> None:
    with pytest.raises(ConditionFailed):
        await table.put({"pk": PK, "sk": "A"}, condition=Exists())
    await table.put({"pk": PK, "sk": "A"})
    stored = await table.put({"pk": PK, "sk": "A", "n": 3}, condition=Exists())
    assert (await table.get(PK, "A")) == stored


async def test_unconditional_put_keeps_carried_version_and_replaces(table: Table) -> None:
    await table.put({"pk": PK, "sk": "A", "old": True})
    stored = await table.put({"pk": PK, "sk": "A", "version": 7, "new": 1})
    assert stored["version"] == 7
    assert await table.get(PK, "A") == {"pk": PK, "sk": "A", "version": 7, "new": 1}


async def test_put_does_not_mutate_the_callers_item(table: Table) -> None:
    item: dict[str, Any] = {"pk": PK, "sk": "A"}
    await table.put(item, condition=Absent())
    assert item == {"pk": PK, "sk": "A"}


@pytest.mark.parametrize(
    "item",
    [
        {"sk": "A"},
        {"pk": PK},
        {"pk": "", "sk": "A"},
        {"pk": PK, "sk": 3},
        {"pk": PK, "sk": "A", "gsi1pk": 5},
        {"pk": PK, "sk": "A", "x": float("nan")},
        {"pk": PK, "sk": "A", "x": {1, 2}},
    ],
)
async def test_put_refuses_unstorable_items(table: Table, item: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"."):
        await table.put(item)


async def test_update_set_remove_add(table: Table) -> None:
    await table.put({"pk": PK, "sk": "A", "keep": 1, "drop": "x", "count": 2})
    after = await table.update(
        PK, "A", set={"name": "Ada", "keep": 5}, remove=["drop"], add={"count": 3, "new": 1.5}
    )
    expected = {"pk": PK, "sk": "A", "keep": 5, "name": "Ada", "count": 5, "new": 1.5, "version": 2}
    assert after == expected
    assert await table.get(PK, "A") == expected


async def test_update_expected_version_match(table: Table) -> None:
    await table.put({"pk": PK, "sk": "A", "n": 1}, condition=Absent())
    after = await table.update(PK, "A", set={"n": 2}, expected_version=1)
    assert after["version"] == 2
    assert after["n"] == 2


async def test_update_expected_version_mismatch_leaves_item(table: Table) -> None:
    original = await table.put({"pk": PK, "sk": "A", "n": 1}, condition=Absent())
    with pytest.raises(ConditionFailed):
        await table.update(PK, "A", set={"n": 2}, add={"c": 1}, expected_version=4)
    assert await table.get(PK, "A") == original


async def test_update_missing_without_create_fails(table: Table) -> None:
    with pytest.raises(ConditionFailed):
        await table.update(PK, "A", set={"n": 1})
    assert await table.get(PK, "A") is None


async def test_update_create_makes_version_one(table: Table) -> None:
    after = await table.update(PK, "A", set={"n": 1}, add={"count": 2}, create=True)
    assert after == {"pk": PK, "sk": "A", "n": 1, "count": 2, "version": 1}
    assert await table.get(PK, "A") == after
    again = await table.update(PK, "A", add={"count": 2}, create=True)
    assert again["count"] == 4
    assert again["version"] == 2


async def test_update_refuses_key_and_version_changes(table: Table) -> None:
    await table.put({"pk": PK, "sk": "A"})
    for kwargs in ({"set": {"pk": "x"}}, {"remove": ["sk"]}, {"set": {"version": 3}}):
        with pytest.raises(ValueError, match="cannot change"):
            await table.update(PK, "A", **kwargs)
    with pytest.raises(ValueError, match="more than once"):
        await table.update(PK, "A", set={"a": 1}, remove=["a"])
    assert (await table.get(PK, "A") or {})["version"] == 1


async def test_update_add_to_text_is_refused_and_item_kept(table: Table) -> None:
    original = await table.put({"pk": PK, "sk": "A", "name": "Ada"})
    with pytest.raises(ValueError, match=r"."):
        await table.update(PK, "A", add={"name": 1})
    assert await table.get(PK, "A") == original


async def test_delete_returns_deleted_item(table: Table) -> None:
    stored = await table.put({"pk": PK, "sk": "A", "n": 1})
    assert await table.delete(PK, "A") == stored
    assert await table.get(PK, "A") is None
    assert await table.delete(PK, "A") is None


async def test_delete_with_version_condition(table: Table) -> None:
    stored = await table.put({"pk": PK, "sk": "A"}, condition=Absent())
    with pytest.raises(ConditionFailed):
        await table.delete(PK, "A", condition=VersionIs(2))
    assert await table.get(PK, "A") == stored
    assert await table.delete(PK, "A", condition=VersionIs(1)) == stored
    assert await table.get(PK, "A") is None


async def test_delete_exists_condition_on_missing_fails(table: Table) -> None:
    with pytest.raises(ConditionFailed):
        await table.delete(PK, "A", condition=Exists())


async def test_values_round_trip(table: Table) -> None:
    item: dict[str, Any] = {
        "pk": "USER#ünï",
        "sk": "JOURNAL#2024-05-01#🧗",
        "float": 0.1,
        "negative": -2.75,
        "big": 12345678901234,
        "zero": 0,
        "flag": True,
        "off": False,
        "nothing": None,
        "text": "Grüße, 東京, emoji 🧗‍♀️",
        "empty": "",
        "nested": {"list": [1, 2.5, "x", None, False, {"deep": [[]]}], "map": {}},
    }
    await table.put(item)
    loaded = await table.get("USER#ünï", "JOURNAL#2024-05-01#🧗")
    assert loaded == {**item, "version": 1}
    assert loaded is not None
    assert isinstance(loaded["big"], int)
    assert isinstance(loaded["float"], float)
    assert loaded["flag"] is True
    assert loaded["nested"]["list"][4] is False


async def test_ping_succeeds_on_an_open_table(table: Table) -> None:
    await table.ping()
