"""Fixtures shared by every test package: moto's server, the table on each engine, and a
redis-server of a test's own."""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aioboto3
import pytest

from store import init_table, open_table
from store.dynamodb_admin import parse_url
from store.table import Table
from tests.aws import SerialMotoServer
from tests.redis_servers import TcpRedis, free_port

ENGINES = tuple(os.environ.get("V7_TEST_ENGINES", "sqlite,dynamodb").split(","))
"""Every store engine by default; `make test-dates` narrows its runs to SQLite (the engines'
conformance is `make test`'s business, the calendar is the date runs')."""


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection built (every test module and item), as the server freezes its
    start-up heap (`server.app`): the suite's quota and Redis code runs in this process, and a
    full collection walking thousands of collected items paused it past Redis's 100 ms command
    timeout, making a healthy Redis look down."""
    gc.freeze()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real moto server on loopback (requests applied one at a time, see tests/aws.py); the
    real aioboto3 client talks to it over HTTP."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    server = SerialMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def store_url(engine: str, tmp_path: Path, moto_endpoint: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'v7.db'}"
    return f"dynamodb://v7-{uuid.uuid4().hex[:12]}?region=us-east-1&endpoint_url={moto_endpoint}"


@pytest.fixture(params=ENGINES)
async def table(
    request: pytest.FixtureRequest, tmp_path: Path, moto_endpoint: str
) -> AsyncIterator[Table]:
    """A fresh, empty table on each engine in turn."""
    url = store_url(str(request.param), tmp_path, moto_endpoint)
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as opened:
        yield opened
    if request.param == "dynamodb":
        # moto keeps every table in this process's memory; drop it so the suite stays lean.
        location = parse_url(url)
        async with aioboto3.Session().client(
            "dynamodb", region_name=location.region, endpoint_url=location.endpoint_url
        ) as client:
            await client.delete_table(TableName=location.table)


@pytest.fixture
async def sqlite_table(tmp_path: Path) -> AsyncIterator[Table]:
    """A fresh, empty table on SQLite alone, for tests whose subject is not the engine."""
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        yield table


@pytest.fixture
def tcp_server(tmp_path: Path) -> Iterator[TcpRedis]:
    """A redis-server of this test alone (for killing and pausing)."""
    server = TcpRedis(free_port(), tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.process.send_signal(18)  # SIGCONT, in case a test left it paused
    server.kill()
