"""The one streaming interface every model provider implements.

A provider turns a `Prompt` into an async generator of normalised events:

    TextDelta* ToolCall* [Usage] Stop

Text and tool calls may interleave; `Usage` (when the provider reports it) comes right before
`Stop`, and `Stop` is always the last event of a stream that did not raise. Failures raise
`ModelError`; nothing else escapes a provider except cancellation. Every `ModelError` message
is safe to log: it names the provider, the error code and status, never the prompt text, the
reply, or credentials.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

ErrorKind = Literal[
    "throttled",  # the provider refused for rate or quota reasons; try later
    "unavailable",  # the provider or the network is down, or the stream broke
    "timeout",  # no answer in time (connect, read, or the model itself)
    "bad_request",  # the request was refused as invalid (a bug, or a prompt too large)
    "access_denied",  # credentials or model access are missing (a deployment problem)
    "content_filtered",  # the provider's guardrail stopped the reply
    "internal",  # the provider failed, or sent something that could not be parsed
]

# Kinds where the same request may succeed a moment later.
RETRYABLE_KINDS: frozenset[ErrorKind] = frozenset({"throttled", "unavailable", "timeout"})


class ModelError(Exception):
    """A model call failed.

    `before_output` is True when no event had been yielded to the consumer yet (a caller may then
    fall back to another model without the climber seeing a half reply); `retryable` says whether
    the same request could succeed if sent again later.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        retryable: bool | None = None,
        before_output: bool,
    ) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind: ErrorKind = kind
        self.message = message
        self.retryable = kind in RETRYABLE_KINDS if retryable is None else retryable
        self.before_output = before_output

    def after_output(self) -> ModelError:
        """The same error, marked as raised after output had been yielded."""
        return ModelError(self.kind, self.message, retryable=self.retryable, before_output=False)

    def __repr__(self) -> str:
        return (
            f"ModelError({self.kind!r}, {self.message!r}, retryable={self.retryable}, "
            f"before_output={self.before_output})"
        )


StopReason = Literal["end", "max_tokens", "tool_use", "stop_sequence", "content_filtered"]


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the reply's text, in order; concatenating every delta gives the reply."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A complete tool call: yielded once its argument JSON has been fully assembled."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the provider reports them (estimated by the local models)."""

    input_tokens: int
    output_tokens: int
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Stop:
    """The stream ended normally, for `reason`."""

    reason: StopReason


Event = TextDelta | ToolCall | Usage | Stop


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Literal["user", "assistant"]
    content: str


class ToolSpec(BaseModel):
    """A tool the model may call; `input_schema` is a JSON schema object."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-zA-Z0-9_-]{1,64}$")
    description: str
    input_schema: dict[str, Any]


class Prompt(BaseModel):
    """Everything a model needs for one reply.

    `facts` carries the structured data the prompt text was rendered from (computed analytics,
    intent, …). Remote providers ignore it; a provider that composes its reply locally (the
    offline analyst) reads it instead of parsing text back out of `system`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    system: str
    messages: list[Message] = Field(min_length=1)
    tools: list[ToolSpec] = Field(default_factory=list)
    max_tokens: int = Field(gt=0)
    temperature: float | None = Field(default=None, ge=0, le=2)
    facts: dict[str, Any] = Field(default_factory=dict)


class Model(Protocol):
    """A model provider.

    `stream` is an async generator. Contract for every implementation:
    - it yields events as they arrive, never buffering the whole reply;
    - closing it (`aclose()`, or leaving `async with contextlib.aclosing(...)`) or cancelling the
      task consuming it releases the upstream call (HTTP response, event stream) on every path;
    - failures raise `ModelError`, with `before_output=True` only if nothing was yielded yet.
    """

    @property
    def name(self) -> str:
        """What answered, for `stream.start` and logs (e.g. the Bedrock model id)."""
        ...

    @property
    def supports_tools(self) -> bool:
        """Whether `Prompt.tools` are offered to the model (False: the tools are ignored)."""
        ...

    def stream(self, prompt: Prompt) -> AsyncGenerator[Event, None]: ...


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters a token) for providers that report none."""
    return max(1, (len(text) + 3) // 4) if text else 0


def prompt_tokens(prompt: Prompt) -> int:
    """`estimate_tokens` over everything the prompt sends."""
    return estimate_tokens(prompt.system) + sum(
        estimate_tokens(message.content) for message in prompt.messages
    )
