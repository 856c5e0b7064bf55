"""Photos and videos of sessions and sends (`server.media.library`), and the local store's own
upload and download URLs.

REST (camelCase JSON), for `/journal/entries/{id}` and `/benchmarks/sends/{id}` alike:

* `POST …/media` `{"contentType", "size"}` → 201 `{"mediaId", "upload": {"url", "fields"},
  "expiresAt"}`; the client then POSTs `upload.url` as `multipart/form-data`: every field of
  `upload.fields`, then `file`. 404 for an entry not the caller's, 403 `tier_required`, 429
  `quota_exceeded`, 422 for a type or size not allowed;
* `POST …/media/{mediaId}/complete` → 200 `MediaItem` (422 when the bytes are not what was
  declared: nothing kept, nothing counted);
* `GET …/media` → `{"items": [MediaItem]}` with fresh links; `DELETE …/media/{mediaId}` → 204;
* `GET /users/media` → `{"usedBytes", "reservedBytes", "limitBytes", "tier"}`.

The local store (no `V7_MEDIA_BUCKET`) serves `POST /media/upload?policy=…` and
`GET /media/files/{key}?expires=…&sig=…`: no bearer token (the signature is the permission, as
with S3), 403 for a forged or expired signature, 413 for more bytes than signed. With S3 both
answer 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic.alias_generators import to_camel
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from server.api import Call, Endpoint
from server.errors import ApiError
from server.limits import CLOSE
from server.media.library import Shown
from server.media.local import DOWNLOAD_PATH, UPLOAD_PATH, Forbidden, LocalMediaStore
from server.media.multipart import FormError, boundary_of, read_form
from server.routes.pages import CamelModel
from server.services import services_of
from store.records.media import EntryKind

FORM_OVERHEAD = 16 * 1024
"""What a form adds to the file's bytes (boundaries, part headers, the key and type fields)."""


