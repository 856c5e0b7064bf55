"""The media store on S3 (aioboto3; one client for the life of the app).

Uploads are S3 presigned POSTs whose policy fixes the key, requires the signed
`Content-Type` and bounds the size (`content-length-range` 1..max): S3 itself refuses anything
else. Downloads are presigned GETs. `V7_MEDIA_ENDPOINT_URL` points the client at another S3
(moto in tests, an emulator); the region is `V7_MEDIA_REGION`, else the environment's (ECS sets
`AWS_REGION`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError

from core.clock import Clock
from server.media.store import MediaStore, MediaStoreUnavailable, PresignedUpload, StoredObject
from server.settings import Settings

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import ObjectIdentifierTypeDef

_MISSING = ("404", "NoSuchKey", "NotFound")
_DELETE_BATCH = 1000
"""DeleteObjects takes at most 1,000 keys."""


class S3MediaStore(MediaStore):
    def __init__(self, client: S3Client, bucket: str, clock: Clock) -> None:
        super().__init__(clock)
        self._client = client
        self._bucket = bucket

    async def presign_upload(
        self, key: str, content_type: str, max_size: int, expires_in: int
    ) -> PresignedUpload:
        expires_at = self.clock() + timedelta(seconds=expires_in)
        conditions: list[Any] = [
            {"Content-Type": content_type},
            ["content-length-range", 1, max_size],
        ]
        try:
            post = await self._client.generate_presigned_post(
                Bucket=self._bucket,
                Key=key,
                Fields={"Content-Type": content_type},
                Conditions=conditions,
                ExpiresIn=expires_in,
            )
        except (BotoCoreError, ClientError) as exc:
            raise MediaStoreUnavailable(type(exc).__name__) from exc
        fields = {str(name): str(value) for name, value in post["fields"].items()}
        return PresignedUpload(str(post["url"]), fields, expires_at)

    async def head(self, key: str) -> StoredObject | None:
        try:
            found = await self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise MediaStoreUnavailable(_code(exc)) from exc
        except BotoCoreError as exc:
            raise MediaStoreUnavailable(type(exc).__name__) from exc
        return StoredObject(int(found["ContentLength"]), str(found.get("ContentType", "")))

    async def first_bytes(self, key: str, count: int) -> bytes:
        try:
            found = await self._client.get_object(
                Bucket=self._bucket, Key=key, Range=f"bytes=0-{max(count, 1) - 1}"
            )
            async with found["Body"] as body:
                data: bytes = await body.read()
        except ClientError as exc:
            if _missing(exc) or _code(exc) == "InvalidRange":
                return b""
            raise MediaStoreUnavailable(_code(exc)) from exc
        except BotoCoreError as exc:
            raise MediaStoreUnavailable(type(exc).__name__) from exc
        return data[:count]

    async def download_url(self, key: str, expires_in: int) -> str:
        try:
            url: str = await self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": key},
                ExpiresIn=expires_in,
            )
        except (BotoCoreError, ClientError) as exc:
            raise MediaStoreUnavailable(type(exc).__name__) from exc
        return url

    async def delete(self, key: str) -> None:
        try:
            await self._client.delete_object(Bucket=self._bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise MediaStoreUnavailable(type(exc).__name__) from exc

    async def delete_prefix(self, prefix: str) -> int:
        deleted = 0
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self._bucket, Prefix=prefix
            )
            async for page in pages:
                keys: list[ObjectIdentifierTypeDef] = [
                    {"Key": item["Key"]} for item in page.get("Contents", [])
                ]
                for start in range(0, len(keys), _DELETE_BATCH):
                    batch = keys[start : start + _DELETE_BATCH]
                    await self._client.delete_objects(
                        Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True}
                    )
                    deleted += len(batch)
        except (BotoCoreError, ClientError) as exc:
            raise MediaStoreUnavailable(type(exc).__name__) from exc
        return deleted


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _missing(exc: ClientError) -> bool:
    return _code(exc) in _MISSING


@asynccontextmanager
async def open_s3_store(settings: Settings, clock: Clock) -> AsyncIterator[MediaStore]:
    """The S3 store of `V7_MEDIA_BUCKET`, its client open for the context's life."""
    # Path-style addressing for an endpoint on an address (moto, emulators), where bucket
    # subdomains do not resolve; AWS itself gets the default (virtual-hosted).
    config = AioConfig(
        s3={"addressing_style": "path"} if settings.media_endpoint_url else {},
        signature_version="s3v4",
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=5,
        read_timeout=10,
    )
    async with aioboto3.Session().client(
        "s3",
        region_name=settings.media_region or None,
        endpoint_url=settings.media_endpoint_url or None,
        config=config,
    ) as client:
        store = S3MediaStore(client, settings.media_bucket, clock)
        store.origins = await _origins(store)
        yield store


async def _origins(store: S3MediaStore) -> tuple[str, ...]:
    """Where the client's signed URLs point (no request is made: signing is local)."""
    probe = "origin-probe"
    upload = await store.presign_upload(probe, "image/jpeg", 1, 60)
    urls = (upload.url, await store.download_url(probe, 60))
    return tuple(sorted({f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in urls}))
