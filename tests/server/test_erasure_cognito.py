"""Erasure that reaches Cognito and always finishes (`server.erasures`), through the protocol.

Live servers in Cognito mode against a user pool in moto's server. Between each server and moto
stands a gate (a forwarding HTTP server on loopback) that can refuse the two admin calls of an
erasure as Cognito refuses a role without the permission: the real client gets a real
`AccessDeniedException`, so a half-finished erasure is made with real parts and no mock.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aioboto3
import httpx
import pytest
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol
from werkzeug.serving import BaseWSGIServer, make_server

from server.auth.cognito_admin import CognitoAdmin, CognitoUnavailable
from server.embedded_redis import EmbeddedRedis
from server.erasures import Eraser, Finished, finish_erasures
from server.redis_url import unix_client
from store import open_table
from store.repos.erasures import ErasureRepo
from store.table import Table
from tests.server.live import ORIGIN, LiveServer, live_server
from tests.server.pools import new_pool

PASSWORD = "Correct-horse-9"
REGION = "us-east-1"
ERASURE_CALLS = frozenset({"AdminUserGlobalSignOut", "AdminDeleteUser"})
_HOP = {"host", "connection", "content-length", "transfer-encoding", "keep-alive"}


@dataclass
class Gate:
    """moto's endpoint behind a WSGI forwarder; operations in `refused` are answered with
    `AccessDeniedException` (400, not retried by botocore) instead of reaching moto."""

    upstream: str
    refused: set[str] = field(default_factory=set)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        operation = str(environ.get("HTTP_X_AMZ_TARGET", "")).rpartition(".")[2]
        if operation in self.refused:
            body = json.dumps({"__type": "AccessDeniedException", "message": "denied"}).encode()
            start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")])
            return [body]
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in _HOP
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        query = environ.get("QUERY_STRING", "")
        url = self.upstream + environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
        answer = httpx.request(
            environ["REQUEST_METHOD"], url, headers=headers, content=body, timeout=10
        )
        kept = [(k, v) for k, v in answer.headers.items() if k.lower() not in _HOP]
        kept.append(("Content-Length", str(len(answer.content))))
        start_response(f"{answer.status_code} {answer.reason_phrase}", kept)
        return [answer.content]


@dataclass
class Stack:
    """A live server in Cognito mode, its gate, and the pool."""

    live: LiveServer
    gate: Gate
    pool_id: str
    client_id: str
    moto: str

    @property
    def data_dir(self) -> Path:
        return self.live.settings.data_dir


@pytest.fixture(scope="module")
def pool(moto_endpoint: str) -> dict[str, str]:
    return new_pool(moto_endpoint, "erase")


@contextmanager
def running_gate(moto_endpoint: str) -> Iterator[tuple[Gate, str]]:
    gate = Gate(moto_endpoint)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, gate, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gate, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def gate_server(moto_endpoint: str) -> Iterator[tuple[Gate, str]]:
    with running_gate(moto_endpoint) as running:
        yield running


def _stack(
    tmp_path_factory: pytest.TempPathFactory,
    moto_endpoint: str,
    pool: dict[str, str],
    gate_server: tuple[Gate, str],
    retry_seconds: float = 60.0,
) -> Iterator[Stack]:
    gate, url = gate_server
    with live_server(
        Path(tmp_path_factory.mktemp("erase")),
        auth="cognito",
        cognito_region=REGION,
        cognito_user_pool_id=pool["pool_id"],
        cognito_client_id=pool["client_id"],
        cognito_endpoint_url=url,
        erasure_retry_seconds=retry_seconds,
    ) as live:
        yield Stack(live, gate, pool["pool_id"], pool["client_id"], moto_endpoint)


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    moto_endpoint: str,
    pool: dict[str, str],
    gate_server: tuple[Gate, str],
) -> Iterator[Stack]:
    """A server whose own retry job does not run during the tests (once a day)."""
    yield from _stack(tmp_path_factory, moto_endpoint, pool, gate_server, retry_seconds=86_400)


@pytest.fixture
def gate(stack: Stack) -> Iterator[Gate]:
    yield stack.gate
    stack.gate.refused.clear()


@asynccontextmanager
async def _cognito(endpoint: str, **config: Any) -> AsyncIterator[Any]:
    async with aioboto3.Session().client(
        "cognito-idp", region_name=REGION, endpoint_url=endpoint, config=AioConfig(**config)
    ) as cognito:
        yield cognito


@dataclass
class Climber:
    user_id: str
    email: str
    access: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


async def signed_in(stack: Stack, http: httpx.AsyncClient, name: str) -> Climber:
    """A confirmed climber signed in through the server, who has used REST once."""
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    signed_up = await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
    assert signed_up.status_code == 201, signed_up.text
    async with _cognito(stack.moto) as cognito:
        await cognito.admin_confirm_sign_up(UserPoolId=stack.pool_id, Username=email)
        user_id = signed_up.json()["userId"]
        # A session of the user on another device. moto 5.2.5 files a session under the name
        # it was signed in with, where Cognito files it under the user: one signed in by email
        # (as the server does) would escape moto's AdminUserGlobalSignOut by `sub` and crash
        # moto's refresh once the user is deleted. Signed in by `sub`, the session is the
        # user's, as in Cognito.
        device = await cognito.initiate_auth(
            ClientId=stack.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user_id, "PASSWORD": PASSWORD},
        )
    tokens = (await sign_in(http, email)).json()
    refresh = device["AuthenticationResult"]["RefreshToken"]
    climber = Climber(user_id, email, tokens["accessToken"], refresh)
    assert (await http.get("/users/profile", headers=climber.headers)).status_code == 200
    return climber


async def sign_in(http: httpx.AsyncClient, email: str) -> httpx.Response:
    return await http.post("/auth/signin", json={"email": email, "password": PASSWORD})


def _connect(live: LiveServer, token: str) -> connect:
    return connect(
        live.ws_url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")],
        origin=Origin(ORIGIN),
        open_timeout=10,
    )


async def closed_with(socket: ClientConnection) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(5):
            while True:
                await socket.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def in_cognito(stack: Stack, climber: Climber) -> bool:
    async with _cognito(stack.moto) as cognito:
        try:
            await cognito.admin_get_user(UserPoolId=stack.pool_id, Username=climber.user_id)
        except ClientError as error:
            if error.response["Error"]["Code"] == "UserNotFoundException":
                return False
            raise
    return True


@asynccontextmanager
async def store_of(stack: Stack) -> AsyncIterator[Table]:
    settings = stack.live.settings
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        yield table


@asynccontextmanager
async def redis_of(stack: Stack) -> AsyncIterator[Redis]:
    """The live server's own embedded Redis, through its socket."""
    redis = unix_client(EmbeddedRedis(stack.data_dir).socket_path, 2.0)
    try:
        yield redis
    finally:
        await redis.aclose()


