"""Two live server processes' worth of app (two uvicorn servers, each with its own event loop)
sharing one real redis-server over TCP and one SQLite store, as ECS tasks share ElastiCache and
DynamoDB. Both use the same data dir, so the local signing key (and so every token) is valid
on both; with a `redis://` URL neither starts an embedded Redis there."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from server.services import Services
from tests.redis_servers import TcpRedis, free_port
from tests.server.live import ORIGIN, LiveServer, live_server

PROTOCOL = "v7.chat.v1"
Frame = dict[str, Any]


@dataclass
class Pair:
    a: LiveServer
    b: LiveServer
    redis: TcpRedis


@contextmanager
def server_pair(
    directory: Path, *, model: str = "analyst://", **overrides: object
) -> Iterator[Pair]:
    """Two live servers on one Redis and one store; `overrides` are more settings of both."""
    redis = TcpRedis(free_port(), directory / "redis")
    redis.directory.mkdir()
    redis.start()
    data_dir = directory / "data"
    settings: dict[str, Any] = {"redis_url": redis.url, "model": model, **overrides}
    try:
        with (
            live_server(data_dir, **settings) as a,
            live_server(data_dir, **settings) as b,
        ):
            yield Pair(a, b, redis)
    finally:
        redis.kill()


def services_of(server: LiveServer) -> Services:
    """The running app's services (the test runs in another thread: read-only use, or
    attribute swaps made before the frames that use them are sent)."""
    app = server.server.config.app
    assert isinstance(app, Starlette)
    services: Services = app.state.services
    return services


def _connect(server: LiveServer, headers: dict[str, str]) -> connect:
    return connect(
        server.ws_url,
        subprotocols=[Subprotocol(PROTOCOL)],
        origin=Origin(ORIGIN),
        additional_headers=headers,
        open_timeout=10,
    )


async def user_id_of(server: LiveServer, headers: dict[str, str]) -> str:
    """The user id the server sees behind `headers` (from a `ready` frame)."""
    async with _connect(server, headers) as socket:
        user_id: str = (await receive(socket))["user"]["id"]
    return user_id


@asynccontextmanager
async def chat(server: LiveServer, headers: dict[str, str]) -> AsyncIterator[ClientConnection]:
    """A socket on `server` whose `ready` frame has been read."""
    async with _connect(server, headers) as socket:
        ready = await receive(socket)
        assert ready["type"] == "ready", ready
        yield socket


async def receive(socket: ClientConnection, timeout: float = 5.0) -> Frame:
    frame: Frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
    return frame


async def say(socket: ClientConnection, frame_id: str, text: str) -> None:
    await socket.send(json.dumps({"type": "say", "id": frame_id, "text": text}))


async def assert_nothing_more(socket: ClientConnection, settle_s: float = 0.3) -> None:
    """Nothing else arrives: after `settle_s` (time for a stray copy to cross Redis), a ping's
    pong is the very next frame."""
    await asyncio.sleep(settle_s)
    await socket.send(json.dumps({"type": "ping", "id": "quiet"}))
    assert await receive(socket) == {"type": "pong", "id": "quiet"}
