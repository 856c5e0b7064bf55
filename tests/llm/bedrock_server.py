"""A loopback stand-in for Bedrock Runtime's `converse-stream` that speaks AWS's event-stream
wire format (application/vnd.amazon.eventstream), for the real aioboto3 client.

Each request takes the next scripted reply: an `ErrorReply` (a JSON error response, as Bedrock
sends before a stream starts) or a `StreamReply` whose pieces are written as separate HTTP chunks
(so a test can split frames anywhere), optionally held open until the client goes away.
"""

from __future__ import annotations

import asyncio
import binascii
import json
import socket
import struct
from collections import deque
from dataclasses import dataclass, field
from typing import Any

_STRING = 7  # the event-stream header value type "string"


def encode_headers(headers: dict[str, str]) -> bytes:
    out = bytearray()
    for name, value in headers.items():
        raw_name, raw_value = name.encode(), value.encode()
        out += struct.pack("!B", len(raw_name)) + raw_name
        out += struct.pack("!BH", _STRING, len(raw_value)) + raw_value
    return bytes(out)


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message: prelude (total length, headers length, prelude CRC32), headers,
    payload, and the CRC32 of everything before it."""
    raw_headers = encode_headers(headers)
    total = 12 + len(raw_headers) + len(payload) + 4
    prelude = struct.pack("!II", total, len(raw_headers))
    prelude += struct.pack("!I", binascii.crc32(prelude) & 0xFFFFFFFF)
    body = prelude + raw_headers + payload
    return body + struct.pack("!I", binascii.crc32(body) & 0xFFFFFFFF)


def event(event_type: str, payload: dict[str, Any]) -> bytes:
    return encode_message(
        {
            ":event-type": event_type,
            ":content-type": "application/json",
            ":message-type": "event",
        },
        json.dumps({**payload, "p": "abcdefgh"}).encode(),
    )


def exception(exception_type: str, message: str) -> bytes:
    return encode_message(
        {
            ":exception-type": exception_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps({"message": message}).encode(),
    )


def text_deltas(texts: list[str], index: int = 0) -> list[bytes]:
    return [
        event("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": text}})
        for text in texts
    ]


def ending(
    stop_reason: str = "end_turn", *, usage: dict[str, int] | None = None, index: int = 0
) -> list[bytes]:
    frames = [
        event("contentBlockStop", {"contentBlockIndex": index}),
        event("messageStop", {"stopReason": stop_reason}),
    ]
    if usage is not None:
        frames.append(event("metadata", {"usage": usage, "metrics": {"latencyMs": 12}}))
    return frames


def text_reply(texts: list[str], *, usage: dict[str, int] | None = None) -> list[bytes]:
    """The frames of a plain text answer."""
    start = [event("messageStart", {"role": "assistant"})]
    return start + text_deltas(texts) + ending(usage=usage)


@dataclass
class StreamReply:
    """Pieces are written in order as separate HTTP chunks; a float is a pause in seconds.
    With `hold`, the response stays open after the pieces until the client closes it, and
    `released` is set when it does."""

    pieces: list[bytes | float]
    hold: bool = False
    released: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class ErrorReply:
    status: int
    error_type: str
    message: str = "Too many requests, please wait before trying again."
    in_body: bool = False  # `__type` in the JSON body instead of the x-amzn-ErrorType header


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class BedrockServer:
    def __init__(self) -> None:
        self.replies: deque[StreamReply | ErrorReply] = deque()
        self.received: list[Received] = []
        self.connections = 0  # TCP connections accepted so far
        self._server: asyncio.Server | None = None
        self.url = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

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
                if "authorization" not in request.headers:
                    await _write_error(writer, ErrorReply(403, "AccessDeniedException", "unsigned"))
                    continue
                reply = self.replies.popleft() if self.replies else ErrorReply(500, "NoReply")
                if isinstance(reply, ErrorReply):
                    await _write_error(writer, reply)
                else:
                    await _write_stream(reader, writer, reply)
                    if reply.hold:
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


async def _write_error(writer: asyncio.StreamWriter, reply: ErrorReply) -> None:
    body: dict[str, str] = {"message": reply.message}
    extra = ""
    if reply.in_body:
        body["__type"] = reply.error_type
    else:
        extra = f"x-amzn-ErrorType: {reply.error_type}:http://internal.amazon.com/coral/\r\n"
    raw = json.dumps(body).encode()
    writer.write(
        f"HTTP/1.1 {reply.status} Error\r\nContent-Type: application/json\r\n"
        f"x-amzn-RequestId: req-{reply.status}\r\n{extra}"
        f"Content-Length: {len(raw)}\r\n\r\n".encode()
        + raw
    )
    await writer.drain()


async def _write_stream(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, reply: StreamReply
) -> None:
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\n"
        b"x-amzn-RequestId: req-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    try:
        for piece in reply.pieces:
            if isinstance(piece, float):
                await asyncio.sleep(piece)
                continue
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
        if reply.hold:
            # The client sends nothing more on this connection: EOF means it went away.
            await reader.read()
            return
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    finally:
        if reply.hold:
            reply.released.set()
