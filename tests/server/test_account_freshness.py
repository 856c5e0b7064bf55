"""Open sockets stay true to the account behind them, on two live server processes sharing one
real redis-server and one store: a tier changed by `v7 users set-tier` (a real subprocess)
applies from the very next `say` on every process, an `auth` refresh re-reads the account, and
erasing the account closes its sockets everywhere with 4001 and leaves no Redis key naming it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

from server.auth.local_issuer import LocalIssuer
from server.erasures import Eraser, finish_erasures
from store import open_table
from store.records.user import Tier
from store.repos.account import AccountRepo
from store.repos.erasures import ErasureRepo
from store.repos.usage import UsageRepo
from tests.server.helpers import set_tier
from tests.server.live import ORIGIN, LiveServer
from tests.server.pair import Pair, assert_nothing_more, receive, say, server_pair

MODEL = "scripted://?ttft_ms=0&tokens_per_s=0&tokens=5"
PASSWORD = "correct horse 9"
ROOT = Path(__file__).resolve().parents[2]
FREE_AI_MESSAGES = 10
Frame = dict[str, Any]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    with server_pair(Path(tmp_path_factory.mktemp("freshness")), model=MODEL) as servers:
        yield servers


@dataclass
class Climber:
    id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def sign_up(server: LiveServer, name: str) -> Climber:
    """A new free climber."""
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        response = await http.post(
            "/auth/signup", json={"email": email, "password": PASSWORD, "name": name}
        )
    assert response.status_code == 201, response.text
    body = response.json()
    return Climber(body["userId"], email, body["tokens"]["accessToken"])


def _connect(server: LiveServer, token: str) -> connect:
    return connect(
        server.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")],
        origin=Origin(ORIGIN),
        open_timeout=10,
    )


@asynccontextmanager
async def chat(server: LiveServer, token: str) -> AsyncIterator[ClientConnection]:
    """A socket whose `ready` frame has been read."""
    async with _connect(server, token) as socket:
        assert (await receive(socket))["type"] == "ready"
        yield socket


async def closed_with(socket: ClientConnection, timeout: float = 5.0) -> tuple[int, str]:
    """Read until the server closes the socket: its close code and reason."""
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(timeout):
            while True:
                await socket.recv()
    assert closed.value.rcvd is not None, "closed without a close frame"
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def answer(socket: ClientConnection, say_id: str) -> Frame:
    """What the say `say_id` came to on this socket: its `saved` or `error` frame, or the
    `stream.end` of its reply. Frames of other streams (another tab's reply) are skipped."""
    stream = None
    while True:
        frame = await receive(socket, timeout=10)
        if frame.get("reply_to") == say_id:
            if frame["type"] != "stream.start":
                return frame
            stream = frame["stream"]
        elif frame["type"] == "stream.end" and frame["stream"] == stream:
            return frame


async def coach(socket: ClientConnection, say_id: str) -> Frame:
    await say(socket, say_id, "How should I plan my training this week?")
    return await answer(socket, say_id)


async def v7_users_set_tier(server: LiveServer, email: str, tier: str) -> None:
    """`v7 users set-tier EMAIL TIER` as an operator runs it: its own process, on the same
    data directory (and so the same store) as the servers."""
    env = {**os.environ, "V7_DATA_DIR": str(server.settings.data_dir), "PYTHONPATH": str(ROOT)}
    for name in ("V7_STORE_URL", "V7_REDIS_URL"):
        env.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        "users",
        "set-tier",
        email,
        tier,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert f"now on the {tier} tier" in out.decode()


async def used_this_month(server: LiveServer, user_id: str, messages: int) -> None:
    """The climber has already had `messages` AI messages this month (the durable ledger the
    quota counters are rebuilt from)."""
    settings = server.settings
    month = f"{server.clock():%Y-%m}"
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        await UsageRepo(table).record(user_id, month, "scripted", 0, 0, messages=messages)


async def erase_in_store(server: LiveServer, user_id: str) -> None:
    """The account disappears from the store with no message to any process."""
    settings = server.settings
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        await AccountRepo(table).delete_all(user_id)


def token_for(server: LiveServer, user_id: str) -> str:
    settings = server.settings
    issuer = LocalIssuer.load_or_create(
        settings.data_dir, issuer=settings.local_issuer, client_id=settings.local_client_id
    )
    return issuer.issue(user_id, None, "access", ttl=600)


async def test_an_upgrade_with_set_tier_lifts_the_refusal_on_the_next_say_on_both_processes(
    pair: Pair,
) -> None:
    ana = await sign_up(pair.a, "ana")
    await used_this_month(pair.a, ana.id, FREE_AI_MESSAGES)
    async with chat(pair.a, ana.token) as on_a, chat(pair.b, ana.token) as on_b:
        refused = await coach(on_a, "free")
        assert refused["code"] == "quota_exceeded", refused
        assert refused["quota"]["ai_messages"]["remaining"] == 0

        await v7_users_set_tier(pair.a, ana.email, "pro")
        # The very next say on the refused socket is coached, and so is one on the other
        # process (each coaching turn also counts against the AI rate limit, so two only).
        for socket, say_id in ((on_a, "pro-a"), (on_b, "pro-b")):
            reply = await coach(socket, say_id)
            assert reply["type"] == "stream.end", reply
            assert reply["reason"] == "end"
            assert reply["quota"]["ai_messages"]["limit"] == 100


async def test_an_auth_refresh_reads_the_account_again(pair: Pair) -> None:
    ben = await sign_up(pair.a, "ben")
    await set_tier(pair.a, ben.id, Tier.PRO)
    async with chat(pair.b, ben.token) as socket:
        for n in range(4):
            await say(socket, f"log{n}", "/log gym 30min")
            assert (await answer(socket, f"log{n}"))["type"] == "saved"
        # Back to free (3 sessions a week) and a token refresh: the refusal that follows says
        # where the climber stands on the tier they are on now.
        await set_tier(pair.a, ben.id, Tier.FREE)
        await socket.send(json.dumps({"type": "auth", "token": token_for(pair.b, ben.id)}))
        await say(socket, "log4", "/log gym 30min")
        refused = await answer(socket, "log4")
        assert refused["code"] == "quota_exceeded"
        assert refused["quota"]["journal_entries"]["limit"] == 3

        # The account vanishes (no message reaches any process): the next refresh closes.
        await erase_in_store(pair.a, ben.id)
        await socket.send(json.dumps({"type": "auth", "token": token_for(pair.b, ben.id)}))
        code, reason = await closed_with(socket)
        assert code == 4001
        assert "no longer exists" in reason


async def test_erasure_closes_the_users_sockets_on_every_process_with_4001(pair: Pair) -> None:
    cid = await sign_up(pair.a, "cid")
    dee = await sign_up(pair.a, "dee")
    async with (
        chat(pair.a, cid.token) as cid_a,
        chat(pair.b, cid.token) as cid_b,
        chat(pair.b, dee.token) as dee_b,
    ):
        async with httpx.AsyncClient(base_url=pair.a.url, timeout=10) as http:
            assert (await http.delete("/users/profile", headers=cid.headers)).status_code == 204
        for socket in (cid_a, cid_b):
            assert await closed_with(socket) == (4001, "account deleted")
        await assert_nothing_more(dee_b)  # another climber's socket on the same process

    # The erased account's token is refused at connect, on either process.
    for server in (pair.a, pair.b):
        async with _connect(server, cid.token) as socket:
            code, reason = await closed_with(socket)
        assert code == 4001
        assert "no longer exists" in reason


async def test_a_say_on_an_erased_account_closes_its_sockets_everywhere(pair: Pair) -> None:
    eve = await sign_up(pair.a, "eve")
    async with chat(pair.a, eve.token) as eve_a, chat(pair.b, eve.token) as eve_b:
        # Erased behind the servers' backs (as if the erasure's message was lost): the next
        # say finds the account gone, writes nothing, and every socket of it closes.
        await erase_in_store(pair.a, eve.id)
        await say(eve_a, "gone", "/log gym 30min")
        for socket in (eve_a, eve_b):
            assert await closed_with(socket) == (4001, "account deleted")
    settings = pair.a.settings
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        assert (await table.query(f"USER#{eve.id}")).items == []


async def keys_naming(redis: Redis, user_id: str) -> list[str]:
    return sorted([key.decode() async for key in redis.scan_iter(match=f"*{user_id}*")])


async def kinds_of_keys(redis: Redis, user_id: str, kinds: set[str]) -> None:
    """Wait until Redis holds keys of each of these kinds (`v7:KIND:…`) naming the user."""
    async with asyncio.timeout(5):
        while not kinds <= {key.split(":")[1] for key in await keys_naming(redis, user_id)}:
            await asyncio.sleep(0.05)


async def test_erasure_leaves_no_redis_key_naming_the_user(pair: Pair) -> None:
    fay = await sign_up(pair.a, "fay")
    gil = await sign_up(pair.a, "gil")
    redis = Redis.from_url(pair.redis.url)
    try:
        for climber in (fay, gil):
            async with chat(pair.a, climber.token) as socket, chat(pair.b, climber.token):
                await say(socket, "log", "/log gym 30min")
                assert (await answer(socket, "log"))["type"] == "saved"
                assert (await coach(socket, "ask"))["reason"] == "end"
                async with httpx.AsyncClient(base_url=pair.b.url, timeout=10) as http:
                    profile = await http.get("/users/profile", headers=climber.headers)
                assert profile.status_code == 200
                # Quota counters, rate limits, the buffered reply (its text) and the open
                # sockets' leases: Redis holds all of them (the buffer is written behind).
                await kinds_of_keys(redis, climber.id, {"q", "rl", "stream", "ws"})
            async with asyncio.timeout(5):  # the closed sockets' leases go by themselves
                while any(":ws:" in key for key in await keys_naming(redis, climber.id)):
                    await asyncio.sleep(0.05)

        async with (  # erased while a socket is open
            chat(pair.b, fay.token),
            httpx.AsyncClient(base_url=pair.a.url, timeout=10) as http,
        ):
            assert (await http.delete("/users/profile", headers=fay.headers)).status_code == 204
        assert await keys_naming(redis, fay.id) == []
        await kinds_of_keys(redis, gil.id, {"q", "rl", "stream"})  # the other climber's stay
    finally:
        await redis.aclose()


async def test_with_redis_down_erasure_is_pending_and_finishes_once_redis_is_back(
    pair: Pair,
) -> None:
    hal = await sign_up(pair.a, "hal")
    async with httpx.AsyncClient(base_url=pair.a.url, timeout=10) as http:
        pair.redis.kill()
        try:
            pending = await http.delete("/users/profile", headers=hal.headers)
            assert pending.status_code == 202, pending.text
            assert pending.json()["status"] == "pending"
            # The account is refused at once; its items are gone already.
            assert (await http.get("/users/profile", headers=hal.headers)).status_code == 401
        finally:
            pair.redis.start()
    settings = pair.a.settings
    redis = Redis.from_url(pair.redis.url)
    try:
        async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
            assert (await table.query(f"USER#{hal.id}")).items == []
            assert await ErasureRepo(table).pending(hal.id)
            # What each server runs every V7_ERASURE_RETRY_SECONDS (and `v7 users
            # finish-erasures`): with Redis back, the erasure finishes (unless a server's own
            # run just did).
            eraser = Eraser(table, redis, None, pair.a.clock)
            assert (await finish_erasures(eraser)).pending == 0
            assert not await ErasureRepo(table).pending(hal.id)
        assert await keys_naming(redis, hal.id) == []
    finally:
        await redis.aclose()
