"""The WebSocket frames of protocol `v7.chat.v1` (DESIGN.md), as pydantic models.

Parsing is pure: `parse_client_frame` turns one text frame into a typed frame or raises
`BadFrame`; server frames serialise with `encode`. No socket code lives here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

from core.errors import BadFrame
from core.quota import Quota
from core.untrusted_json import BadJSON, parse_json
from core.validation import one_line, problems

PROTOCOL = "v7.chat.v1"

FrameId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Client → server
class Say(_Frame):
    type: Literal["say"]
    id: FrameId
    text: Annotated[str, Field(min_length=1, max_length=16_000)]


class Stop(_Frame):
    type: Literal["stop"]
    stream: FrameId


class Confirm(_Frame):
    type: Literal["confirm"]
    proposal: FrameId


class Dismiss(_Frame):
    type: Literal["dismiss"]
    proposal: FrameId


class Resume(_Frame):
    type: Literal["resume"]
    stream: FrameId
    after: Annotated[int, Field(ge=0)] = 0


class Auth(_Frame):
    type: Literal["auth"]
    token: Annotated[str, Field(min_length=1, max_length=16_384)]


class Ping(_Frame):
    type: Literal["ping"]
    id: FrameId | None = None


ClientFrame = Annotated[
    Say | Stop | Confirm | Dismiss | Resume | Auth | Ping, Field(discriminator="type")
]
_client_frame: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)
CLIENT_TYPES = ("say", "stop", "confirm", "dismiss", "resume", "auth", "ping")
_SHAPE = 'frames are JSON objects, e.g. {"type":"ping","id":"x"}'


def parse_client_frame(text: str) -> ClientFrame:
    """Parse one text frame. Raises `BadFrame` naming what was wrong (never echoing a token),
    also for JSON nested deeper than `core.untrusted_json.MAX_JSON_DEPTH` (not parsed at all)."""
    try:
        data = parse_json(text)
    except BadJSON as error:
        raise BadFrame(f"{_SHAPE}; {error}") from None
    if not isinstance(data, dict):
        raise BadFrame(_SHAPE)
    kind = data.get("type")
    if kind not in CLIENT_TYPES:
        raise BadFrame(f"unknown frame type {kind!r}; expected one of {', '.join(CLIENT_TYPES)}")
    try:
        return _client_frame.validate_python(data)
    except ValidationError as error:
        # The first part of each location is the frame's type (the union's tag).
        found = one_line(problems(error, skip=1, whole="frame"))
        raise BadFrame(f"bad {kind} frame: {found}") from None


# Server → client
class UserInfo(BaseModel):
    id: str
    tier: str
    timezone: str = "UTC"
    """The climber's IANA time zone as their account had it when the socket connected ("UTC"
    until they set one): the zone to show times such as `quota.*.resets_at` in."""


class Ready(_Frame):
    type: Literal["ready"] = "ready"
    protocol: str = PROTOCOL
    user: UserInfo
    quota: Quota | None = None


class Saved(_Frame):
    type: Literal["saved"] = "saved"
    reply_to: str | None
    kind: str
    item: dict[str, Any]
    undo: str | None = None
    quota: Quota | None = None


class Reply(_Frame):
    type: Literal["reply"] = "reply"
    reply_to: str | None
    text: str
    data: dict[str, Any] | None = None


class Proposal(_Frame):
    type: Literal["proposal"] = "proposal"
    id: str
    reply_to: str | None
    kind: str
    item: dict[str, Any]


class StreamStart(_Frame):
    type: Literal["stream.start"] = "stream.start"
    stream: str
    reply_to: str | None
    model: str


class StreamDelta(_Frame):
    type: Literal["stream.delta"] = "stream.delta"
    stream: str
    seq: int
    text: str


class Usage(BaseModel):
    input_tokens: int
    output_tokens: int


class StreamEnd(_Frame):
    type: Literal["stream.end"] = "stream.end"
    stream: str
    seq: int
    reason: Literal["end", "stopped", "max_tokens", "error"]
    usage: Usage
    quota: Quota | None = None


class Error(_Frame):
    type: Literal["error"] = "error"
    reply_to: str | None = None
    code: str
    message: str
    retry_after_ms: int | None = None
    resets_at: datetime | None = None
    quota: Quota | None = None
    """On a `quota_exceeded` refusal: where the climber stands, as `saved` frames say it."""


class Pong(_Frame):
    type: Literal["pong"] = "pong"
    id: str | None = None


ServerFrame = (
    Ready | Saved | Reply | Proposal | StreamStart | StreamDelta | StreamEnd | Error | Pong
)


def encode(frame: ServerFrame) -> str:
    return frame.model_dump_json(exclude_none=True)
