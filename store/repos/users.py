"""Users: `USER#{id}` / `PROFILE`, plus `EMAIL#{email}` / `USER` that keeps emails unique.

The profile and its email item are always written together in one transaction: creating a
user with a taken email, or changing to one, fails as a whole with `EmailTaken`.

Users stored before a time zone could be "not set" hold the old default `"UTC"`, which no
climber chose (the web UI never sent one): `user_from_item` reads it as not set, so the UI
captures the browser's zone at the climber's next sign-in. A chosen UTC is stored as `Etc/UTC`
(`core.zones`), so it is never mistaken for that default.

Every profile write also puts the profile in the account index (sparse, on gsi1):
`gsi1pk = ACCOUNTS#{shard}`, `gsi1sk = {user id}`, the shard (0..15) a stable hash of the id,
so scheduled jobs list every account a page at a time without a table scan and DynamoDB does
not get one hot partition. `gsi1pk` of sends is `USER#…#SEND`, so the two never meet. Profiles
stored before the index lack the entry until `v7 store init` backfills them
(`store.backfill`), or until their next write.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

from store.errors import ConditionFailed, NotFound, TransactionCancelled
from store.records.common import stamps
from store.records.user import Subscription, User, UserIn, normalise_email
from store.repos.base import (
    MAX_ATTEMPTS,
    Listing,
    backoff,
    from_item,
    merge_changes,
    to_item,
    touch,
    user_pk,
)
from store.repos.errors import EmailTaken, UserExists
from store.table import Absent, Delete, Exists, Item, Operation, Put, VersionIs

if TYPE_CHECKING:
    from store.table import Table

PROFILE = "PROFILE"
EMAIL_SK = "USER"
ERASING = "erasing"
"""Set on a profile whose erasure has begun (`store.repos.erasures`): it reads as gone."""
UNCHOSEN_ZONE = "UTC"
"""The time zone every user was stored with before it could be left unset."""


ACCOUNT_SHARDS = 16
"""Partitions of the account index: enough to spread a listing's reads, few enough to walk."""
ACCOUNTS_PREFIX = "ACCOUNTS#"
ACCOUNT_INDEX = "gsi1"


def account_shard(user_id: str) -> int:
    """The account index partition of `user_id` (stable across processes, unlike `hash`)."""
    return zlib.crc32(user_id.encode()) % ACCOUNT_SHARDS


def account_index_keys(user_id: str) -> dict[str, str]:
    """The index attributes a profile item carries so that `UserRepo.accounts` lists it."""
    return {"gsi1pk": f"{ACCOUNTS_PREFIX}{account_shard(user_id)}", "gsi1sk": user_id}


def profile_item(user: User) -> Item:
    """The stored profile of `user`, its account index entry included (every profile write
    goes through this)."""
    return to_item(user, user_pk(user.id), PROFILE, **account_index_keys(user.id))


def email_pk(email: str) -> str:
    return f"EMAIL#{email}"


def email_item(email: str, user_id: str) -> Item:
    return {"pk": email_pk(email), "sk": EMAIL_SK, "userId": user_id}


def user_from_item(item: Item) -> User:
    """The user of a stored profile item, the old unchosen `"UTC"` read as no time zone."""
    preferences = item.get("preferences")
    if isinstance(preferences, dict) and preferences.get("timezone") == UNCHOSEN_ZONE:
        kept = {key: value for key, value in preferences.items() if key != "timezone"}
        item = {**item, "preferences": kept}
    return from_item(User, item)


class UserRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def create(
        self, user_id: str, data: UserIn, *, subscription: Subscription | None = None
    ) -> User:
        """Create the user `user_id` (the identity provider's subject) with `data`.

        Raises `EmailTaken` if another account has the email, `UserExists` if the id is taken;
        in both cases nothing is written.
        """
        user = User.model_validate(
            {
                **data.model_dump(by_alias=True),
                **stamps(User, self.table.clock()),
                "id": user_id,
                "subscription": subscription or Subscription(),
            }
        )
        return await self.insert(user)

    async def insert(self, user: User) -> User:
        """Store `user` as it is (ids and dates included). Errors as `create`."""
        try:
            await self.table.transact(
                [
                    Put(profile_item(user), Absent()),
                    Put(email_item(user.email, user.id), Absent()),
                ]
            )
        except TransactionCancelled as error:
            if 1 in error.failed:
                raise EmailTaken(user.email) from None
            raise UserExists(user.id) from None
        return user.model_copy(update={"version": 1})

    async def get(self, user_id: str) -> User:
        """The user; raises `NotFound`, also for an account being erased."""
        item = await self.table.get(user_pk(user_id), PROFILE)
        if item is None or item.get(ERASING):
            raise NotFound("no such user")
        return user_from_item(item)

    async def find_by_email(self, email: str) -> User | None:
        """The user with this email (any case), or None."""
        try:
            address = normalise_email(email)
        except ValueError:
            return None
        pointer = await self.table.get(email_pk(address), EMAIL_SK)
        if pointer is None:
            return None
        try:
            return await self.get(str(pointer["userId"]))
        except NotFound:
            return None

    async def update(
        self,
        user_id: str,
        changes: Mapping[str, Any] | UserIn,
        *,
        expected_version: int | None = None,
    ) -> User:
        """Apply client changes (email, name, preferences). A new email moves the uniqueness
        item in the same transaction. Raises `NotFound`, `EmailTaken`, `ConditionFailed` (with
        `expected_version`) and `pydantic.ValidationError`; nothing is written on error."""

        def apply(current: User) -> User:
            merged = merge_changes(UserIn, current, changes)
            return User.model_validate(
                {**current.model_dump(by_alias=True), **merged.model_dump(by_alias=True)}
            )

        return await self.modify(user_id, apply, expected_version=expected_version)

    async def set_subscription(self, user_id: str, subscription: Subscription) -> User:
        """Replace the subscription (billing and operators only). Raises `NotFound`."""
        return await self.modify(
            user_id, lambda user: user.model_copy(update={"subscription": subscription})
        )

    async def modify(
        self,
        user_id: str,
        change: Callable[[User], User],
        *,
        expected_version: int | None = None,
    ) -> User:
        """Replace the user with `change(current)`; `change` may run more than once."""
        pk = user_pk(user_id)
        for attempt in range(MAX_ATTEMPTS):
            current = await self.get(user_id)
            if expected_version is not None and current.version != expected_version:
                raise ConditionFailed(
                    pk, PROFILE, f"version is {current.version}, not {expected_version}"
                )
            new = change(current)
            new = new.model_copy(update={**touch(new, self.table.clock()), "id": user_id})
            try:
                return await self._write(pk, current, new)
            except EmailTaken:
                raise
            except (ConditionFailed, TransactionCancelled):
                if expected_version is not None:
                    raise ConditionFailed(pk, PROFILE, "changed by another writer") from None
                await backoff(attempt)
        raise ConditionFailed(pk, PROFILE, "too much contention; gave up")

    async def _write(self, pk: str, current: User, new: User) -> User:
        item = profile_item(new)
        if new.email == current.email:
            stored = await self.table.put(item, condition=VersionIs(current.version))
            return user_from_item(stored)
        ops: list[Operation] = [
            Put(item, VersionIs(current.version)),
            Delete(email_pk(current.email), EMAIL_SK, Exists()),
            Put(email_item(new.email, new.id), Absent()),
        ]
        try:
            await self.table.transact(ops)
        except TransactionCancelled as error:
            if 2 in error.failed:
                raise EmailTaken(new.email) from None
            raise
        return new.model_copy(update={"version": current.version + 1})

    async def accounts_page(
        self, shard: int, *, limit: int = 100, cursor: str | None = None
    ) -> Listing[User]:
        """One page of the accounts in index partition `shard` (by user id), accounts being
        erased left out (so a page may hold fewer than `limit`). Raises
        `store.errors.InvalidCursor` for a cursor of another listing."""
        if not 0 <= shard < ACCOUNT_SHARDS:
            raise ValueError(f"shard must be 0..{ACCOUNT_SHARDS - 1}")
        page = await self.table.query(
            f"{ACCOUNTS_PREFIX}{shard}", index=ACCOUNT_INDEX, limit=limit, cursor=cursor
        )
        users = [user_from_item(item) for item in page.items if not item.get(ERASING)]
        return Listing(users, page.cursor)

    async def accounts(self, *, page_size: int = 100) -> AsyncIterator[User]:
        """Every account (not being erased), shard by shard, a page at a time: memory stays
        one page whatever the number of climbers."""
        for shard in range(ACCOUNT_SHARDS):
            cursor: str | None = None
            while True:
                page = await self.accounts_page(shard, limit=page_size, cursor=cursor)
                for user in page.items:
                    yield user
                cursor = page.cursor
                if cursor is None:
                    break
