"""Personal API tokens in the table, on every engine: both items or neither, a pointer read
by digest, last use written only to a token that still exists, and erasure taking the
pointers outside the user's partition too."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from store.errors import NotFound
from store.records import ChatMessageIn, UserIn
from store.repos import AccountRepo, ChatRepo, UserRepo
from store.repos.api_tokens import POINTER_SK, ApiTokenRepo, pointer_pk
from store.table import Table

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def make(repo: ApiTokenRepo, user_id: str, token_id: str, token: str) -> None:
    await repo.create(
        user_id,
        token_id=token_id,
        digest=digest(token),
        name=f"script {token_id}",
        prefix=token[:9],
        scopes=("read",),
        now=NOW,
        expires_at=NOW + timedelta(days=30),
    )


async def test_create_list_touch_and_revoke(table: Table) -> None:
    repo = ApiTokenRepo(table)
    await make(repo, "u1", "t1", "v7_pat_one")
    [listed] = await repo.list("u1")
    assert (listed.token_id, listed.prefix, listed.last_used_at) == ("t1", "v7_pat_on", None)
    assert listed.expires_at == NOW + timedelta(days=30)
    pointer = await repo.pointer(digest("v7_pat_one"))
    assert pointer is not None
    assert (pointer.user_id, pointer.token_id, pointer.scopes) == ("u1", "t1", ("read",))

    later = NOW + timedelta(minutes=5)
    assert await repo.touch(pointer, later)
    assert (await repo.list("u1"))[0].last_used_at == later
    touched = await repo.pointer(digest("v7_pat_one"))
    assert touched is not None
    assert touched.last_used_at == later

    with pytest.raises(NotFound):
        await repo.revoke("u2", "t1")  # another user's token reads as missing
    await repo.revoke("u1", "t1")
    assert await repo.list("u1") == []
    assert await repo.pointer(digest("v7_pat_one")) is None
    # Touching a revoked token brings back neither item.
    assert not await repo.touch(pointer, later)
    assert await table.get(pointer_pk(pointer.digest), POINTER_SK) is None
    assert await repo.list("u1") == []


async def test_erasure_removes_every_pointer_even_past_one_transaction(table: Table) -> None:
    users = UserRepo(table)
    user = await users.create("many", UserIn(email="many@example.com", name="Many"))
    chat = ChatRepo(table)
    for batch in range(2):  # more items than one transaction takes
        notes = [
            (ChatMessageIn(role="user", content=f"note {n}"), NOW + timedelta(seconds=n))
            for n in range(batch * 60, batch * 60 + 60)
        ]
        await chat.append_all(user.id, notes)
    repo = ApiTokenRepo(table)
    tokens = [f"v7_pat_{number}" for number in range(3)]
    for number, token in enumerate(tokens):
        await make(repo, user.id, f"t{number}", token)
    await make(repo, "someone-else", "t9", "v7_pat_other")

    await AccountRepo(table).delete_all(user.id)
    for token in tokens:
        assert await repo.pointer(digest(token)) is None
    assert await repo.pointer(digest("v7_pat_other")) is not None
