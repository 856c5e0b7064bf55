"""Listing every account for the jobs, a page at a time, on each engine: the account index
every profile write keeps (`store.repos.users`), without a table scan."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from store import init_table, open_table
from store.backfill import backfill_account_index
from store.records import UserIn
from store.repos import UserRepo
from store.repos.base import user_pk
from store.repos.erasures import ErasureRepo
from store.repos.users import ACCOUNT_SHARDS, PROFILE
from store.table import Table
from tests.conftest import ENGINES, store_url


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


@pytest.mark.parametrize("engine", ENGINES)
async def test_store_init_adds_earlier_profiles_to_the_index_once(
    engine: str, tmp_path: Path, moto_endpoint: str
) -> None:
    url = store_url(engine, tmp_path, moto_endpoint)
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        users = UserRepo(table)
        for user_id in ("ann", "bob"):
            await users.create(user_id, UserIn(email=f"{user_id}@example.com"))
        # As stored before the index existed: no entry.
        await table.update(user_pk("ann"), PROFILE, remove=["gsi1pk", "gsi1sk"])
        assert [user.id async for user in users.accounts()] == ["bob"]
        assert await backfill_account_index(url, data_dir=tmp_path) == 1
        assert sorted([user.id async for user in users.accounts()]) == ["ann", "bob"]
        assert await backfill_account_index(url, data_dir=tmp_path) == 0
        assert (await users.get("ann")).email == "ann@example.com"  # nothing else changed
