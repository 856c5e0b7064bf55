"""Listing every account for the jobs, a page at a time, on each engine: the account index
every profile write keeps (`store.repos.users`), without a table scan."""

from __future__ import annotations

from datetime import UTC, datetime

from store.records import UserIn
from store.repos import UserRepo
from store.repos.erasures import ErasureRepo
from store.repos.users import ACCOUNT_SHARDS
from store.table import Table


async def test_accounts_are_listed_a_page_at_a_time_each_once(table: Table) -> None:
    users = UserRepo(table)
    ids = [f"climber{n:02d}" for n in range(24)]
    for user_id in ids:
        await users.create(user_id, UserIn(email=f"{user_id}@example.com"))
    await users.update("climber03", {"name": "Renamed"})  # a rewrite keeps its entry
    listed = [user.id async for user in users.accounts(page_size=2)]
    assert sorted(listed) == ids  # each once
    # Pages hold at most what was asked and continue where they stopped.
    pages = 0
    for shard in range(ACCOUNT_SHARDS):
        cursor: str | None = None
        while True:
            page = await users.accounts_page(shard, limit=2, cursor=cursor)
            assert len(page.items) <= 2
            pages += 1
            cursor = page.cursor
            if cursor is None:
                break
    assert pages > ACCOUNT_SHARDS  # some shard needed more than one page


async def test_an_account_being_erased_is_not_listed(table: Table) -> None:
    users = UserRepo(table)
    await users.create("ann", UserIn(email="ann@example.com"))
    await users.create("bob", UserIn(email="bob@example.com"))
    now = datetime(2026, 3, 9, tzinfo=UTC)
    await ErasureRepo(table).begin("bob", username="bob", email="bob@example.com", now=now)
    assert [user.id async for user in users.accounts()] == ["ann"]
