"""The undo log's storage (`store.repos.undo`), on every engine."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from store.errors import ConditionFailed
from store.repos.undo import UndoItem, UndoRepo
from store.table import Table

ALICE = "alice-0001"
BOB = "bob-0002"
NOW = datetime(2026, 3, 15, 12, 30, 15, 250_000, tzinfo=UTC)
EXPIRES = NOW + timedelta(days=1)
TTL = int(EXPIRES.timestamp())


def attributes(n: int) -> dict[str, Any]:
    return {"kind": "session", "itemId": f"j{n}", "targetVersion": n, "previous": {"a": [n]}}


async def test_an_entry_reads_back_by_token_with_its_layout(table: Table) -> None:
    repo = UndoRepo(table)
    token = await repo.add(ALICE, attributes(1), EXPIRES)
    assert re.fullmatch(r"[0-9a-f]{16}[A-Za-z0-9_-]{16}", token)
    assert await repo.get(ALICE, token, NOW) == UndoItem(token, attributes(1), TTL)
    key = {"pk": "USER#" + ALICE, "sk": "UNDO#" + token}
    stored = await table.get(*key.values())
    assert stored == {**key, **attributes(1), "ttl": TTL, "version": 1}


async def test_newest_is_the_last_added(table: Table) -> None:
    repo = UndoRepo(table)
    assert await repo.newest(ALICE, NOW) is None
    tokens = [await repo.add(ALICE, attributes(n), EXPIRES) for n in range(3)]
    assert tokens == sorted(tokens)
    newest = await repo.newest(ALICE, NOW)
    assert newest is not None
    assert (newest.token, newest.attributes) == (tokens[-1], attributes(2))


async def test_an_expired_entry_is_absent(table: Table) -> None:
    repo = UndoRepo(table)
    token = await repo.add(ALICE, attributes(1), EXPIRES)
    just_before = datetime.fromtimestamp(TTL, UTC) - timedelta(microseconds=1)
    assert await repo.get(ALICE, token, just_before) is not None
    at_ttl = datetime.fromtimestamp(TTL, UTC)
    assert await repo.get(ALICE, token, at_ttl) is None
    assert await repo.newest(ALICE, at_ttl) is None


async def test_another_users_entry_is_absent(table: Table) -> None:
    repo = UndoRepo(table)
    token = await repo.add(ALICE, attributes(1), EXPIRES)
    assert await repo.get(BOB, token, NOW) is None
    assert await repo.newest(BOB, NOW) is None
    assert not await repo.remove(BOB, token)
    assert await repo.get(ALICE, token, NOW) is not None


async def test_an_entry_is_removed_once_and_can_be_put_back(table: Table) -> None:
    repo = UndoRepo(table)
    token = await repo.add(ALICE, attributes(1), EXPIRES)
    entry = await repo.get(ALICE, token, NOW)
    assert entry is not None
    assert await repo.remove(ALICE, token)
    assert not await repo.remove(ALICE, token)
    assert await repo.get(ALICE, token, NOW) is None
    await repo.put_back(ALICE, entry)
    assert await repo.get(ALICE, token, NOW) == entry
    with pytest.raises(ConditionFailed):
        await repo.put_back(ALICE, entry)


async def test_tokens_it_never_issues_are_absent(table: Table) -> None:
    repo = UndoRepo(table)
    await table.put({"pk": "USER#" + ALICE, "sk": "UNDO#x#y", "ttl": TTL})
    for token in ("x#y", "", "0" * 16 + "#" * 16, "short"):
        assert await repo.get(ALICE, token, NOW) is None


async def test_attributes_may_not_name_what_the_repository_keeps(table: Table) -> None:
    for name in ("pk", "sk", "ttl", "version"):
        with pytest.raises(ValueError, match="may not name"):
            await UndoRepo(table).add(ALICE, {name: "x"}, EXPIRES)
    assert (await table.query("USER#" + ALICE)).items == []
