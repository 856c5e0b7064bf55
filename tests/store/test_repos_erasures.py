"""Erasure tombstones (`store.repos.erasures`), on every engine."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from store.errors import NotFound
from store.records import UserIn
from store.repos import AccountRepo, UserRepo
from store.repos.erasures import ErasureRepo, Tombstone
from store.table import Table

NOW = datetime(2026, 3, 15, 12, 30, 15, tzinfo=UTC)


async def _user(table: Table, user_id: str) -> None:
    await UserRepo(table).create(user_id, UserIn(email=f"{user_id}@example.com", name=user_id))


async def test_a_begun_erasure_hides_the_account_and_is_listed_until_finished(
    table: Table,
) -> None:
    repo = ErasureRepo(table)
    for user_id in ("ann", "bob"):
        await _user(table, user_id)
    assert await repo.all() == []
    assert not await repo.pending("ann")

    begun = await repo.begin("ann", username="sub-ann", email="ann@example.com", now=NOW)
    assert begun == Tombstone("ann", "sub-ann", "ann@example.com", NOW, attempts=0)
    assert await repo.pending("ann")
    with pytest.raises(NotFound):  # every read of the account by key finds it gone
        await UserRepo(table).get("ann")
    assert await UserRepo(table).find_by_email("ann@example.com") is None
    assert (await UserRepo(table).get("bob")).name == "bob"  # nobody else's

    await repo.begin("bob", username="sub-bob", email="bob@example.com", now=NOW + timedelta(1))
    assert [t.user_id for t in await repo.all()] == ["ann", "bob"]  # oldest request first

    await repo.finish("ann")
    await repo.finish("ann")  # idempotent
    assert [t.user_id for t in await repo.all()] == ["bob"]
    assert not await repo.pending("ann")


async def test_beginning_again_keeps_the_first_request_and_its_attempts(table: Table) -> None:
    repo = ErasureRepo(table)
    await _user(table, "cat")
    await repo.begin("cat", username="cat", email="cat@example.com", now=NOW)
    assert await repo.count_attempt("cat") == 1
    again = await repo.begin("cat", username="cat", email="cat@example.com", now=NOW + timedelta(1))
    assert (again.requested_at, again.attempts) == (NOW, 1)
    assert await repo.count_attempt("cat") == 2
    stored = await repo.get("cat")
    assert stored is not None
    assert stored.attempts == 2


async def test_an_attempt_at_a_finished_erasure_writes_nothing(table: Table) -> None:
    repo = ErasureRepo(table)
    assert await repo.count_attempt("dan") is None
    assert await repo.all() == []


async def test_the_tombstone_outlives_the_erasure_of_the_users_items(table: Table) -> None:
    repo = ErasureRepo(table)
    await _user(table, "eve")
    await table.put({"pk": "USER#eve", "sk": "JOURNAL#2026-03-14#e1", "notes": "crimps"})
    await repo.begin("eve", username="eve", email="eve@example.com", now=NOW)
    assert await AccountRepo(table).delete_all("eve") == 3  # the entry, the profile, the email
    assert (await table.query("USER#eve")).items == []
    assert await table.get("EMAIL#eve@example.com", "USER") is None
    assert await repo.pending("eve")
    # Beginning again after the profile is gone (a re-run) writes nothing new.
    assert (await repo.begin("eve", username="eve", email="", now=NOW)).email == "eve@example.com"


async def test_an_erasure_begun_without_a_profile_still_leaves_a_tombstone(table: Table) -> None:
    repo = ErasureRepo(table)
    await repo.begin("fay", username="fay", email="fay@example.com", now=NOW)
    assert await repo.pending("fay")


async def test_concurrent_beginnings_leave_one_tombstone(table: Table) -> None:
    repo = ErasureRepo(table)
    await _user(table, "gil")
    await asyncio.gather(
        *(repo.begin("gil", username="gil", email="g@example.com", now=NOW) for _ in range(5))
    )
    assert [t.user_id for t in await repo.all()] == ["gil"]
    with pytest.raises(NotFound):
        await UserRepo(table).get("gil")
