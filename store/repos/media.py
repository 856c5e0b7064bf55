"""A climber's media items and storage counters, in the user's partition.

Keys: `USER#{id}` / `MEDIA#{session|send}#{entryId}#{mediaId}` for each upload (so an entry's
media is one prefix query) and `USER#{id}` / `MEDIAUSAGE` for the counters. Every write that
changes what a user stores changes the counters in the same transaction, so they stay exact
across processes:

* `reserve`: put the pending item and add its declared size to `reservedBytes`, conditioned on
  the counters' version as read, after checking used + reserved + size against the limit (a
  concurrent write changes the version, so the check is made again on the new figures);
* `settle`: the item becomes ready, `reservedBytes -= declared`, `usedBytes += actual`, and the
  entry's `media` list gains the object's key (conditioned on the entry's version);
* `release` (a pending upload refused or expired) and `remove` (a ready one deleted): the item
  goes and its bytes are given back; `remove` also drops the key from the entry if it is there.

Pending items carry no TTL on purpose: a TTL would delete the item without giving its
reservation back; expired ones are released by `server.media.library`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from store.errors import ConditionFailed, NotFound, TransactionCancelled
from store.records.common import MediaRef
from store.records.media import EntryKind, MediaObject, MediaStatus, MediaUsage
from store.repos.base import MAX_ATTEMPTS, backoff, check_id, from_item, to_item, user_pk
from store.repos.journal import JournalRepo
from store.repos.sends import SendRepo
from store.table import VERSION, Absent, Delete, Item, Operation, Put, Update, VersionIs

if TYPE_CHECKING:
    from store.table import Table

PREFIX = "MEDIA#"
USAGE_SK = "MEDIAUSAGE"
"""Not under `PREFIX`, so listing a user's media never returns the counters."""


class StorageFull(Exception):
    """Reserving would pass the user's limit; nothing was written."""

    def __init__(self, usage: MediaUsage, limit: int, wanted: int) -> None:
        super().__init__(f"{usage.used_bytes} + {usage.reserved_bytes} + {wanted} > {limit}")
        self.usage = usage
        self.limit = limit
        self.wanted = wanted


class EntryFull(Exception):
    """The entry's `media` list already holds as many as it may; nothing was written."""


MAX_PER_ENTRY = 20
"""`store.records.common.MediaList`'s length: an entry never stores more."""


def media_sk(kind: EntryKind, entry_id: str, media_id: str = "") -> str:
    """The sort key of an item (or, without `media_id`, the prefix of an entry's items)."""
    return f"{PREFIX}{kind.value}#{entry_id}#{media_id}"


class MediaRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def usage(self, user_id: str) -> MediaUsage:
        """The user's counters (zero when nothing was ever uploaded)."""
        item = await self.table.get(user_pk(user_id), USAGE_SK)
        return MediaUsage() if item is None else from_item(MediaUsage, item)

    async def get(self, user_id: str, kind: EntryKind, entry_id: str, media_id: str) -> MediaObject:
        """The item; raises `NotFound` (also for another entry's or another user's)."""
        check_id(entry_id)
        check_id(media_id)
        item = await self.table.get(user_pk(user_id), media_sk(kind, entry_id, media_id))
        if item is None:
            raise NotFound(f"no media {media_id}")
        return from_item(MediaObject, item)

    async def of_entry(self, user_id: str, kind: EntryKind, entry_id: str) -> list[MediaObject]:
        """The entry's items, pending ones included, oldest first."""
        check_id(entry_id)
        page = await self.table.query(user_pk(user_id), sk_prefix=media_sk(kind, entry_id))
        items = [from_item(MediaObject, item) for item in page.items]
        return sorted(items, key=lambda item: (item.created_at, item.id))

    async def all(self, user_id: str) -> list[MediaObject]:
        """Every item of the user, oldest first."""
        page = await self.table.query(user_pk(user_id), sk_prefix=PREFIX)
        items = [from_item(MediaObject, item) for item in page.items]
        return sorted(items, key=lambda item: (item.created_at, item.id))

    async def entry_exists(self, user_id: str, kind: EntryKind, entry_id: str) -> bool:
        check_id(entry_id)
        return await self._entry(user_pk(user_id), kind, entry_id) is not None

    async def reserve(self, user_id: str, item: MediaObject, limit: int) -> MediaUsage:
        """Write the pending `item` and reserve its declared size, if the user's used and
        reserved bytes plus it stay within `limit`; returns the counters after. Raises
        `StorageFull` (nothing written) and `ConditionFailed` under endless contention."""
        pk = user_pk(user_id)
        stored = to_item(item, pk, media_sk(item.entry_kind, item.entry_id, item.id))
        for attempt in range(MAX_ATTEMPTS):
            current = await self.table.get(pk, USAGE_SK)
            usage = MediaUsage() if current is None else from_item(MediaUsage, current)
            wanted = item.declared_size
            if usage.used_bytes + usage.reserved_bytes + wanted > limit:
                raise StorageFull(usage, limit, wanted)
            after = usage.model_copy(update={"reserved_bytes": usage.reserved_bytes + wanted})
            condition = Absent() if current is None else VersionIs(int(current[VERSION]))
            try:
                await self.table.transact(
                    [Put(stored, Absent()), Put(to_item(after, pk, USAGE_SK), condition)]
                )
                return after
            except TransactionCancelled as cancelled:
                if 0 in cancelled.failed:
                    raise ConditionFailed(pk, stored["sk"], "media id taken") from None
                await backoff(attempt)
        raise ConditionFailed(pk, USAGE_SK, "too much contention; gave up")

    async def settle(self, user_id: str, item: MediaObject, size: int) -> MediaObject:
        """Make the pending `item` ready with `size` bytes, count them as used instead of the
        reservation, and add its key to the entry. Raises `NotFound` when the entry is gone
        (nothing written), `EntryFull` when the entry holds as many as it may, and
        `ConditionFailed` when the item changed meanwhile."""
        pk = user_pk(user_id)
        sk = media_sk(item.entry_kind, item.entry_id, item.id)
        ref = MediaRef(key=item.key, type=item.type).model_dump(mode="json")
        for attempt in range(MAX_ATTEMPTS):
            entry = await self._entry(pk, item.entry_kind, item.entry_id)
            if entry is None:
                raise NotFound(f"no entry {item.entry_id}")
            media = [m for m in entry.get("media", []) if m.get("key") != item.key]
            if len(media) >= MAX_PER_ENTRY:
                raise EntryFull(item.entry_id)
            ops: list[Operation] = [
                Update(pk, sk, set={"status": MediaStatus.READY.value, "size": size},
                       remove=("expiresAt",), expected_version=item.version),
                Update(pk, USAGE_SK, add={"usedBytes": size, "reservedBytes": -item.declared_size},
                       create=True),
                Update(pk, entry["sk"], set={"media": [*media, ref]},
                       expected_version=int(entry[VERSION])),
            ]  # fmt: skip
            try:
                await self.table.transact(ops)
            except TransactionCancelled as cancelled:
                if 0 in cancelled.failed:
                    raise ConditionFailed(pk, sk, "changed by another writer") from None
                await backoff(attempt)
                continue
            return item.model_copy(
                update={
                    "status": MediaStatus.READY,
                    "size": size,
                    "expires_at": None,
                    "version": item.version + 1,
                }
            )
        raise ConditionFailed(pk, sk, "too much contention; gave up")

    async def release(self, user_id: str, item: MediaObject) -> bool:
        """Delete the pending `item` and give its reservation back; False when it was not
        pending any more (another process settled or released it: nothing written)."""
        pk = user_pk(user_id)
        sk = media_sk(item.entry_kind, item.entry_id, item.id)
        try:
            await self.table.transact(
                [
                    Delete(pk, sk, VersionIs(item.version)),
                    Update(pk, USAGE_SK, add={"reservedBytes": -item.declared_size}, create=True),
                ]
            )
        except TransactionCancelled:
            return False
        return True

    async def remove(self, user_id: str, item: MediaObject) -> None:
        """Delete the item and give its bytes back (used if ready, reserved if pending), and
        drop its key from the entry if the entry is there. Idempotent: an item already gone
        changes nothing."""
        pk = user_pk(user_id)
        sk = media_sk(item.entry_kind, item.entry_id, item.id)
        for attempt in range(MAX_ATTEMPTS):
            current = await self.table.get(pk, sk)
            if current is None:
                return
            found = from_item(MediaObject, current)
            given_back = (
                {"usedBytes": -found.size}
                if found.status is MediaStatus.READY
                else {"reservedBytes": -found.declared_size}
            )
            ops: list[Operation] = [
                Delete(pk, sk, VersionIs(found.version)),
                Update(pk, USAGE_SK, add=given_back, create=True),
            ]
            entry = await self._entry(pk, item.entry_kind, item.entry_id)
            if entry is not None and any(m.get("key") == item.key for m in entry.get("media", [])):
                kept = [m for m in entry["media"] if m.get("key") != item.key]
                ops.append(
                    Update(pk, entry["sk"], set={"media": kept},
                           expected_version=int(entry[VERSION]))
                )  # fmt: skip
            try:
                await self.table.transact(ops)
                return
            except TransactionCancelled:
                await backoff(attempt)
        raise ConditionFailed(pk, sk, "too much contention; gave up")

    async def mark_orphan(self, user_id: str, item: MediaObject, at: datetime | None) -> None:
        """Note when `item`'s entry was first seen gone (None: it is back), for the sweep of
        `server.media.library`. An item deleted meanwhile is left alone."""
        pk = user_pk(user_id)
        sk = media_sk(item.entry_kind, item.entry_id, item.id)
        try:
            if at is None:
                await self.table.update(pk, sk, remove=("orphanedAt",))
            else:
                stamp = at.isoformat().replace("+00:00", "Z")
                await self.table.update(pk, sk, set={"orphanedAt": stamp})
        except ConditionFailed:
            return

    async def _entry(self, pk: str, kind: EntryKind, entry_id: str) -> Item | None:
        repo = JournalRepo(self.table) if kind is EntryKind.SESSION else SendRepo(self.table)
        pointer = await self.table.get(pk, repo.pointer_key(entry_id))
        target = None if pointer is None else pointer.get("target")
        if not isinstance(target, str):
            return None
        return await self.table.get(pk, target)
