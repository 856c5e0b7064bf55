"""`scripted://`: a model with fixed timing and deterministic text, for tests and benchmarks.

    scripted://?ttft_ms=200&tokens_per_s=50&tokens=300&text=…&fail=before|after:N&kind=…
               &tool=NAME&args=JSON&name=…

It waits `ttft_ms`, then yields `tokens` word tokens of `text` (repeated as needed) at
`tokens_per_s` (0: as fast as the loop allows), then `Usage` and `Stop("end")`. Fewer tokens are
sent when the prompt's `max_tokens` is smaller (then `Stop("max_tokens")`). `fail=before` raises
`ModelError(kind)` after the first-token wait; `fail=after:N` raises it after N tokens. `tool=`
adds a `ToolCall` with the JSON object `args` after the text and stops with `tool_use`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast, get_args

from core.model import (
    ErrorKind,
    Event,
    Model,
    ModelError,
    Prompt,
    Stop,
    ToolCall,
    Usage,
    prompt_tokens,
)
from core.model_url import ModelURL, ModelURLError
from core.pacing import paced, repeated_words
from llm import Provider

DEFAULT_TEXT = (
    "Keep the volume steady this week and rest a full day after the hard bouldering session. "
    "Your fingers recover slower than your muscles, so hold off on max hangs until the soreness "
    "has gone."
)


@dataclass(frozen=True, slots=True)
class ScriptedModel:
    """Implements `core.model.Model`; holds no resources."""

    ttft: float = 0.2
    tokens_per_s: float = 50.0
    tokens: int = 300
    text: str = DEFAULT_TEXT
    fail_after: int | None = None  # None: never; -1: before the first token
    fail_kind: ErrorKind = "unavailable"
    tool: ToolCall | None = None
    name: str = "scripted"
    supports_tools: bool = True

    async def stream(self, prompt: Prompt) -> AsyncGenerator[Event, None]:
        count = min(self.tokens, prompt.max_tokens)
        if self.fail_after == -1:
            await asyncio.sleep(self.ttft)
            raise ModelError(self.fail_kind, "scripted failure", before_output=True)
        sent = 0
        deltas = paced(
            repeated_words(self.text, count), first_delay=self.ttft, tokens_per_s=self.tokens_per_s
        )
        async with aclosing(deltas):
            async for delta in deltas:
                if sent == self.fail_after:
                    raise ModelError(self.fail_kind, "scripted failure", before_output=sent == 0)
                yield delta
                sent += 1
        if sent == self.fail_after:
            raise ModelError(self.fail_kind, "scripted failure", before_output=sent == 0)
        if self.tool is not None and prompt.tools:
            yield self.tool
        yield Usage(input_tokens=prompt_tokens(prompt), output_tokens=sent)
        if self.tool is not None and prompt.tools:
            yield Stop("tool_use")
        else:
            yield Stop("max_tokens" if count < self.tokens else "end")


def parse_scripted(url: ModelURL) -> ScriptedModel:
    """Raises `ModelURLError` for malformed options."""
    url.refuse_target()
    fail = url.text("fail", "")
    fail_after: int | None = None
    if fail == "before":
        fail_after = -1
    elif fail.startswith("after:") and fail[6:].isdigit():
        fail_after = int(fail[6:])
    elif fail:
        raise ModelURLError("scripted:// fail must be 'before' or 'after:N'")
    kind = url.text("kind", "unavailable")
    if kind not in get_args(ErrorKind):
        raise ModelURLError(f"scripted:// kind must be one of {', '.join(get_args(ErrorKind))}")
    tool: ToolCall | None = None
    tool_name = url.optional("tool")
    raw_args = url.text("args", "{}")
    if tool_name:
        try:
            arguments = json.loads(raw_args)
        except ValueError:
            raise ModelURLError("scripted:// args must be a JSON object") from None
        if not isinstance(arguments, dict):
            raise ModelURLError("scripted:// args must be a JSON object")
        tool = ToolCall(
            id="scripted-tool-1", name=tool_name, arguments=cast(dict[str, Any], arguments)
        )
    model = ScriptedModel(
        ttft=url.number("ttft_ms", 200) / 1000,
        tokens_per_s=url.number("tokens_per_s", 50),
        tokens=url.integer("tokens", 300),
        text=url.text("text", DEFAULT_TEXT) or DEFAULT_TEXT,
        fail_after=fail_after,
        fail_kind=cast(ErrorKind, kind),
        tool=tool,
        name=url.text("name", "scripted"),
    )
    url.check_all_read()
    return model


@asynccontextmanager
async def open_scripted(url: ModelURL) -> AsyncIterator[Model]:
    yield parse_scripted(url)


PROVIDER = Provider(check=parse_scripted, open=open_scripted)
