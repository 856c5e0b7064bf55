"""The per-user socket cap, counted across two live server processes sharing one real
redis-server: beyond `V7_MAX_SOCKETS_PER_USER` (10) open sockets of one user, the oldest close
with 1008 "too many connections", wherever they are; a closed socket stops counting, and so do
the sockets of a process that died without closing them (their leases lapse)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

from server.socket_cap import SocketLeases, leases_key
from tests.redis_servers import TcpRedis, free_port
from tests.server.helpers import Headers, sign_up
from tests.server.live import ORIGIN, LiveServer
from tests.server.pair import Pair, assert_nothing_more, receive, server_pair

CAP = 10
"""The default of `V7_MAX_SOCKETS_PER_USER`, which the pair runs with."""


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with server_pair(Path(tmp_path_factory.mktemp("socket-cap"))) as servers:
        assert servers.a.settings.max_sockets_per_user == CAP
        yield servers


def _connect(server: LiveServer, headers: Headers) -> connect:
    return connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1")],
        origin=Origin(ORIGIN),
        additional_headers=headers,
        open_timeout=10,
    )


async def is_open(socket: ClientConnection) -> bool:
    """Whether the server still serves the socket (a ping gets its pong), or closed it with
    1008 "too many connections" (any other end fails the test)."""
    try:
        await socket.send(json.dumps({"type": "ping", "id": "alive"}))
        while (await receive(socket))["type"] != "pong":
            pass
        return True
    except ConnectionClosed:
        assert socket.close_code == 1008, socket.close_code
        assert socket.close_reason == "too many connections"
        return False


async def wait_closed(socket: ClientConnection) -> tuple[int | None, str | None]:
    with pytest.raises(ConnectionClosed):
        async with asyncio.timeout(5):
            while True:
                await socket.recv()
    return socket.close_code, socket.close_reason


@asynccontextmanager
async def sockets_of(
    stack_servers: list[LiveServer], headers: Headers
) -> AsyncIterator[list[ClientConnection]]:
    """One socket per server in the list, opened one after the other (each `ready` read), so
    their age follows the list."""
    async with AsyncExitStack() as stack:
        opened = []
        for server in stack_servers:
            socket = await stack.enter_async_context(_connect(server, headers))
            assert (await receive(socket))["type"] == "ready"
            opened.append(socket)
        yield opened


async def leases(pair: Pair, user_id: str) -> int:
    redis = Redis.from_url(pair.redis.url)
    try:
        return int(await redis.zcard(leases_key(user_id)))
    finally:
        await redis.aclose()


async def user_id_of(server: LiveServer, headers: Headers) -> str:
    async with _connect(server, headers) as socket:
        user_id: str = (await receive(socket))["user"]["id"]
    return user_id


@pytest.mark.alone
async def test_forty_sockets_with_one_token_leave_the_cap_open(pair: Pair) -> None:
    headers = await sign_up(pair.a, "forty")
    async with AsyncExitStack() as stack:
        servers = [pair.a, pair.b] * 20
        sockets = await asyncio.gather(
            *(stack.enter_async_context(_connect(server, headers)) for server in servers)
        )
        await asyncio.sleep(0.5)  # time for the last evictions to cross Redis
        still_open = [socket for socket in sockets if await is_open(socket)]
        assert len(still_open) == CAP


async def test_the_oldest_socket_is_closed_on_whichever_process_holds_it(pair: Pair) -> None:
    headers = await sign_up(pair.a, "tabs")
    other = await sign_up(pair.a, "other")
    async with (
        sockets_of([pair.a] + [pair.b, pair.a] * 4 + [pair.b], headers) as first_ten,
        sockets_of([pair.b], other) as (bystander,),
    ):
        for socket in first_ten:
            assert await is_open(socket)
        async with sockets_of([pair.b], headers) as (newest,):
            # The oldest (on A) closes; the other nine, the newest and another climber's
            # socket stay open.
            assert await wait_closed(first_ten[0]) == (1008, "too many connections")
            for socket in [*first_ten[1:], newest]:
                assert await is_open(socket)
            await assert_nothing_more(bystander)


async def test_closed_sockets_stop_counting(pair: Pair) -> None:
    headers = await sign_up(pair.a, "phone")
    user_id = await user_id_of(pair.a, headers)
    async with sockets_of([pair.a, pair.b] * 5, headers):
        pass
    async with asyncio.timeout(5):
        while await leases(pair, user_id):
            await asyncio.sleep(0.05)
    async with sockets_of([pair.b, pair.a] * 5, headers) as ten:
        for socket in ten:
            assert await is_open(socket)


async def test_sockets_of_a_process_that_stopped_renewing_stop_counting(
    tmp_path: Path,
) -> None:
    redis_server = TcpRedis(free_port(), tmp_path)
    redis_server.start()
    redis = Redis.from_url(redis_server.url)
    try:
        async with (
            SocketLeases(redis, 3, lease_s=0.4, renew_s=0.1) as alive,
            SocketLeases(redis, 3, lease_s=0.4, renew_s=3600) as dying,
        ):
            # "dying" admits two sockets and then never renews them (its process was killed).
            assert await dying.admit("u1", "d1") == []
            assert await dying.admit("u1", "d2") == []
            assert await alive.admit("u1", "a1") == []
            assert await alive.admit("u1", "a2") == ["d1"]  # over the cap: the oldest goes
            await asyncio.sleep(0.8)
            # d2's lease lapsed; a1 and a2 were renewed: room for one more, then the oldest
            # live one goes.
            assert await alive.admit("u1", "a3") == []
            assert await alive.admit("u1", "a4") == ["a1"]
            # A released socket frees its place at once.
            alive.release("u1", "a2")
            async with asyncio.timeout(2):
                while await redis.zcard(leases_key("u1")) != 2:
                    await asyncio.sleep(0.02)
            assert await alive.admit("u1", "a5") == []
    finally:
        await redis.aclose()
        redis_server.kill()


async def test_with_redis_down_sockets_are_still_accepted(pair: Pair) -> None:
    headers = await sign_up(pair.a, "outage")
    pair.redis.kill()
    try:
        # The cap stands aside rather than lock the climber out: nothing is counted.
        async with sockets_of([pair.a, pair.b] * (CAP // 2 + 1), headers) as sockets:
            for socket in sockets:
                assert await is_open(socket)
    finally:
        pair.redis.start()