async def leftovers(stack: Stack, climber: Climber) -> dict[str, Any]:
    """What the store and Redis still hold of the climber."""
    async with store_of(stack) as table, redis_of(stack) as redis:
        return {
            "items": (await table.query(f"USER#{climber.user_id}")).items,
            "email": await table.get(f"EMAIL#{climber.email}", "USER"),
            "tombstone": await ErasureRepo(table).get(climber.user_id),
            "keys": [key async for key in redis.scan_iter(match=f"*{climber.user_id}*")],
        }


async def refused_everywhere(stack: Stack, http: httpx.AsyncClient, climber: Climber) -> None:
    """Every way in is shut for the climber: the old access token on REST and on the socket,
    the refresh token, and signing in again (which recreates nothing)."""
    assert (await http.get("/users/profile", headers=climber.headers)).status_code == 401
    async with _connect(stack.live, climber.access) as socket:
        assert (await closed_with(socket))[0] == 4001
    refreshed = await http.post("/auth/refresh", json={"refreshToken": climber.refresh})
    # Pending: refused by the tombstone, although Cognito would still refresh it. Finished:
    # Cognito refuses it (signed out everywhere, then deleted).
    assert refreshed.status_code == 401, refreshed.text
    again = await sign_in(http, climber.email)
    assert again.status_code == 401, again.text
    assert again.json()["error"]["code"] == "unauthorized"
    async with store_of(stack) as table:
        assert (await table.query(f"USER#{climber.user_id}")).items == []


@pytest.fixture
async def http(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.live.url, timeout=20) as client:
        yield client


async def test_erasure_deletes_the_cognito_user_and_every_trace(
    stack: Stack, http: httpx.AsyncClient
) -> None:
    ann = await signed_in(stack, http, "ann")
    async with _connect(stack.live, ann.access) as socket:
        assert json.loads(await socket.recv())["type"] == "ready"
        await socket.send(json.dumps({"type": "say", "id": "l1", "text": "/log gym 30min"}))
        while json.loads(await socket.recv())["type"] != "saved":
            pass
        erased = await http.delete("/users/profile", headers=ann.headers)
        assert erased.status_code == 204, erased.text
        assert await closed_with(socket) == (4001, "account deleted")

    assert not await in_cognito(stack, ann)
    await refused_everywhere(stack, http, ann)
    assert await leftovers(stack, ann) == {
        "items": [],
        "email": None,
        "tombstone": None,
        "keys": [],
    }


