"""The last numbered listing's storage (`store.repos.history_view`), on every engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.repos.history_view import HistoryView, HistoryViewRepo, Listed
from store.table import Table

ALICE = "alice-0001"
BOB = "bob-0002"
NOW = datetime(2026, 3, 15, 12, 30, 15, tzinfo=UTC)
EXPIRES = NOW + timedelta(days=1)


async def test_a_listing_reads_back_in_its_order_with_its_layout(table: Table) -> None:
    repo = HistoryViewRepo(table)
    assert await repo.get(ALICE, NOW) is None
    shown = [Listed("send", "s1"), Listed("session", "j2"), Listed("session", "j1")]
    await repo.put(ALICE, shown, NOW, EXPIRES)
    assert await repo.get(ALICE, NOW) == HistoryView(tuple(shown), NOW)
    stored = await table.get("USER#" + ALICE, "VIEW#HISTORY")
    assert stored is not None
    assert stored["ttl"] == int(EXPIRES.timestamp())
    assert stored["entries"][0] == {"kind": "send", "id": "s1"}


async def test_each_listing_replaces_the_last_and_an_empty_one_is_kept(table: Table) -> None:
    repo = HistoryViewRepo(table)
    await repo.put(ALICE, [Listed("session", "j1")], NOW, EXPIRES)
    later = NOW + timedelta(minutes=5)
    await repo.put(ALICE, [], later, later + timedelta(days=1))
    assert await repo.get(ALICE, later) == HistoryView((), later)


async def test_a_listing_is_its_users_and_expires(table: Table) -> None:
    repo = HistoryViewRepo(table)
    await repo.put(ALICE, [Listed("session", "j1")], NOW, EXPIRES)
    assert await repo.get(BOB, NOW) is None
    assert await repo.get(ALICE, EXPIRES - timedelta(seconds=1)) is not None
    assert await repo.get(ALICE, EXPIRES) is None
