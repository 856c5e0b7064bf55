"""A climber's photos and videos: signing uploads against the tier's storage, verifying and
attaching them, listing them with fresh links, deleting them, and giving storage back.

The accounting is exact and lives in the table (`store.repos.media`), so every process agrees:

* sign: the tier must include storage (`quotas.features`: free → 403 `tier_required`), the
  entry must be the caller's (404), the type and size allowed (`server.media.kinds`: 422); then
  the declared size is reserved, refused with 429 `quota_exceeded` (saying what is used and
  reserved, and the limit) when used + reserved + size would pass the limit;
* complete: the object must exist, be no larger than declared and sniff as the declared type;
  then, in one transaction, it is attached and counted at its real size instead of the
  reservation. A failed check (no object: the store refused the upload; too large; another
  type; the link expired) deletes the object, gives the reservation back and answers 422: it
  counts nothing, and the climber signs a new upload;
* delete (one object, an entry's via REST, or the sweep): the object, then the item and its
  bytes; erasure deletes every object under the user's prefix (`server.erasures`).

Expired reservations are given back lazily, on the user's next sign or storage read, and for
everyone by the hourly `media-upkeep` job (`server.jobs.upkeep`). A chat `/delete` leaves an
entry's media in place because `/undo` may bring the entry back: `sweep_orphans`, run by that
job, deletes media whose entry has been gone longer than `ORPHAN_GRACE` (the undo window), and
forgets the mark if the entry is back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from core.caller import Caller
from core.clock import Clock
from core.errors import InvalidEntry
from quotas.features import media_limit_bytes, require_media_storage
from quotas.policy import Policy
from server.errors import ApiError
from server.media.kinds import KINDS, SNIFF_BYTES, kind_of, matches
from server.media.store import MediaStore, PresignedUpload, object_key, user_prefix
from store.errors import NotFound
from store.records.common import new_id
from store.records.media import EntryKind, MediaObject, MediaStatus, MediaUsage, is_expired
from store.repos.media import MAX_PER_ENTRY, EntryFull, MediaRepo, StorageFull
from store.table import Table

log = logging.getLogger("v7.media")

ORPHAN_GRACE = timedelta(hours=24)
"""How long media outlives its entry after a chat `/delete`: the undo window."""


@dataclass(frozen=True)
class Signed:
    media_id: str
    upload: PresignedUpload


@dataclass(frozen=True)
class Shown:
    """A ready object with a fresh, short-lived download URL."""

    item: MediaObject
    url: str


@dataclass(frozen=True)
class Storage:
    usage: MediaUsage
    limit: int | None
    tier: str


@dataclass(frozen=True)
class MediaLibrary:
    table: Table
    store: MediaStore
    policy: Policy
    clock: Clock
    upload_seconds: int
    download_seconds: int

    @property
    def repo(self) -> MediaRepo:
        return MediaRepo(self.table)

    async def sign(
        self, caller: Caller, kind: EntryKind, entry_id: str, content_type: str, size: int
    ) -> Signed:
        """Reserve `size` bytes for one upload to the caller's entry and sign it (see the
        module doc for the refusals)."""
        limit = require_media_storage(self.policy, caller.tier)
        user_id = caller.user_id
        if not await self.repo.entry_exists(user_id, kind, entry_id):
            raise NotFound(f"no entry {entry_id}")
        allowed = kind_of(content_type)
        if allowed is None:
            raise InvalidEntry(
                f"{content_type!r} is not a photo or video type that can be attached; use one "
                f"of {', '.join(KINDS)}"
            )
        if not 1 <= size <= allowed.max_bytes:
            raise InvalidEntry(
                f"A {allowed.media.value} may be 1 byte to {allowed.max_bytes // 1_000_000} MB; "
                f"{size} bytes was declared"
            )
        await self.release_expired(user_id)
        present = await self.repo.of_entry(user_id, kind, entry_id)
        if len(present) >= MAX_PER_ENTRY:
            raise InvalidEntry(f"An entry holds at most {MAX_PER_ENTRY} photos and videos")
        now = self.clock()
        media_id = new_id()
        key = object_key(user_id, media_id)
        item = MediaObject(
            id=media_id,
            key=key,
            entry_kind=kind,
            entry_id=entry_id,
            content_type=allowed.content_type,
            type=allowed.media,
            declared_size=size,
            status=MediaStatus.PENDING,
            created_at=now,
            expires_at=now + timedelta(seconds=self.upload_seconds),
        )
        try:
            await self.repo.reserve(user_id, item, limit)
        except StorageFull as full:
            raise _storage_full(full) from None
        upload = await self.store.presign_upload(
            key, allowed.content_type, size, self.upload_seconds
        )
        return Signed(media_id, upload)

    async def complete(
        self, caller: Caller, kind: EntryKind, entry_id: str, media_id: str
    ) -> Shown:
        """Verify the uploaded object and attach it (idempotent: a ready one is answered as
        it is). Raises `NotFound` and `InvalidEntry` (nothing counted)."""
        user_id = caller.user_id
        item = await self.repo.get(user_id, kind, entry_id, media_id)
        if item.status is MediaStatus.READY:
            return await self._shown(item)
        if is_expired(item, self.clock()):
            await self._refuse(user_id, item)
            raise InvalidEntry("The upload link expired before the upload was completed")
        found = await self.store.head(item.key)
        if found is None:
            # The store refused the upload (too large, another type, expired) or it was never
            # sent: a completion comes after the upload, so nothing will come any more.
            await self._refuse(user_id, item)
            raise InvalidEntry("Nothing was uploaded; sign a new upload and send the file again")
        head = await self.store.first_bytes(item.key, SNIFF_BYTES)
        allowed = kind_of(item.content_type)
        if found.size > item.declared_size:
            await self._refuse(user_id, item)
            raise InvalidEntry(
                f"The file sent is larger than the {item.declared_size:,} bytes announced for "
                "it; nothing was kept"
            )
        if allowed is None or not matches(allowed, head):
            await self._refuse(user_id, item)
            wanted = allowed.described if allowed is not None else item.content_type
            raise InvalidEntry(
                f"This file is not {wanted} as its name says: its contents are something "
                "else; nothing was kept"
            )
        try:
            ready = await self.repo.settle(user_id, item, found.size)
        except NotFound:
            await self._refuse(user_id, item)  # the entry was deleted meanwhile
            raise
        except EntryFull:
            await self._refuse(user_id, item)
            raise InvalidEntry(
                f"An entry holds at most {MAX_PER_ENTRY} photos and videos; nothing was kept"
            ) from None
        log.info("media attached", extra={"user_id": user_id, "bytes": found.size})
        return await self._shown(ready)

    async def of_entry(self, user_id: str, kind: EntryKind, entry_id: str) -> list[Shown]:
        """The entry's ready media with fresh links; 404 (`NotFound`) for an entry that is not
        the caller's."""
        items = await self.repo.of_entry(user_id, kind, entry_id)
        if not items and not await self.repo.entry_exists(user_id, kind, entry_id):
            raise NotFound(f"no entry {entry_id}")
        return [await self._shown(item) for item in items if item.status is MediaStatus.READY]

    async def everything(self, user_id: str) -> list[Shown]:
        """Every ready object of the user with a fresh link (the export)."""
        items = await self.repo.all(user_id)
        return [await self._shown(item) for item in items if item.status is MediaStatus.READY]

    async def delete(self, user_id: str, kind: EntryKind, entry_id: str, media_id: str) -> None:
        """Delete one object and give its bytes back; `NotFound` if there is none."""
        item = await self.repo.get(user_id, kind, entry_id, media_id)
        await self._remove(user_id, item)

    async def entry_deleted(self, user_id: str, kind: EntryKind, entry_id: str) -> int:
        """Delete every object of an entry just deleted (REST); how many there were."""
        items = await self.repo.of_entry(user_id, kind, entry_id)
        for item in items:
            await self._remove(user_id, item)
        return len(items)

    async def storage(self, caller: Caller) -> Storage:
        """Where the caller stands against their tier's storage (expired reservations given
        back first, so what is shown as uploading is)."""
        await self.release_expired(caller.user_id)
        return Storage(
            await self.repo.usage(caller.user_id),
            media_limit_bytes(self.policy, caller.tier),
            caller.tier,
        )

    async def release_expired(self, user_id: str) -> int:
        """Give back the reservations of the user's uploads whose links expired, deleting
        whatever was uploaded to them without being completed; how many. Safe to run from any
        process at any time (a scheduled job may call it for every user)."""
        now = self.clock()
        released = 0
        for item in await self.repo.all(user_id):
            if is_expired(item, now):
                await self.store.delete(item.key)
                released += await self.repo.release(user_id, item)
        return released

    async def sweep_orphans(self, user_id: str) -> int:
        """Delete media whose entry has been gone longer than `ORPHAN_GRACE` (marking those
        just found gone, unmarking those whose entry came back); how many were deleted."""
        now = self.clock()
        deleted = 0
        present: dict[tuple[EntryKind, str], bool] = {}
        for item in await self.repo.all(user_id):
            entry = (item.entry_kind, item.entry_id)
            if entry not in present:
                present[entry] = await self.repo.entry_exists(user_id, *entry)
            if present[entry]:
                if item.orphaned_at is not None:
                    await self.repo.mark_orphan(user_id, item, None)
            elif item.orphaned_at is None:
                await self.repo.mark_orphan(user_id, item, now)
            elif now - item.orphaned_at >= ORPHAN_GRACE:
                await self._remove(user_id, item)
                deleted += 1
        return deleted

    async def erase(self, user_id: str) -> int:
        """Delete every object of the user from the store (the items go with the account's
        partition); how many."""
        return await self.store.delete_prefix(user_prefix(user_id))

    async def _shown(self, item: MediaObject) -> Shown:
        return Shown(item, await self.store.download_url(item.key, self.download_seconds))

    async def _refuse(self, user_id: str, item: MediaObject) -> None:
        await self.store.delete(item.key)
        await self.repo.release(user_id, item)

    async def _remove(self, user_id: str, item: MediaObject) -> None:
        # The object first: if the store fails, the item (and its count) stays for a retry
        # rather than pointing at nothing.
        await self.store.delete(item.key)
        await self.repo.remove(user_id, item)


def _storage_full(full: StorageFull) -> ApiError:
    usage = full.usage
    return ApiError(
        429,
        "quota_exceeded",
        f"Your media storage is full: {_shown_bytes(usage.used_bytes)} used"
        + (f" and {_shown_bytes(usage.reserved_bytes)} uploading" if usage.reserved_bytes else "")
        + f" of {_shown_bytes(full.limit)}; delete some photos or videos to add this one "
        f"({_shown_bytes(full.wanted)})",
        extra={
            "used_bytes": usage.used_bytes,
            "reserved_bytes": usage.reserved_bytes,
            "limit_bytes": full.limit,
        },
    )


def _shown_bytes(count: int) -> str:
    if count >= 1_000_000_000:
        return f"{count / 1_000_000_000:.1f} GB"
    return f"{count / 1_000_000:.1f} MB"
