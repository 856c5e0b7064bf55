"""A climber's photos and videos: one item per upload, and the user's storage counters.

A `MediaObject` is written when an upload is signed (`pending`, holding the declared size as a
reservation until `expiresAt`) and becomes `ready` once the bytes are verified (`size` is then
what was stored). `MediaUsage` counts, exactly, the bytes of ready objects (`usedBytes`) and of
pending reservations (`reservedBytes`); only `store.repos.media` writes either.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from store.records.common import MediaType, Stored, UtcDateTime

Bytes = Annotated[int, Field(ge=0)]


class EntryKind(StrEnum):
    """What a photo or video is attached to."""

    SESSION = "session"
    SEND = "send"


class MediaStatus(StrEnum):
    PENDING = "pending"
    """Signed, not yet verified: its declared size is reserved until `expiresAt`."""
    READY = "ready"
    """Verified and attached: its `size` counts as used."""


class MediaObject(Stored):
    """One upload of one user, attached to one entry."""

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9]+$")]
    key: Annotated[str, Field(min_length=1, max_length=1024)]
    """Where the bytes are in the media store: `users/{userId}/media/{id}`."""
    entry_kind: EntryKind
    entry_id: Annotated[str, Field(min_length=1, max_length=64)]
    content_type: Annotated[str, Field(min_length=1, max_length=100)]
    type: MediaType
    declared_size: Bytes
    size: Bytes = 0
    status: MediaStatus
    created_at: UtcDateTime
    expires_at: UtcDateTime | None = None
    """When a pending upload's signature expires (its reservation may be released after)."""
    orphaned_at: UtcDateTime | None = None
    """When the sweep first found the entry gone (a chat `/delete`, which `/undo` may revert)."""


class MediaUsage(Stored):
    """The user's media storage, in bytes: what ready objects use and what pending uploads
    reserve."""

    used_bytes: Bytes = 0
    reserved_bytes: Bytes = 0


def is_expired(item: MediaObject, now: datetime) -> bool:
    """Whether a pending upload can no longer be completed at `now`."""
    return (
        item.status is MediaStatus.PENDING
        and item.expires_at is not None
        and now >= item.expires_at
    )
