"""A streaming reader of the one `multipart/form-data` shape an upload takes: text fields, then
one `file` part, whose bytes go to a sink as they arrive (never held whole in memory).

Every size is bounded while reading: a part's headers, each text field, the number of fields,
and the file (`max_file_bytes`: reading stops at the first byte past it). python-multipart is
not a dependency; this reads only what an HTML form or `httpx` sends.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

MAX_PART_HEADER_BYTES = 4096
MAX_FIELD_BYTES = 4096
MAX_FIELDS = 20

_NAME = re.compile(rb'\bname="([^"]*)"', re.IGNORECASE)
_FILENAME = re.compile(rb"\bfilename\*?=", re.IGNORECASE)
_BOUNDARY = re.compile(r'boundary="?([^";]{1,70})"?', re.IGNORECASE)


class FormError(Exception):
    """The body is not a form this reader takes; `too_large` when the file passed its cap."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    file_bytes: int = 0
    has_file: bool = False


def boundary_of(content_type: str) -> bytes:
    """The boundary of a `multipart/form-data` content type; raises `FormError`."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise FormError("an upload is multipart/form-data")
    found = _BOUNDARY.search(content_type)
    if found is None:
        raise FormError("the multipart body has no boundary")
    return found.group(1).encode("latin-1")


async def read_form(
    chunks: AsyncIterator[bytes],
    boundary: bytes,
    sink: Callable[[bytes], Awaitable[None]],
    max_file_bytes: int,
) -> Form:
    """Read the form from `chunks`; the `file` part's bytes go to `sink`. Raises `FormError`
    for a malformed body, a part after the file, or a file over `max_file_bytes`."""
    reader = _Reader(chunks)
    delimiter = b"--" + boundary
    form = Form()
    await reader.until(delimiter + b"\r\n", limit=MAX_PART_HEADER_BYTES, what="the first part")
    closing = b"\r\n" + delimiter
    while True:
        head = await reader.until(b"\r\n\r\n", limit=MAX_PART_HEADER_BYTES, what="part headers")
        name_match = _NAME.search(head)
        if name_match is None:
            raise FormError("every part needs a name")
        name = name_match.group(1).decode("utf-8", "replace")
        if name == "file" or _FILENAME.search(head):
            if form.has_file:
                raise FormError("send one file")
            form.has_file = True
            form.file_bytes = await reader.stream_until(closing, sink, max_file_bytes)
        else:
            if len(form.fields) >= MAX_FIELDS or form.has_file:
                raise FormError("the fields come before the file, at most 20 of them")
            value = await reader.until(closing, limit=MAX_FIELD_BYTES, what=f"field {name}")
            form.fields[name] = value.decode("utf-8", "replace")
        end = await reader.take(2)
        if end == b"--":
            return form
        if end != b"\r\n":
            raise FormError("malformed multipart body")


class _Reader:
    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = bytearray()

    async def _more(self, what: str) -> None:
        try:
            chunk = await anext(self._chunks)
        except StopAsyncIteration:
            raise FormError(f"the body ended inside {what}") from None
        self._buffer += chunk

    async def take(self, count: int) -> bytes:
        while len(self._buffer) < count:
            await self._more("the form")
        taken = bytes(self._buffer[:count])
        del self._buffer[:count]
        return taken

    async def until(self, marker: bytes, *, limit: int, what: str) -> bytes:
        """The bytes before `marker` (consumed with it), at most `limit` of them."""
        while True:
            at = self._buffer.find(marker)
            if at >= 0:
                found = bytes(self._buffer[:at])
                del self._buffer[: at + len(marker)]
                return found
            if len(self._buffer) > limit + len(marker):
                raise FormError(f"{what} is too long")
            await self._more(what)

    async def stream_until(
        self, marker: bytes, sink: Callable[[bytes], Awaitable[None]], limit: int
    ) -> int:
        """Pass the bytes before `marker` to `sink` as they come; how many there were."""
        total = 0
        while True:
            at = self._buffer.find(marker)
            # Everything but a tail that could be the start of the marker is file data.
            ready = at if at >= 0 else max(0, len(self._buffer) - len(marker) + 1)
            if ready:
                total += ready
                if total > limit:
                    raise FormError(f"the file is larger than {limit} bytes", too_large=True)
                await sink(bytes(self._buffer[:ready]))
                del self._buffer[:ready]
            if at >= 0:
                del self._buffer[: len(marker)]
                return total
            await self._more("the file")
