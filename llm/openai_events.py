"""OpenAI-compatible chat completions: building the streamed request, reading its server-sent
events, assembling tool calls from their deltas, and normalising HTTP errors. No I/O here."""

from __future__ import annotations

import json
from typing import Any

from core.model import (
    ErrorKind,
    Event,
    ModelError,
    Prompt,
    Stop,
    StopReason,
    TextDelta,
    ToolCall,
    Usage,
)

_STOP_REASONS: dict[str, StopReason] = {
    "stop": "end",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filtered",
}


def build_body(model: str, prompt: Prompt, *, max_tokens: int, tools: bool) -> dict[str, Any]:
    """The JSON body: streamed, usage requested, `max_tokens` always set."""
    messages: list[dict[str, str]] = []
    if prompt.system:
        messages.append({"role": "system", "content": prompt.system})
    messages += [{"role": m.role, "content": m.content} for m in prompt.messages]
    body: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": min(prompt.max_tokens, max_tokens),
    }
    if prompt.temperature is not None:
        body["temperature"] = prompt.temperature
    if tools and prompt.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.input_schema,
                },
            }
            for tool in prompt.tools
        ]
    return body


class SSEReader:
    """Splits server-sent-event lines into the `data` of each event (multi-line data joined
    with newlines; comments and other fields ignored)."""

    def __init__(self) -> None:
        self._data: list[str] = []

    def line(self, line: str) -> str | None:
        """Feed one line (without its line ending); returns an event's data when one ends."""
        if not line:
            return self.flush()
        if line.startswith(":"):
            return None
        field, _, value = line.partition(":")
        if field == "data":
            self._data.append(value[1:] if value.startswith(" ") else value)
        return None

    def flush(self) -> str | None:
        """The pending event's data, if any (a stream may end without a final blank line)."""
        if not self._data:
            return None
        data = "\n".join(self._data)
        self._data.clear()
        return data


class ChunkAssembler:
    """Turns `chat.completion.chunk` objects into events. Tool calls are assembled per `index`
    from their fragments and emitted when the choice's `finish_reason` arrives; `Usage` and
    `Stop` are emitted by `finish()`."""

    def __init__(self) -> None:
        self._tools: dict[int, dict[str, Any]] = {}
        self._stop: StopReason | None = None
        self._usage: Usage | None = None
        self.done = False

    def feed(self, data: str) -> list[Event]:
        """Events for one SSE `data` payload. Raises `ModelError` (`internal` for data that is
        not a chunk, or the kind of an error object sent inside the stream)."""
        if data.strip() == "[DONE]":
            self.done = True
            return []
        try:
            chunk = json.loads(data)
        except ValueError:
            raise ModelError(
                "internal", "openai stream sent malformed data", before_output=False
            ) from None
        if not isinstance(chunk, dict):
            raise ModelError(
                "internal", "openai stream sent a non-object chunk", before_output=False
            )
        if "error" in chunk:
            raise _stream_error(chunk["error"])
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            details = usage.get("prompt_tokens_details") or {}
            self._usage = Usage(
                input_tokens=int(usage.get("prompt_tokens") or 0),
                output_tokens=int(usage.get("completion_tokens") or 0),
                cache_read_tokens=details.get("cached_tokens"),
            )
        events: list[Event] = []
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue  # one reply was asked for
            delta = choice.get("delta") or {}
            if delta.get("content"):
                events.append(TextDelta(delta["content"]))
            for fragment in delta.get("tool_calls") or []:
                self._tool_fragment(fragment)
            reason = choice.get("finish_reason")
            if reason:
                self._stop = _STOP_REASONS.get(reason, "end")
                events += self._tool_calls()
        return events

    def finish(self) -> list[Event]:
        """The closing events. Raises `ModelError(unavailable)` if no choice finished (the
        stream was cut)."""
        if self._stop is None:
            raise ModelError(
                "unavailable", "openai stream ended before a finish_reason", before_output=False
            )
        closing: list[Event] = [] if self._usage is None else [self._usage]
        closing.append(Stop(self._stop))
        return closing

    def _tool_fragment(self, fragment: dict[str, Any]) -> None:
        tool = self._tools.setdefault(
            int(fragment.get("index", 0)), {"id": "", "name": "", "arguments": []}
        )
        if fragment.get("id"):
            tool["id"] = fragment["id"]
        function = fragment.get("function") or {}
        if function.get("name"):
            tool["name"] += function["name"]
        if function.get("arguments"):
            tool["arguments"].append(function["arguments"])

    def _tool_calls(self) -> list[Event]:
        calls: list[Event] = []
        for index in sorted(self._tools):
            tool = self._tools[index]
            text = "".join(tool["arguments"]).strip() or "{}"
            try:
                arguments = json.loads(text)
            except ValueError:
                arguments = None
            if not isinstance(arguments, dict) or not tool["name"]:
                raise ModelError(
                    "internal", "openai tool call has invalid arguments", before_output=False
                )
            calls.append(
                ToolCall(id=tool["id"] or f"call-{index}", name=tool["name"], arguments=arguments)
            )
        self._tools.clear()
        return calls


def _stream_error(error: object) -> ModelError:
    code = ""
    if isinstance(error, dict):
        code = str(error.get("type") or error.get("code") or "")
    kind: ErrorKind = "throttled" if "rate" in code.lower() else "internal"
    return ModelError(kind, f"openai stream error {code or 'unknown'}", before_output=False)


def http_error(status: int, body: bytes) -> ModelError:
    """A non-200 response as a `ModelError` (raised before any output). The error's `type` or
    `code` is kept, its message is not: servers echo the request in it."""
    kind: ErrorKind
    if status == 429:
        kind = "throttled"
    elif status == 408:
        kind = "timeout"
    elif status in (401, 403):
        kind = "access_denied"
    elif status in (502, 503, 504):
        kind = "unavailable"
    elif 400 <= status < 500:
        kind = "bad_request"
    else:
        kind = "internal"
    code = ""
    try:
        parsed = json.loads(body)
        error = parsed.get("error") if isinstance(parsed, dict) else None
        if isinstance(error, dict):
            code = str(error.get("type") or error.get("code") or "")
    except ValueError:
        pass
    message = f"openai HTTP {status}" + (f" {code}" if code else "")
    return ModelError(kind, message, before_output=True)
