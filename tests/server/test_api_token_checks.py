"""What checking a personal API token decides at a given instant, on every store engine: a token
past its expiry is refused, and its last use is written at most once a minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quotas import load_policy
from server.api_tokens import api_caller, digest_of
from server.errors import ApiError
from store.records.user import Subscription, Tier, UserIn
from store.repos.api_tokens import ApiTokenRepo
from store.repos.users import UserRepo
from store.table import Table

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TOKEN = "v7_pat_" + "k" * 43


async def premium_with_token(table: Table, *, days: int) -> ApiTokenRepo:
    users = UserRepo(table)
    await users.create("ana", UserIn(email="ana@example.com", name="Ana"))
    await users.set_subscription("ana", Subscription(tier=Tier.PREMIUM))
    repo = ApiTokenRepo(table)
    await repo.create(
        "ana",
        token_id="t1",
        digest=digest_of(TOKEN),
        name="sheet",
        prefix=TOKEN[:13],
        scopes=("read",),
        now=NOW,
        expires_at=NOW + timedelta(days=days),
    )
    return repo


async def check(table: Table, at: datetime) -> str:
    caller = await api_caller(
        table,
        UserRepo(table),
        load_policy(),
        TOKEN,
        method="GET",
        path="/journal/entries",
        now=at,
    )
    return caller.user_id


async def test_expiry_refuses_and_last_use_is_written_once_a_minute(table: Table) -> None:
    repo = await premium_with_token(table, days=2)
    assert await check(table, NOW) == "ana"
    assert await check(table, NOW + timedelta(seconds=30)) == "ana"
    [token] = await repo.list("ana")
    assert token.last_used_at == NOW  # the call 30 s later wrote nothing
    await check(table, NOW + timedelta(seconds=61))
    [token] = await repo.list("ana")
    assert token.last_used_at == NOW + timedelta(seconds=61)

    with pytest.raises(ApiError) as refused:
        await check(table, NOW + timedelta(days=2))
    assert refused.value.status == 401
