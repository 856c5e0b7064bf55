"""A chat message: one turn of the conversation, possibly still streaming, or a frame (a reply,
a card) the climber was shown in a turn, kept so every device can replay the conversation."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from store.records.base import SEED_NAMES, Record
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
        return None if frame is None else with_seed_names(frame)

    @property
    def spoken(self) -> bool:
        """Words between the climber and the coach: not a command, not a frame."""
        return self.frame is None and not self.command


class ChatMessage(ChatMessageIn, Stored):
    """A stored message; `ts` (UTC) orders the conversation and is part of its key."""

    id: str = Field(default_factory=new_id)
    ts: UtcDateTime


_EARLIER_NAMES = {earlier: names[0] for names in SEED_NAMES.values() for earlier in names[1:]}
_EVERYWHERE = {
    earlier: seed
    for earlier, seed in _EARLIER_NAMES.items()
    if earlier not in ("setting", "system")
}
"""Earlier names that mean one field wherever they appear (`durationMinutes`, `weightKg`, …);
`setting` and `system` are renamed only where they were a session's or a send's."""


def with_seed_names(frame: dict[str, Any]) -> dict[str, Any]:
    """A frame kept in chat history as it was sent, with the item it carries under the seed's
    names: frames stored before the wire used them (`durationMinutes`, a session's `setting`, a
    send's `system`) replay as a client of today reads them. A frame already so is unchanged."""
    item = frame.get("item")
    if not isinstance(item, dict):
        return frame
    renamed = _renamed(item)
    kind = frame.get("kind")
    if kind in ("session", "send") and "setting" in renamed and "type" not in renamed:
        renamed["type"] = renamed.pop("setting")
    if kind == "send" and "system" in renamed and "gradeType" not in renamed:
        renamed["gradeType"] = renamed.pop("system")
    return {**frame, "item": renamed}


def _renamed(value: Any) -> Any:
    if isinstance(value, dict):
        return {_EVERYWHERE.get(key, key): _renamed(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_renamed(inner) for inner in value]
    return value
