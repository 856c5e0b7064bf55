"""`v7 serve` as a real process: the command the Dockerfile runs, its logs, its shutdown."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin, Subprotocol

from core.clock import system_clock
from store import open_table
from store.repos.usage import UsageRepo
from store.repos.users import UserRepo

PASSWORD = "correct horse 9"


@dataclass
class Process:
    url: str
    origin: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path

    def logs(self) -> str:
        return self.log_path.read_text()


def dockerfile_command(port: int) -> list[str]:
    """The container's own `CMD`, read from the Dockerfile, on loopback and a free port (tests
    never listen beyond loopback). The executable resolves to this environment's `v7`."""
    dockerfile = Path(__file__).resolve().parents[2] / "Dockerfile"
    commands = [line for line in dockerfile.read_text().splitlines() if line.startswith("CMD [")]
    command: list[str] = json.loads(commands[-1][len("CMD ") :])
    assert command[:2] == ["v7", "serve"], command
    command[0] = str(Path(sys.executable).with_name("v7"))
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    return command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Process]:
    """The Dockerfile's command (`v7 serve …`) as a real process, on loopback."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "V7_DATA_DIR": str(tmp_path / "data"),
        "V7_ALLOWED_ORIGINS": origin,
        "V7_DRAIN_SECONDS": "3",
        # One process: what these tests hold is the process's own contract (signals, drain,
        # exit status); several workers have theirs in test_workers.py.
        "V7_WORKERS": "1",
        # A reply that takes about 1.5 s, so one can be running when SIGTERM arrives.
        "V7_MODEL": "scripted://?ttft_ms=50&tokens_per_s=40&tokens=60",
    }
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            dockerfile_command(port),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"v7 serve did not start:\n{log_path.read_text()}")
        time.sleep(0.1)
    try:
        yield Process(url, origin, proc, log_path, tmp_path / "data")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


async def _sign_up(url: str, email: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=url) as http:
        response = await http.post(
            "/auth/signup", json={"email": email, "password": PASSWORD, "name": "P"}
        )
        assert response.status_code == 201, response.text
        tokens: dict[str, str] = response.json()["tokens"]
        signed_in = await http.post("/auth/signin", json={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 200
        return tokens


async def test_logs_are_json_with_ids_and_hold_no_credentials(serve: Process) -> None:
    tokens = await _sign_up(serve.url, "logs@example.com")
    async with connect(
        serve.url.replace("http", "ws") + "/ws",
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{tokens['accessToken']}")],
        origin=Origin(serve.origin),
    ) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "say", "id": "c1", "text": "/log gym 60min"}))
        await ws.recv()
    async with httpx.AsyncClient(base_url=serve.url) as http:
        await http.get("/readyz", headers={"Authorization": f"Bearer {tokens['accessToken']}"})
    await asyncio.sleep(0.3)
    lines = [line for line in serve.logs().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    requests = [entry for entry in entries if entry.get("msg") == "request"]
    assert any(entry["path"] == "/auth/signup" and entry["status"] == 201 for entry in requests)
    assert all(entry.get("id") for entry in requests)
    assert any(entry.get("msg") == "socket open" and entry.get("id") for entry in entries)
    text = serve.logs()
    for secret in (PASSWORD, tokens["accessToken"], tokens["refreshToken"], tokens["idToken"]):
        assert secret not in text
    assert "eyJ" not in text


async def test_sigterm_drains_then_closes_sockets_with_1001_and_exits(serve: Process) -> None:
    tokens = await _sign_up(serve.url, "drain@example.com")
    protocols = [Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{tokens['accessToken']}")]
    ws_url = serve.url.replace("http", "ws") + "/ws"
    async with (
        connect(ws_url, subprotocols=protocols, origin=Origin(serve.origin)) as first,
        connect(ws_url, subprotocols=protocols, origin=Origin(serve.origin)) as second,
    ):
        await first.recv()
        await second.recv()
        started = time.monotonic()
        serve.proc.send_signal(signal.SIGTERM)
        for ws in (first, second):
            with pytest.raises(ConnectionClosed):
                async with asyncio.timeout(10):
                    while True:
                        await ws.recv()
            assert ws.close_code == 1001
    exit_code = await asyncio.to_thread(serve.proc.wait, 15)
    assert exit_code == 0
    assert time.monotonic() - started < 10
    assert '"msg": "drained"' in serve.logs()


async def test_a_reply_running_at_sigterm_finishes_and_is_settled_before_the_close(
    serve: Process,
) -> None:
    # `v7 serve` runs on the machine's clock: the turn lands in the month it runs in, which is
    # one of the months seen before and after it.
    months = {f"{system_clock():%Y-%m}"}
    tokens = await _sign_up(serve.url, "streaming@example.com")
    protocols = [Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{tokens['accessToken']}")]
    ws_url = serve.url.replace("http", "ws") + "/ws"
    async with connect(ws_url, subprotocols=protocols, origin=Origin(serve.origin)) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "say", "id": "q1", "text": "how was my week?"}))
        while json.loads(await ws.recv())["type"] != "stream.delta":
            pass
        serve.proc.send_signal(signal.SIGTERM)

        async with httpx.AsyncClient(base_url=serve.url) as http:
            for _ in range(50):  # the drain starts as soon as the signal is handled
                if (await http.get("/readyz")).status_code == 503:
                    break
                await asyncio.sleep(0.02)
            assert (await http.get("/readyz")).json() == {"status": "draining"}
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws_url, subprotocols=protocols, origin=Origin(serve.origin)):
                pass
        assert refused.value.response.status_code == 503

        frames = []
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(10):
                while True:
                    frames.append(json.loads(await ws.recv()))
        assert ws.close_code == 1001
    end = [frame for frame in frames if frame["type"] == "stream.end"]
    assert len(end) == 1
    assert end[0]["reason"] == "end"  # the reply finished inside the drain window
    assert await asyncio.to_thread(serve.proc.wait, 15) == 0

    # The AI message was committed to the durable ledger before the process exited.
    months.add(f"{system_clock():%Y-%m}")
    url = f"sqlite:///{serve.data_dir / 'v7.db'}"
    async with open_table(url, data_dir=serve.data_dir) as table:
        user = await UserRepo(table).find_by_email("streaming@example.com")
        assert user is not None
        ledgers = [await UsageRepo(table).get(user.id, month) for month in sorted(months)]
    assert sum(ledger.ai_messages for ledger in ledgers) == 1
    assert sum(ledger.output_tokens for ledger in ledgers) == 60
