"""What the media tests share: tiny files of each kind, a live server on either media store,
and the client's side of an upload (sign, post the form, complete)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aioboto3
import httpx

from core.caller import Caller
from server.media.library import MediaLibrary
from server.media.local import LocalMediaStore
from store.records.media import EntryKind
from tests.clock import FrozenClock, at
from tests.server.helpers import Headers, entry
from tests.server.live import LiveServer, live_server

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64))
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(48))
WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(64))
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(range(48))

STORES = ("local", "s3")


async def uploaded(media: MediaLibrary, caller: Caller, entry_id: str) -> str:
    """A completed photo of the caller's session `entry_id` on the local store, its bytes
    written as the upload route writes them; its media id."""
    signed = await media.sign(caller, EntryKind.SESSION, entry_id, "image/jpeg", len(JPEG))
    store = media.store
    assert isinstance(store, LocalMediaStore)
    token = signed.upload.url.split("policy=", 1)[1]
    async with store.receiving(store.upload_policy(token)) as receiver:
        await receiver.write(JPEG)
        await receiver.commit()
    await media.complete(caller, EntryKind.SESSION, entry_id, signed.media_id)
    return signed.media_id


NOW = at("2026-03-15T12:00:00")
"""The servers' instant: after `DAY0`, the day the test sessions are logged."""


@contextmanager
def media_server(store: str, data_dir: Path, moto_endpoint: str) -> Iterator[LiveServer]:
    """A live server (SQLite, local auth) whose media store is `store`: files under its data
    directory, or a fresh bucket in moto's S3 reached with the real aioboto3 client. Its clock
    is a `FrozenClock` at `NOW`, which tests move forward to make uploads and links expire:
    every expiry the server decides is read from it (botocore signs S3's own URLs with the
    machine's time, which moto does not hold the server's decisions to)."""
    clock = FrozenClock(NOW)
    overrides: dict[str, Any] = {}
    if store == "s3":
        bucket = f"v7-media-{uuid.uuid4().hex[:12]}"
        asyncio.run(_create_bucket(moto_endpoint, bucket))
        overrides = {
            "media_bucket": bucket,
            "media_endpoint_url": moto_endpoint,
            "media_region": "us-east-1",
        }
    with live_server(data_dir, clock=clock, **overrides) as live:
        yield live


async def _create_bucket(endpoint: str, bucket: str) -> None:
    async with aioboto3.Session().client(
        "s3", region_name="us-east-1", endpoint_url=endpoint
    ) as client:
        await client.create_bucket(Bucket=bucket)


def clock_of(server: LiveServer) -> FrozenClock:
    clock = server.clock
    assert isinstance(clock, FrozenClock)
    return clock


async def new_session(http: httpx.AsyncClient, headers: Headers) -> str:
    response = await http.post("/journal/entries", json=entry(), headers=headers)
    assert response.status_code == 201, response.text
    entry_id: str = response.json()["id"]
    return entry_id


async def sign(
    http: httpx.AsyncClient,
    headers: Headers,
    entry_id: str,
    content_type: str = "image/jpeg",
    size: int = len(JPEG),
    *,
    path: str = "/journal/entries",
) -> httpx.Response:
    return await http.post(
        f"{path}/{entry_id}/media",
        json={"contentType": content_type, "size": size},
        headers=headers,
    )


async def post_form(
    http: httpx.AsyncClient, signed: dict[str, Any], data: bytes, content_type: str
) -> httpx.Response:
    """The client's upload: the signed fields, then the file, to the signed URL."""
    upload = signed["upload"]
    return await http.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("climb", data, content_type)},
    )


async def upload(
    http: httpx.AsyncClient,
    headers: Headers,
    entry_id: str,
    data: bytes = JPEG,
    content_type: str = "image/jpeg",
    *,
    path: str = "/journal/entries",
) -> dict[str, Any]:
    """Sign, upload and complete one file; the completed `MediaItem`."""
    signed = await sign(http, headers, entry_id, content_type, len(data), path=path)
    assert signed.status_code == 201, signed.text
    posted = await post_form(http, signed.json(), data, content_type)
    assert posted.status_code in (200, 201, 204), posted.text
    media_id = signed.json()["mediaId"]
    done = await http.post(f"{path}/{entry_id}/media/{media_id}/complete", headers=headers)
    assert done.status_code == 200, done.text
    item: dict[str, Any] = done.json()
    return item


async def storage(http: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    response = await http.get("/users/media", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
