"""ASGI middleware: a correlation id for every request and connection, and one access line."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.logs import correlation_id

log = logging.getLogger("v7.access")

# A client may pass its own id to correlate logs; anything else is replaced, so a hostile
# header cannot inject into the logs.
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        cid = given if _CLIENT_ID.match(given) else uuid.uuid4().hex[:16]
        token = correlation_id.set(cid)
        scope.setdefault("state", {})["correlation_id"] = cid
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", cid.encode())]
            await send(message)

        try:
            # A socket has no status line to add the id to, and wrapping its `send` would cost
            # a call per streamed frame.
            await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
        finally:
            if scope["type"] == "http":
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],  # never the query string
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            correlation_id.reset(token)
