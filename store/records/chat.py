"""A chat message: one turn of the conversation, possibly still streaming."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from store.records.base import Record
from store.records.common import Stored, UtcDateTime, new_id

MAX_MESSAGE_CHARS = 100_000


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
    arrives in a `say` frame). `contextUsed` is a summary of what the coach was shown."""

    role: Role
    content: Annotated[str, Field(max_length=MAX_MESSAGE_CHARS)]
    context_used: dict[str, Any] | None = None
    usage: TokenUsage | None = None
    stream_id: Annotated[str, Field(max_length=100)] | None = None
    partial: bool = False


class ChatMessage(ChatMessageIn, Stored):
    """A stored message; `ts` (UTC) orders the conversation and is part of its key."""

    id: str = Field(default_factory=new_id)
    ts: UtcDateTime