class MediaUploadIn(BaseModel):
    """What the climber is about to upload."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    content_type: Annotated[str, Field(min_length=1, max_length=100,
                                       description="image/jpeg, image/png, image/webp, "
                                       "image/gif, image/heic, image/heif, video/mp4, "
                                       "video/quicktime or video/webm")]  # fmt: skip
    size: Annotated[StrictInt, Field(ge=1, description="bytes; images ≤ 20 MB, videos ≤ 200 MB")]


class Upload(CamelModel):
    url: str = Field(description="POST here as multipart/form-data: `fields`, then `file`")
    fields: dict[str, str]


class MediaUpload(CamelModel):
    media_id: str
    upload: Upload
    expires_at: datetime


class MediaItem(CamelModel):
    id: str
    type: Literal["image", "video"]
    content_type: str
    size: int
    url: str = Field(description="a short-lived signed download link")
    created_at: datetime
    entry_kind: Literal["session", "send"]
    entry_id: str


class MediaItems(CamelModel):
    items: list[MediaItem]


class MediaStorage(CamelModel):
    used_bytes: int
    reserved_bytes: int
    limit_bytes: int | None = Field(description="null: the tier includes no storage")
    tier: str


def media_item(shown: Shown) -> MediaItem:
    item = shown.item
    return MediaItem(
        id=item.id,
        type=item.type.value,
        content_type=item.content_type,
        size=item.size,
        url=shown.url,
        created_at=item.created_at,
        entry_kind=item.entry_kind.value,
        entry_id=item.entry_id,
    )


def _endpoints(path: str, kind: EntryKind, noun: str, tag: str) -> list[Endpoint]:
    async def sign(call: Call[MediaUploadIn]) -> MediaUpload:
        body: MediaUploadIn = call.body
        signed = await call.services.media.sign(
            call.user, kind, call.path("id"), body.content_type, body.size
        )
        upload = signed.upload
        return MediaUpload(
            media_id=signed.media_id,
            upload=Upload(url=upload.url, fields=upload.fields),
            expires_at=upload.expires_at,
        )

    async def complete(call: Call[Any]) -> MediaItem:
        shown = await call.services.media.complete(
            call.user, kind, call.path("id"), call.path("mediaId")
        )
        return media_item(shown)

    async def listing(call: Call[Any]) -> MediaItems:
        shown = await call.services.media.of_entry(call.user.user_id, kind, call.path("id"))
        return MediaItems(items=[media_item(each) for each in shown])

    async def delete(call: Call[Any]) -> None:
        await call.services.media.delete(
            call.user.user_id, kind, call.path("id"), call.path("mediaId")
        )

    base = f"{path}/{{id}}/media"
    one = f"{base}/{{mediaId}}"
    tags = (tag, "media")
    return [
        Endpoint("POST", base, sign,
                 f"Sign an upload of a photo or video to a {noun}: its size is reserved against "
                 "the tier's storage until it is completed or the link expires",
                 body=MediaUploadIn, response=MediaUpload, status=201, tags=tags,
                 errors=(403, 429)),
        Endpoint("POST", f"{one}/complete", complete,
                 "Attach an uploaded object after checking its bytes (type sniffed, size ≤ "
                 "declared); 422 deletes it and counts nothing",
                 response=MediaItem, tags=tags),
        Endpoint("GET", base, listing, f"The {noun}'s photos and videos, with fresh links",
                 response=MediaItems, tags=tags),
        Endpoint("DELETE", one, delete, "Delete a photo or video; its storage is given back",
                 tags=tags),
    ]  # fmt: skip


async def storage(call: Call[Any]) -> JSONResponse:
    # Rendered here: the generic renderer leaves out nulls, and `limitBytes: null` is an answer.
    found = await call.services.media.storage(call.user)
    body = MediaStorage(
        used_bytes=found.usage.used_bytes,
        reserved_bytes=found.usage.reserved_bytes,
        limit_bytes=found.limit,
        tier=found.tier,
    )
    return JSONResponse(body.model_dump(mode="json", by_alias=True))


endpoints = [
    *_endpoints("/journal/entries", EntryKind.SESSION, "journal entry", "journal"),
    *_endpoints("/benchmarks/sends", EntryKind.SEND, "benchmark send", "sends"),
    Endpoint("GET", "/users/media", storage,
             "Photo and video storage: bytes used, reserved by uploads under way, the tier's "
             "limit", response=MediaStorage, tags=("users", "media")),
]  # fmt: skip


# --- the local store's URLs --------------------------------------------------------------------


def _local(request: Request) -> LocalMediaStore:
    store = services_of(request).media.store
    if not isinstance(store, LocalMediaStore):
        raise ApiError(404, "not_found", "No such item")
    return store


def _forbidden() -> ApiError:
    return ApiError(403, "forbidden", "The link is not valid or has expired", headers=CLOSE)


async def upload(request: Request) -> Response:
    """Store one form upload under its signed policy (checked before the body is read)."""
    store = _local(request)
    try:
        policy = store.upload_policy(request.query_params.get("policy", ""))
    except Forbidden:
        raise _forbidden() from None
    declared = request.headers.get("content-length")
    if declared is not None and (
        not declared.isdigit() or int(declared) > policy.max_size + FORM_OVERHEAD
    ):
        raise _too_large(policy.max_size)
    try:
        boundary = boundary_of(request.headers.get("content-type", ""))
    except FormError as error:
        raise ApiError(400, "bad_request", error.message, headers=CLOSE) from None
    async with store.receiving(policy) as receiver:
        try:
            form = await read_form(request.stream(), boundary, receiver.write, policy.max_size)
        except FormError as error:
            if error.too_large:
                raise _too_large(policy.max_size) from None
            raise ApiError(400, "bad_request", error.message, headers=CLOSE) from None
        if form.fields.get("key") != policy.key or (
            form.fields.get("Content-Type") != policy.content_type
        ):
            raise ApiError(403, "forbidden", "The form does not match the signed upload")
        if not form.has_file or form.file_bytes < 1:
            raise ApiError(400, "bad_request", "The form has no file")
        await receiver.commit()
    return Response(status_code=204)


def _too_large(max_size: int) -> ApiError:
    return ApiError(413, "too_large", f"This upload may be at most {max_size} bytes", headers=CLOSE)


async def download(request: Request) -> Response:
    store = _local(request)
    try:
        path = store.download_path(
            request.path_params["key"],
            request.query_params.get("expires", ""),
            request.query_params.get("sig", ""),
        )
    except Forbidden:
        raise _forbidden() from None
    if not path.is_file():
        raise ApiError(404, "not_found", "No such item")
    return FileResponse(
        path,
        media_type=store.content_type(path),
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=60",
        },
    )


routes = [
    Route(UPLOAD_PATH, upload, methods=["POST"]),
    Route(f"{DOWNLOAD_PATH}/{{key:path}}", download, methods=["GET"]),
]