async def test_an_erasure_cognito_refuses_is_pending_refused_then_finished(
    stack: Stack, gate: Gate, http: httpx.AsyncClient
) -> None:
    bea = await signed_in(stack, http, "bea")
    cal = await signed_in(stack, http, "cal")
    gate.refused |= ERASURE_CALLS
    for climber in (bea, cal):
        pending = await http.delete("/users/profile", headers=climber.headers)
        assert pending.status_code == 202, pending.text
        assert pending.json()["status"] == "pending"
    # Half done: the store and Redis are clear, the pool still has the user, and the tombstone
    # keeps every way in shut (Cognito would still sign them in).
    assert await in_cognito(stack, bea)
    await refused_everywhere(stack, http, bea)
    left = await leftovers(stack, bea)
    assert (left["items"], left["email"], left["keys"]) == ([], None, [])
    assert left["tombstone"].attempts == 1

    gated = stack.live.settings.cognito_endpoint_url
    async with store_of(stack) as table, redis_of(stack) as redis, _cognito(gated) as client:
        eraser = Eraser(table, redis, CognitoAdmin(client, stack.pool_id), stack.live.clock)
        assert await finish_erasures(eraser) == Finished(0, 2)  # Cognito still refuses
        assert (await ErasureRepo(table).get(bea.user_id)).attempts == 2  # type: ignore[union-attr]
        gate.refused.clear()
        assert await finish_erasures(eraser) == Finished(2, 0)
        assert await finish_erasures(eraser) == Finished(0, 0)  # nothing left to do
    for climber in (bea, cal):
        assert not await in_cognito(stack, climber)
        assert (await leftovers(stack, climber))["tombstone"] is None
    assert (await sign_in(http, bea.email)).json()["error"]["code"] == "unauthorized"


async def test_the_command_line_finishes_pending_erasures(
    stack: Stack, gate: Gate, http: httpx.AsyncClient
) -> None:
    dan = await signed_in(stack, http, "dan")
    gate.refused |= ERASURE_CALLS
    assert (await http.delete("/users/profile", headers=dan.headers)).status_code == 202
    settings = stack.live.settings
    env = {
        **os.environ,
        "V7_DATA_DIR": str(settings.data_dir),
        "V7_AUTH": "cognito",
        "V7_COGNITO_REGION": REGION,
        "V7_COGNITO_USER_POOL_ID": stack.pool_id,
        "V7_COGNITO_CLIENT_ID": stack.client_id,
        "V7_COGNITO_ENDPOINT_URL": stack.live.settings.cognito_endpoint_url,
    }
    v7 = [str(Path(sys.executable).with_name("v7")), "users", "finish-erasures"]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(v7, env=env, capture_output=True, text=True, timeout=60, check=False)

    refused = await asyncio.to_thread(run)
    assert (refused.returncode, refused.stdout) == (1, "erasures: 0 finished, 1 pending\n")
    gate.refused.clear()
    done = await asyncio.to_thread(run)
    assert (done.returncode, done.stdout) == (0, "erasures: 1 finished, 0 pending\n"), done.stderr
    assert not await in_cognito(stack, dan)
    assert (await leftovers(stack, dan))["tombstone"] is None


async def test_an_admin_call_that_reaches_nobody_is_cognito_unavailable() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    async with _cognito(closed, retries={"max_attempts": 0}, connect_timeout=1) as client:
        admin = CognitoAdmin(client, "us-east-1_nowhere")
        with pytest.raises(CognitoUnavailable):
            await admin.delete_user("someone")


@pytest.fixture(scope="module")
def retrying(
    tmp_path_factory: pytest.TempPathFactory,
    moto_endpoint: str,
    pool: dict[str, str],
    moto_gate: tuple[Gate, str],
) -> Iterator[Stack]:
    """A server whose retry job runs every 0.2 s."""
    yield from _stack(tmp_path_factory, moto_endpoint, pool, moto_gate, retry_seconds=0.2)


@pytest.fixture(scope="module")
def moto_gate(moto_endpoint: str) -> Iterator[tuple[Gate, str]]:
    with running_gate(moto_endpoint) as running:
        yield running


async def test_the_server_finishes_a_pending_erasure_by_itself(retrying: Stack) -> None:
    async with httpx.AsyncClient(base_url=retrying.live.url, timeout=20) as http:
        eve = await signed_in(retrying, http, "eve")
        retrying.gate.refused |= ERASURE_CALLS
        try:
            assert (await http.delete("/users/profile", headers=eve.headers)).status_code == 202
            await asyncio.sleep(0.6)  # a few runs, each refused by Cognito
            tombstone = (await leftovers(retrying, eve))["tombstone"]
            assert tombstone is not None
            assert tombstone.attempts >= 2
        finally:
            retrying.gate.refused.clear()
        async with asyncio.timeout(10):
            while (await leftovers(retrying, eve))["tombstone"] is not None:
                await asyncio.sleep(0.1)
        assert not await in_cognito(retrying, eve)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(Path(tmp_path_factory.mktemp("erase-local"))) as live:
        yield live


async def test_local_accounts_are_erased_the_same_way_without_cognito(local: LiveServer) -> None:
    email = f"fox-{uuid.uuid4().hex[:8]}@example.com"
    async with httpx.AsyncClient(base_url=local.url, timeout=20) as http:
        signed_up = await http.post("/auth/signup", json={"email": email, "password": PASSWORD})
        tokens = signed_up.json()["tokens"]
        headers = {"Authorization": f"Bearer {tokens['accessToken']}"}
        assert (await http.delete("/users/profile", headers=headers)).status_code == 204
        assert (await http.get("/users/profile", headers=headers)).status_code == 401
        refresh = await http.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
        assert refresh.status_code == 401
        assert (await sign_in(http, email)).status_code == 401
    settings = local.settings
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        assert await ErasureRepo(table).all() == []
        assert (await table.query(f"USER#{signed_up.json()['userId']}")).items == []
