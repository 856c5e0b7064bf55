"""Where the bytes of photos and videos live: S3 in AWS, files under `V7_DATA_DIR` on a laptop.

Both stores answer the same contract, so one client code path serves both:

* an upload is an HTML-form POST (S3's presigned POST shape): `PresignedUpload.url` receives
  `multipart/form-data` with every field of `fields` and then the `file` part; the store
  itself refuses another content type, more bytes than signed, or a post after `expires_at`
  (S3 through the policy's conditions, the local store in `server.media.local`);
* a download is a short-lived signed GET URL;
* `head`, `first_bytes`, `delete` and `delete_prefix` are what verification, deletion and
  erasure need. Deleting what is not there is not an error.

The accounting (what counts against a tier, when) is not here: `server.media.library`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from core.clock import Clock
from server.settings import Settings


@dataclass(frozen=True)
class PresignedUpload:
    url: str
    fields: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str


def object_key(user_id: str, media_id: str) -> str:
    """Where an upload of `user_id` is stored; everything of a user is under `user_prefix`."""
    return f"{user_prefix(user_id)}media/{media_id}"


def user_prefix(user_id: str) -> str:
    return f"users/{user_id}/"


class MediaStore(ABC):
    """The object store of climbers' media (see the module doc). Methods raise
    `MediaStoreUnavailable` when the store cannot be reached."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.origins: tuple[str, ...] = ()
        """Origins other than the app's that a browser posts to and loads media from (the
        bucket's); the web UI's Content-Security-Policy allows them."""

    @abstractmethod
    async def presign_upload(
        self, key: str, content_type: str, max_size: int, expires_in: int
    ) -> PresignedUpload:
        """A form POST that stores at most `max_size` bytes of `content_type` at `key`, valid
        for `expires_in` seconds."""

    @abstractmethod
    async def head(self, key: str) -> StoredObject | None:
        """The object's size and stored content type; None when there is none."""

    @abstractmethod
    async def first_bytes(self, key: str, count: int) -> bytes:
        """Up to `count` leading bytes of the object (b"" when there is none)."""

    @abstractmethod
    async def download_url(self, key: str, expires_in: int) -> str:
        """A GET URL of the object, valid for `expires_in` seconds."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Delete the object, if any."""

    @abstractmethod
    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object whose key starts with `prefix`; how many there were."""


class MediaStoreUnavailable(Exception):
    """The media store could not be reached; nothing is known to have changed."""


def open_media_store(settings: Settings, clock: Clock) -> AbstractAsyncContextManager[MediaStore]:
    """The media store the settings name: S3 when `V7_MEDIA_BUCKET` is set, else the local
    store under `V7_DATA_DIR/media/`. Open it once (the app's lifespan) and share it."""
    if settings.media_bucket:
        from server.media.s3 import open_s3_store

        return open_s3_store(settings, clock)
    from server.media.local import open_local_store

    return open_local_store(settings, clock)
