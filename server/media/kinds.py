"""Which photos and videos a climber may upload, told by their first bytes.

A declared `Content-Type` is never trusted alone: the stored object's first bytes must be of
the same kind (`sniff`). Allowed: JPEG, PNG, WebP, GIF, HEIC/HEIF images; MP4, MOV (QuickTime)
and WebM videos. "Short videos" is enforced by size: `MAX_VIDEO_BYTES`, not by duration, which
would need the file decoded.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.records.common import MediaType

MAX_IMAGE_BYTES = 20_000_000
"""A phone photo is 2–12 MB; 20 MB leaves room for HEIC bursts and PNG screenshots."""
MAX_VIDEO_BYTES = 200_000_000
"""About a minute of 1080p phone video: a send or an attempt, not a session."""
SNIFF_BYTES = 32
"""How many leading bytes `sniff` reads."""


@dataclass(frozen=True)
class Kind:
    """An allowed content type: photo or video, and its family (types whose bytes cannot be
    told apart reliably from their first bytes share one: HEIC/HEIF, MP4/MOV)."""

    content_type: str
    media: MediaType
    family: str
    name: str
    """What a climber calls it: "JPEG", "MOV"."""

    @property
    def described(self) -> str:
        """ "a JPEG photo", "an MP4 video": for messages."""
        noun = "photo" if self.media is MediaType.IMAGE else "video"
        article = "an" if self.name.startswith(("MP", "A", "E", "I", "O", "U")) else "a"
        return f"{article} {self.name} {noun}"

    @property
    def max_bytes(self) -> int:
        return MAX_IMAGE_BYTES if self.media is MediaType.IMAGE else MAX_VIDEO_BYTES


KINDS: dict[str, Kind] = {
    kind.content_type: kind
    for kind in (
        Kind("image/jpeg", MediaType.IMAGE, "jpeg", "JPEG"),
        Kind("image/png", MediaType.IMAGE, "png", "PNG"),
        Kind("image/webp", MediaType.IMAGE, "webp", "WebP"),
        Kind("image/gif", MediaType.IMAGE, "gif", "GIF"),
        Kind("image/heic", MediaType.IMAGE, "heif", "HEIC"),
        Kind("image/heif", MediaType.IMAGE, "heif", "HEIF"),
        Kind("video/mp4", MediaType.VIDEO, "isobmff", "MP4"),
        Kind("video/quicktime", MediaType.VIDEO, "isobmff", "MOV"),
        Kind("video/webm", MediaType.VIDEO, "webm", "WebM"),
    )
}

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})


def kind_of(content_type: str) -> Kind | None:
    """The allowed kind of a declared content type (parameters and case ignored); None if it
    is not one a climber may upload."""
    return KINDS.get(content_type.split(";", 1)[0].strip().lower())


def sniff(head: bytes) -> str | None:
    """The family the leading bytes `head` (at least `SNIFF_BYTES` of them when the object is
    that long) belong to; None when they are none of the allowed ones."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"  # an EBML header: WebM (Matroska's profile browsers play)
    if head[4:8] == b"ftyp":
        return "heif" if head[8:12] in _HEIF_BRANDS else "isobmff"
    return None


def matches(kind: Kind, head: bytes) -> bool:
    """Whether the bytes are of the declared kind's family."""
    return sniff(head) == kind.family
