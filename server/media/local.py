"""The media store on a laptop: files under `V7_DATA_DIR/media/`, behind URLs the app serves.

It speaks S3's shapes so the client has one code path: an upload is a form POST to
`UPLOAD_PATH?policy=TOKEN` with the fields `key` and `Content-Type`, then `file`; a download is
`DOWNLOAD_PATH/{key}?expires=…&sig=…`. TOKEN carries the signed policy (key, content type, max
size, expiry) in the URL rather than in a form field, so the upload route checks the signature,
the expiry and a declared `Content-Length` before it reads a byte of the body.

Signatures are HMAC-SHA256 under a random key kept in `V7_DATA_DIR/media/.signing-key`
(created once, mode 0600, shared by every process on the data directory, never logged), over
the purpose and the signed values; they are compared in constant time. Expiry is read from the
app's clock.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlencode

from core.clock import Clock
from server.media.store import MediaStore, PresignedUpload, StoredObject
from server.settings import Settings

UPLOAD_PATH = "/media/upload"
DOWNLOAD_PATH = "/media/files"
KEY_FILE = ".signing-key"
_TYPE_SUFFIX = ".type"
_KEY = re.compile(r"^users/[A-Za-z0-9_-]{1,128}/media/[A-Za-z0-9]{1,64}$")
_PREFIX = re.compile(r"^users/[A-Za-z0-9_-]{1,128}/$")


class Forbidden(Exception):
    """A signature that does not verify, or one that expired."""


@dataclass(frozen=True)
class UploadPolicy:
    key: str
    content_type: str
    max_size: int
    expires: int
    """Unix seconds."""


class LocalMediaStore(MediaStore):
    def __init__(self, root: Path, signing_key: bytes, clock: Clock) -> None:
        super().__init__(clock)
        self.root = root
        self._signing_key = signing_key

    # --- signing ----------------------------------------------------------------------------

    def _mac(self, purpose: str, *values: str) -> str:
        message = "\n".join((purpose, *values)).encode("utf-8")
        digest = hmac.new(self._signing_key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def _now(self) -> int:
        return int(self.clock().timestamp())

    async def presign_upload(
        self, key: str, content_type: str, max_size: int, expires_in: int
    ) -> PresignedUpload:
        _check_key(key)
        expires = self._now() + expires_in
        policy = json.dumps(
            {"key": key, "type": content_type, "max": max_size, "exp": expires},
            separators=(",", ":"),
        ).encode("utf-8")
        encoded = base64.urlsafe_b64encode(policy).rstrip(b"=").decode("ascii")
        token = f"{encoded}.{self._mac('upload', encoded)}"
        return PresignedUpload(
            f"{UPLOAD_PATH}?{urlencode({'policy': token})}",
            {"key": key, "Content-Type": content_type},
            datetime.fromtimestamp(expires, UTC),
        )

    def upload_policy(self, token: str) -> UploadPolicy:
        """The policy `token` carries; raises `Forbidden` when it is forged, malformed or
        expired."""
        encoded, _, mac = token.partition(".")
        if not (encoded and mac) or not hmac.compare_digest(mac, self._mac("upload", encoded)):
            raise Forbidden("bad signature")
        try:
            raw = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
            policy = UploadPolicy(str(raw["key"]), str(raw["type"]), int(raw["max"]),
                                  int(raw["exp"]))  # fmt: skip
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise Forbidden("bad policy") from None
        if self._now() >= policy.expires:
            raise Forbidden("expired")
        return policy

    async def download_url(self, key: str, expires_in: int) -> str:
        _check_key(key)
        expires = str(self._now() + expires_in)
        query = urlencode({"expires": expires, "sig": self._mac("download", key, expires)})
        return f"{DOWNLOAD_PATH}/{quote(key)}?{query}"

    def download_path(self, key: str, expires: str, sig: str) -> Path:
        """The file a download URL names; raises `Forbidden` when forged or expired (a key
        that is not one this store issues is forged too)."""
        if not hmac.compare_digest(sig, self._mac("download", key, expires)):
            raise Forbidden("bad signature")
        if not expires.isdigit() or self._now() >= int(expires) or not _KEY.match(key):
            raise Forbidden("expired")
        return self.root / key

    # --- objects ----------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        _check_key(key)
        return self.root / key

    async def head(self, key: str) -> StoredObject | None:
        path = self._path(key)

        def read() -> StoredObject | None:
            try:
                size = path.stat().st_size
                content_type = path.with_name(path.name + _TYPE_SUFFIX).read_text("utf-8")
            except FileNotFoundError:
                return None
            return StoredObject(size, content_type)

        return await asyncio.to_thread(read)

    async def first_bytes(self, key: str, count: int) -> bytes:
        path = self._path(key)

        def read() -> bytes:
            try:
                with path.open("rb") as file:
                    return file.read(count)
            except FileNotFoundError:
                return b""

        return await asyncio.to_thread(read)

    def content_type(self, path: Path) -> str:
        """The content type stored beside a file (read when it is served)."""
        try:
            return path.with_name(path.name + _TYPE_SUFFIX).read_text("utf-8")
        except FileNotFoundError:
            return "application/octet-stream"

    @asynccontextmanager
    async def receiving(self, policy: UploadPolicy) -> AsyncIterator[Receiver]:
        """A temporary file for an upload's bytes in the target's directory; `commit` renames
        it into place (a reader never sees a partial file); otherwise it is removed."""
        target = self._path(policy.key)
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        fd, name = await asyncio.to_thread(tempfile.mkstemp, dir=target.parent, prefix=".upload-")
        receiver = Receiver(os.fdopen(fd, "wb"), Path(name), target, policy.content_type)
        try:
            yield receiver
        finally:
            receiver.file.close()
            await asyncio.to_thread(Path(name).unlink, missing_ok=True)

    async def delete(self, key: str) -> None:
        path = self._path(key)

        def remove() -> None:
            for each in (path, path.with_name(path.name + _TYPE_SUFFIX)):
                with contextlib.suppress(FileNotFoundError):
                    each.unlink()

        await asyncio.to_thread(remove)

    async def delete_prefix(self, prefix: str) -> int:
        if not _PREFIX.match(prefix):
            raise ValueError(f"not a user prefix: {prefix!r}")
        directory = self.root / prefix

        def remove() -> int:
            if not directory.exists():
                return 0
            count = sum(
                1
                for path in directory.rglob("*")
                if path.is_file() and not path.name.endswith(_TYPE_SUFFIX)
            )
            shutil.rmtree(directory, ignore_errors=True)
            return count

        return await asyncio.to_thread(remove)


@dataclass
class Receiver:
    """Where an upload's bytes are written while it streams in."""

    file: BinaryIO
    temp: Path
    target: Path
    content_type: str

    async def write(self, data: bytes) -> None:
        await asyncio.to_thread(self.file.write, data)

    async def commit(self) -> None:
        def finish() -> None:
            self.file.close()
            self.target.with_name(self.target.name + _TYPE_SUFFIX).write_text(
                self.content_type, "utf-8"
            )
            os.replace(self.temp, self.target)

        await asyncio.to_thread(finish)


def _check_key(key: str) -> None:
    if not _KEY.match(key):
        raise ValueError(f"not a media key: {key!r}")


def load_or_create_key(root: Path) -> bytes:
    """The signing key under `root`, created on first use. Two processes starting at once
    agree: the key is written to a temporary file and linked into place only if absent."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / KEY_FILE
    if not path.exists():
        fd, temp = tempfile.mkstemp(dir=root, prefix=".key-")
        try:
            os.write(fd, secrets.token_bytes(32))
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
        os.unlink(temp)
    key = path.read_bytes()
    if len(key) != 32:
        raise RuntimeError(f"{path} is not a media signing key (32 bytes); remove it to renew")
    return key


@asynccontextmanager
async def open_local_store(settings: Settings, clock: Clock) -> AsyncIterator[MediaStore]:
    root = settings.data_dir / "media"
    key = await asyncio.to_thread(load_or_create_key, root)
    yield LocalMediaStore(root, key, clock)
