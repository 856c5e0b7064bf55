"""The limits a request meets before any work is done for it, in one place.

Connection level (enforced by the HTTP protocol, `server.protocols`, before the app sees the
request):

* a request line and headers (a REST request or a WebSocket upgrade) must arrive within
  `header_timeout_s` of the connection opening or, on a kept-alive connection, of the next
  request's first byte; else the connection closes (408 if part of a request came);
* they may take at most `max_header_bytes` and `max_headers` header fields; else 431 and the
  connection closes.

Request level (`BodyLimit`, ASGI middleware in front of every route): a body over
`max_body_bytes` is refused with 413 before it is read — at once when its `Content-Length`
says so, else as soon as the bytes streamed in (chunked) pass the limit — and the connection
closes. What a body may hold once read (JSON nesting) is `core.untrusted_json`'s rule; WebSocket
frames are bounded by `server.run.MAX_FRAME_BYTES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import ApiError, error_body, map_error
from server.settings import Settings

CLOSE = {"Connection": "close"}
"""A refused request's body may still be arriving: the connection is closed, not reused."""


@dataclass(frozen=True)
class ConnectionLimits:
    """What a connection may send before its request reaches the app (`server.protocols`)."""

    header_timeout_s: float
    max_header_bytes: int
    max_headers: int

    @classmethod
    def of(cls, settings: Settings) -> ConnectionLimits:
        return cls(settings.header_timeout_seconds, settings.max_header_bytes, settings.max_headers)


def body_too_large(max_bytes: int) -> ApiError:
    return ApiError(
        413, "too_large", f"Request bodies are limited to {max_bytes} bytes", headers=CLOSE
    )


class BodyLimit:
    """Refuses HTTP request bodies over `max_bytes` with 413 `too_large` (see the module doc).

    A declared `Content-Length` over the limit is answered here without calling the app (so
    before authentication too). Otherwise the app's `receive` counts the bytes; the message
    that passes the limit raises `ApiError` instead of being returned, which the app's error
    handlers answer like any other refusal."""

    def __init__(self, app: ASGIApp, max_bytes: int, own_limit: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.own_limit = own_limit
        """Paths whose route enforces its own body limit before reading (media uploads)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.own_limit:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            mapped = map_error(body_too_large(self.max_bytes))
            response = JSONResponse(error_body(mapped), mapped.status, headers=mapped.headers)
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise body_too_large(self.max_bytes)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            # The HTTP parser has already refused a malformed or repeated one.
            return int(value) if value.isdigit() else None
    return None
