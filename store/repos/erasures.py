"""Erasure tombstones: `ERASURE` / `{user id}`, one per account whose erasure has begun and not
finished.

A tombstone is written before anything of the account is erased and deleted only when every
step has finished (`server.erasures`), so a crash anywhere in between leaves it for the
finishing job, which lists every pending one with one query on the fixed partition `ERASURE`.
It lives outside `USER#{id}`, so erasing the user's partition (`AccountRepo.delete_all`) leaves
it. It holds what finishing needs once the profile is gone: the identity provider's username
(the Cognito `sub`) and the email, plus when it was asked for and how many runs tried it; it
is deleted with the last step, so that email outlives the account only while the erasure is
pending.

Beginning also marks the profile (`erasing`), in the same transaction, so every read of the
account by key (`UserRepo.get`: a token's every request, every frame of a socket, a refresh)
finds it gone from that moment, at no extra read. `pending` is the check for the one path
that would otherwise recreate an account: a Cognito sign-in after the profile is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from store.errors import ConditionFailed, TransactionCancelled
from store.repos.base import user_pk
from store.repos.users import ERASING, PROFILE
from store.table import VERSION, Absent, Item, Operation, Put, Update

if TYPE_CHECKING:
    from store.table import Table

PK = "ERASURE"
"""The one partition of every pending erasure (a handful at most: each lives minutes)."""

_RACES = 10
"""How often `begin` tries again when the profile changed under it."""


@dataclass(frozen=True)
class Tombstone:
    """A pending erasure. `username` is what the identity provider knows the user by (the
    Cognito `sub`, which is also the user id); `attempts` counts the runs that tried it."""

    user_id: str
    username: str
    email: str
    requested_at: datetime
    attempts: int = 0


def _item(tombstone: Tombstone) -> Item:
    return {
        "pk": PK,
        "sk": tombstone.user_id,
        "userId": tombstone.user_id,
        "username": tombstone.username,
        "email": tombstone.email,
        "requestedAt": tombstone.requested_at.isoformat(),
        "attempts": tombstone.attempts,
    }


def _tombstone(item: Item) -> Tombstone:
    return Tombstone(
        user_id=str(item["userId"]),
        username=str(item.get("username", "")),
        email=str(item.get("email", "")),
        requested_at=datetime.fromisoformat(str(item["requestedAt"])),
        attempts=int(item.get("attempts", 0)),
    )


class ErasureRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def begin(self, user_id: str, *, username: str, email: str, now: datetime) -> Tombstone:
        """Write the tombstone of `user_id` (keeping one that exists: its request time and
        attempts stand) and mark the profile, if there is one, as being erased, in one
        transaction. Idempotent. Raises `ValueError` for an id that is not a user id."""
        pk = user_pk(user_id)
        for _ in range(_RACES):
            before = await self.table.get(PK, user_id)
            tombstone = (
                _tombstone(before)
                if before is not None
                else Tombstone(user_id, username, email, now, attempts=0)
            )
            operations: list[Operation] = []
            if before is None:
                operations.append(Put(_item(tombstone), Absent()))
            profile = await self.table.get(pk, PROFILE)
            if profile is not None and not profile.get(ERASING):
                operations.append(
                    Update(pk, PROFILE, set={ERASING: True}, expected_version=int(profile[VERSION]))
                )
            if not operations:
                return tombstone
            try:
                await self.table.transact(operations)
            except TransactionCancelled:
                continue  # the profile changed or another request began the erasure: again
            return tombstone
        raise ConditionFailed(PK, user_id, "the account kept changing while its erasure began")

    async def pending(self, user_id: str) -> bool:
        """Whether an erasure of `user_id` has begun and not finished (one read by key)."""
        return await self.table.get(PK, user_id) is not None

    async def get(self, user_id: str) -> Tombstone | None:
        item = await self.table.get(PK, user_id)
        return None if item is None else _tombstone(item)

    async def all(self) -> list[Tombstone]:
        """Every pending erasure, oldest request first."""
        page = await self.table.query(PK)  # without a limit, every item of the partition
        return sorted((_tombstone(item) for item in page.items), key=lambda t: t.requested_at)

    async def count_attempt(self, user_id: str) -> int | None:
        """Count one more run at the erasure; the attempts so far, or None when it finished
        meanwhile (nothing is written then)."""
        try:
            item = await self.table.update(PK, user_id, add={"attempts": 1})
        except ConditionFailed:
            return None
        return int(item["attempts"])

    async def finish(self, user_id: str) -> None:
        """Delete the tombstone: the erasure is complete. A missing one is a no-op."""
        await self.table.delete(PK, user_id)
