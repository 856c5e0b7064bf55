"""Telling photos and videos by their first bytes, and reading the upload form in any chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from server.media.kinds import kind_of, matches, sniff
from server.media.multipart import FormError, boundary_of, read_form
from tests.server.media.helpers import HEIC, JPEG, MP4, PNG, WEBM

GIF = b"GIF89a" + bytes(32)
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(32)
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + bytes(32)


@pytest.mark.parametrize(
    ("declared", "head"),
    [
        ("image/jpeg", JPEG),
        ("image/png", PNG),
        ("image/gif", GIF),
        ("image/webp", WEBP),
        ("image/heic", HEIC),
        ("image/heif", HEIC),
        ("video/mp4", MP4),
        ("video/quicktime", MOV),
        ("video/mp4", MOV),
        ("video/webm", WEBM),
        ("IMAGE/JPEG; charset=binary", JPEG),
    ],
)
def test_each_allowed_kind_is_recognised(declared: str, head: bytes) -> None:
    kind = kind_of(declared)
    assert kind is not None
    assert matches(kind, head)


@pytest.mark.parametrize(
    ("declared", "head"),
    [
        ("image/jpeg", PNG),
        ("image/png", b"<svg xmlns='http://www.w3.org/2000/svg'>"),
        ("image/heic", MP4),
        ("video/mp4", HEIC),
        ("video/webm", b"MZ\x90\x00"),
        ("image/gif", b""),
    ],
)
def test_bytes_of_another_kind_do_not_match(declared: str, head: bytes) -> None:
    kind = kind_of(declared)
    assert kind is not None
    assert not matches(kind, head)


def test_other_types_are_not_allowed() -> None:
    assert kind_of("image/svg+xml") is None
    assert kind_of("text/html") is None
    assert sniff(b"%PDF-1.7") is None


FORM = (
    b'--xyz\r\nContent-Disposition: form-data; name="key"\r\n\r\nusers/u/media/m\r\n'
    b'--xyz\r\nContent-Disposition: form-data; name="Content-Type"\r\n\r\nimage/jpeg\r\n'
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
    b"Content-Type: image/jpeg\r\n\r\n" + JPEG + b"\r\n--xyz--\r\n"
)


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("size", [1, 3, 7, 64, len(FORM)])
async def test_the_form_reads_the_same_in_any_chunks(size: int) -> None:
    received = bytearray()

    async def sink(data: bytes) -> None:
        received.extend(data)

    form = await read_form(chunked(FORM, size), b"xyz", sink, 1000)
    assert form.fields == {"key": "users/u/media/m", "Content-Type": "image/jpeg"}
    assert (form.has_file, form.file_bytes, bytes(received)) == (True, len(JPEG), JPEG)


async def test_a_file_past_its_cap_or_a_cut_body_is_refused() -> None:
    async def sink(data: bytes) -> None:
        return None

    with pytest.raises(FormError) as too_large:
        await read_form(chunked(FORM, 16), b"xyz", sink, len(JPEG) - 1)
    assert too_large.value.too_large
    with pytest.raises(FormError):
        await read_form(chunked(FORM[:-20], 16), b"xyz", sink, 1000)
    with pytest.raises(FormError):
        boundary_of("application/json")
    assert boundary_of('multipart/form-data; boundary="a b"') == b"a b"
