"""A chat message: one turn of the conversation, possibly still streaming, or a frame (a reply,
a card) the climber was shown in a turn, kept so every device can replay the conversation."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from store.records.base import Record
from store.records.common import Stored, UtcDateTime, new_id

MAX_MESSAGE_CHARS = 100_000

REPLAYED_FRAMES = ("reply", "saved", "proposal")
"""The frames chat history keeps (protocol `v7.chat.v1`): command output, cards, proposals."""

EndReason = Literal["end", "stopped", "max_tokens", "error"]


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class TokenUsage(Record):
    model: Annotated[str, Field(min_length=1, max_length=200)]
    input_tokens: Annotated[int, Field(ge=0)] = 0
    output_tokens: Annotated[int, Field(ge=0)] = 0


class ChatMessageIn(Record):
    """A message as the server composes it (clients never write these directly: their text
    arrives in a `say` frame). `contextUsed` is a summary of what the coach was shown.

    Three kinds, one conversation: words between the climber and the coach (neither `command`
    nor `frame`), the climber's slash commands (`command`), and the frames a turn showed the
    climber (`frame`). Only the first kind is ever shown to a model."""

    role: Role
    content: Annotated[str, Field(max_length=MAX_MESSAGE_CHARS)]
    context_used: dict[str, Any] | None = None
    usage: TokenUsage | None = None
    stream_id: Annotated[str, Field(max_length=100)] | None = None
    partial: bool = False
    say_id: Annotated[str, Field(max_length=64)] | None = Field(
        default=None,
        description="the id of the climber's `say` frame: on their message, and on the "
        "coach's reply to it",
    )
    command: bool = Field(
        default=False, description="the climber's message is a slash command, e.g. `/log …`"
    )
    frame: dict[str, Any] | None = Field(
        default=None,
        description="a frame the climber was shown in this turn (`reply`, `saved` or "
        "`proposal`, protocol v7.chat.v1) as it was sent, less its `quota` snapshot and a "
        "reply's `data`; clients replay it as they render a live one",
    )
    end_reason: EndReason | None = Field(
        default=None, description="how a streamed reply ended (as its `stream.end` said)"
    )

    @field_validator("frame")
    @classmethod
    def _a_replayed_frame(cls, frame: dict[str, Any] | None) -> dict[str, Any] | None:
        if frame is not None and frame.get("type") not in REPLAYED_FRAMES:
            raise ValueError(f"a stored frame is one of {', '.join(REPLAYED_FRAMES)}")
        return frame

    @property
    def spoken(self) -> bool:
        """Words between the climber and the coach: not a command, not a frame."""
        return self.frame is None and not self.command


class ChatMessage(ChatMessageIn, Stored):
    """A stored message; `ts` (UTC) orders the conversation and is part of its key."""

    id: str = Field(default_factory=new_id)
    ts: UtcDateTime
