"""Bedrock `converse_stream`: building the request, turning its events into `core.model` events,
and normalising every error (raised before the stream, or arriving inside it) to `ModelError`.

Pure functions and a small state machine: no I/O here, so `llm.bedrock` stays about the client.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aiohttp
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

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
    "end_turn": "end",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "guardrail_intervened": "content_filtered",
    "content_filtered": "content_filtered",
    # The conversation no longer fits: to the climber it reads like a reply cut short.
    "model_context_window_exceeded": "max_tokens",
}

# Error codes, lower-cased: pre-stream errors are `ThrottlingException`, in-stream exception
# events `throttlingException`.
_ERROR_KINDS: dict[str, ErrorKind] = {
    "throttlingexception": "throttled",
    "servicequotaexceededexception": "throttled",
    "toomanyrequestsexception": "throttled",
    "serviceunavailableexception": "unavailable",
    "modelnotreadyexception": "unavailable",
    "modelstreamerrorexception": "unavailable",
    "modeltimeoutexception": "timeout",
    "validationexception": "bad_request",
    "resourcenotfoundexception": "bad_request",
    "accessdeniedexception": "access_denied",
    "unrecognizedclientexception": "access_denied",
    "expiredtokenexception": "access_denied",
    "invalidsignatureexception": "access_denied",
    "internalserverexception": "internal",
    "modelerrorexception": "internal",
}

# Kinds whose service message may quote the request (and so the climber's words): not logged.
_QUIET_KINDS: frozenset[ErrorKind] = frozenset({"bad_request", "content_filtered"})


def build_request(
    model_id: str, prompt: Prompt, *, max_tokens: int, cache: bool, tools: bool
) -> dict[str, Any]:
    """The `converse_stream` keyword arguments for `prompt`.

    `maxTokens` is always set (the smaller of the prompt's and the URL's cap). The system prompt
    is followed by a `cachePoint` so the long, stable prefix is cached between turns.
    Consecutive messages of one role are merged: Converse requires alternating roles.
    """
    messages: list[dict[str, Any]] = []
    for message in prompt.messages:
        if messages and messages[-1]["role"] == message.role:
            messages[-1]["content"][0]["text"] += "\n\n" + message.content
        else:
            messages.append({"role": message.role, "content": [{"text": message.content}]})
    inference: dict[str, Any] = {"maxTokens": min(prompt.max_tokens, max_tokens)}
    if prompt.temperature is not None:
        inference["temperature"] = prompt.temperature
    request: dict[str, Any] = {
        "modelId": model_id,
        "messages": messages,
        "inferenceConfig": inference,
    }
    if prompt.system:
        system: list[dict[str, Any]] = [{"text": prompt.system}]
        if cache:
            system.append({"cachePoint": {"type": "default"}})
        request["system"] = system
    if tools and prompt.tools:
        request["toolConfig"] = {
            "tools": [
                {
                    "toolSpec": {
                        "name": tool.name,
                        "description": tool.description,
                        "inputSchema": {"json": tool.input_schema},
                    }
                }
                for tool in prompt.tools
            ]
        }
    return request


class StreamAssembler:
    """Turns `converse_stream` events into `core.model` events, in order.

    Tool-use input arrives as JSON fragments over several deltas; the `ToolCall` is emitted at
    the block's `contentBlockStop`. `messageStop` and `metadata` are held so that `finish()`
    emits `Usage` then `Stop` last.
    """

    def __init__(self) -> None:
        self._tools: dict[int, tuple[str, str, list[str]]] = {}
        self._stop: StopReason | None = None
        self._usage: Usage | None = None

    def feed(self, event: Mapping[str, Any]) -> Event | None:
        """The event `event` produces, if any. Raises `ModelError(internal)` for a tool call
        whose assembled input is not a JSON object."""
        if "contentBlockDelta" in event:
            body = event["contentBlockDelta"]
            delta = body.get("delta", {})
            if "text" in delta:
                return TextDelta(delta["text"]) if delta["text"] else None
            if "toolUse" in delta:
                tool = self._tools.get(body.get("contentBlockIndex", 0))
                if tool is not None:
                    tool[2].append(delta["toolUse"].get("input", ""))
            return None  # reasoning and citation deltas are not part of the reply
        if "contentBlockStart" in event:
            body = event["contentBlockStart"]
            start = body.get("start", {}).get("toolUse")
            if start is not None:
                index = body.get("contentBlockIndex", 0)
                self._tools[index] = (start["toolUseId"], start["name"], [])
            return None
        if "contentBlockStop" in event:
            tool = self._tools.pop(event["contentBlockStop"].get("contentBlockIndex", 0), None)
            return None if tool is None else _tool_call(*tool)
        if "messageStop" in event:
            reason = event["messageStop"].get("stopReason", "end_turn")
            self._stop = _STOP_REASONS.get(reason, "end")
            return None
        if "metadata" in event:
            usage = event["metadata"].get("usage", {})
            self._usage = Usage(
                input_tokens=usage.get("inputTokens", 0),
                output_tokens=usage.get("outputTokens", 0),
                cache_read_tokens=usage.get("cacheReadInputTokens"),
                cache_write_tokens=usage.get("cacheWriteInputTokens"),
            )
        return None

    def finish(self) -> list[Event]:
        """The closing events, once the stream has ended. Raises `ModelError(unavailable)` if
        the stream ended without `messageStop` (the connection was cut)."""
        if self._stop is None:
            raise ModelError(
                "unavailable", "bedrock stream ended before messageStop", before_output=False
            )
        closing: list[Event] = [] if self._usage is None else [self._usage]
        closing.append(Stop(self._stop))
        return closing


def _tool_call(tool_id: str, name: str, fragments: list[str]) -> ToolCall:
    text = "".join(fragments).strip() or "{}"
    try:
        arguments = json.loads(text)
    except ValueError:
        arguments = None
    if not isinstance(arguments, dict):
        raise ModelError(
            "internal", f"bedrock tool call {name} has invalid input JSON", before_output=False
        )
    return ToolCall(id=tool_id, name=name, arguments=arguments)


def normalise(error: BaseException, *, before_output: bool) -> ModelError:
    """`error`, raised by the client or while reading the stream, as a `ModelError`."""
    if isinstance(error, ModelError):
        return error if before_output or not error.before_output else error.after_output()
    if isinstance(error, ClientError):
        return _client_error(error, before_output=before_output)
    kind: ErrorKind
    if isinstance(error, ConnectTimeoutError | ReadTimeoutError | TimeoutError):
        kind = "timeout"
    elif isinstance(
        error, EndpointConnectionError | ConnectionClosedError | aiohttp.ClientError | OSError
    ):
        kind = "unavailable"
    elif isinstance(error, NoCredentialsError):
        kind = "access_denied"
    else:  # botocore's ParserError (a corrupt frame, a CRC mismatch) among others
        kind = "internal"
    return ModelError(kind, f"bedrock {type(error).__name__}", before_output=before_output)


def _client_error(error: ClientError, *, before_output: bool) -> ModelError:
    details = error.response.get("Error", {})
    code = str(details.get("Code", "")) or "UnknownError"
    metadata = error.response.get("ResponseMetadata", {})
    status = int(metadata.get("HTTPStatusCode", 0) or 0)
    kind = _ERROR_KINDS.get(code.lower())
    if kind is None:
        kind = (
            "throttled"
            if status == 429
            else "unavailable"
            if status >= 500
            else "bad_request"
            if 400 <= status < 500
            else "internal"
        )
    parts = [f"bedrock {code}"]
    if status:
        parts.append(f"HTTP {status}")
    if metadata.get("RequestId"):
        parts.append(f"request {metadata['RequestId']}")
    message = ", ".join(parts)
    service_message = str(details.get("Message", ""))
    if service_message and kind not in _QUIET_KINDS:
        message += f": {service_message[:160]}"
    return ModelError(kind, message, before_output=before_output)
