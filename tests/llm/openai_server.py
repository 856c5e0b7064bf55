"""A loopback OpenAI-compatible `/v1/chat/completions` endpoint that streams server-sent events
the way Ollama and vLLM do, with scripted replies: SSE pieces written as separate HTTP chunks
(pauses between them, a connection reset at the end, or held open until the client leaves), or
an HTTP error response."""

from __future__ import annotations

import asyncio
import json
import socket
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tests.llm.bedrock_server import Received


def sse(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n".encode()


def chunk(
    content: str | None = None,
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    finish: str | None = None,
) -> bytes:
    delta: dict[str, Any] = {}
    if content is not None:
        delta["content"] = content
    if tool_calls is not None:
        delta["tool_calls"] = tool_calls
    return sse(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "model": "llama3.1:8b",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
    )


def usage(prompt_tokens: int, completion_tokens: int, cached: int | None = None) -> bytes:
    body: dict[str, Any] = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
    if cached is not None:
        body["prompt_tokens_details"] = {"cached_tokens": cached}
    return sse(
        {"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": [], "usage": body}
    )


DONE = sse("[DONE]")


@dataclass
class SSEReply:
    pieces: list[bytes | float]
    hold: bool = False  # stay open after the pieces until the client leaves
    reset: bool = False  # abort the connection after the pieces (no end of body)
    released: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class HTTPErrorReply:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


class OpenAIServer:
    def __init__(self) -> None:
        self.replies: deque[SSEReply | HTTPErrorReply] = deque()
        self.received: list[Received] = []
        self.connections = 0  # TCP connections accepted so far
        self._server: asyncio.Server | None = None
        self.host = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.host = f"127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while (request := await _read_request(reader)) is not None:
                self.received.append(request)
                reply = self.replies.popleft() if self.replies else HTTPErrorReply(500)
                if isinstance(reply, HTTPErrorReply):
                    raw = json.dumps(reply.body).encode()
                    writer.write(
                        f"HTTP/1.1 {reply.status} Error\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(raw)}\r\n\r\n".encode()
                        + raw
                    )
                    await writer.drain()
                    continue
                if not await _write_sse(reader, writer, reply):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Received | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    raw = await reader.readexactly(int(headers.get("content-length", "0")))
    return Received(method, path, headers, json.loads(raw) if raw else {})


async def _write_sse(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, reply: SSEReply
) -> bool:
    """Write the reply; False when the connection is no longer usable."""
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    try:
        for piece in reply.pieces:
            if isinstance(piece, float):
                await asyncio.sleep(piece)
                continue
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
        if reply.reset:
            writer.transport.abort()
            return False
        if reply.hold:
            await reader.read()
            return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True
    finally:
        reply.released.set()
