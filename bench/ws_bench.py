"""WebSocket benchmark: handshake rate and `/log` round trips with 100 concurrent sockets.

The server is `v7 serve` in its own process (embedded SQLite, local auth), as a climber would
run it; the load comes from this process over loopback. Users are created in the store and
their tokens minted with the server's own key, so password hashing is not what is measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from server.auth.local_issuer import LocalIssuer
from server.settings import Settings
from store import open_table
from store.records.user import Subscription, Tier, UserIn
from store.repos.users import UserRepo

SOCKETS = 100
COMMANDS_PER_SOCKET = 20


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def make_tokens(settings: Settings, count: int) -> list[str]:
    issuer = LocalIssuer.load_or_create(
        settings.data_dir, issuer=settings.local_issuer, client_id=settings.local_client_id
    )
    tokens = []
    async with open_table(settings.resolved_store_url, data_dir=settings.data_dir) as table:
        users = UserRepo(table)
        for index in range(count):
            user = await users.create(
                uuid.uuid4().hex,
                UserIn(email=f"bench-{index}@example.com"),
                subscription=Subscription(tier=Tier.PREMIUM),
            )
            tokens.append(issuer.issue(user.id, None, "access", 3600))
    return tokens


async def open_ready(url: str, origin: str, token: str) -> ClientConnection:
    ws = await connect(
        url,
        subprotocols=[Subprotocol("v7.chat.v1"), Subprotocol(f"bearer.{token}")],
        origin=Origin(origin),
        open_timeout=30,
    )
    ready = json.loads(await ws.recv())
    assert ready["type"] == "ready", ready
    return ws


async def run(url: str, origin: str, tokens: list[str]) -> None:
    # Handshake rate: sequential (latency-bound) and all at once (throughput-bound).
    started = time.perf_counter()
    for token in tokens[:20]:
        ws = await open_ready(url, origin, token)
        await ws.close()
    sequential = 20 / (time.perf_counter() - started)

    started = time.perf_counter()
    sockets = await asyncio.gather(*(open_ready(url, origin, token) for token in tokens))
    concurrent = len(sockets) / (time.perf_counter() - started)

    latencies: list[float] = []

    async def log_sessions(ws: ClientConnection, index: int) -> None:
        for n in range(COMMANDS_PER_SOCKET):
            say = {"type": "say", "id": f"b{index}-{n}", "text": "/log gym 90min rpe 7 sent V4 V5"}
            sent = time.perf_counter()
            await ws.send(json.dumps(say))
            reply = json.loads(await ws.recv())
            latencies.append((time.perf_counter() - sent) * 1000)
            assert reply["type"] == "saved", reply

    started = time.perf_counter()
    await asyncio.gather(*(log_sessions(ws, i) for i, ws in enumerate(sockets)))
    elapsed = time.perf_counter() - started
    await asyncio.gather(*(ws.close() for ws in sockets))

    print(f"  handshakes/s (one at a time, to ready): {sequential:8.1f}")
    print(f"  handshakes/s ({len(tokens)} at once, to ready):  {concurrent:8.1f}")
    print(
        f"  /log round trip, {len(tokens)} sockets x {COMMANDS_PER_SOCKET}: "
        f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
        f"{len(latencies) / elapsed:.0f} commands/s"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def main() -> None:
    print("WebSocket: v7 serve in its own process, embedded SQLite, loopback")
    print(f"  machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        settings = Settings(data_dir=Path(tmp), port=port, allowed_origins=[origin])
        env = {
            **os.environ,
            "V7_DATA_DIR": tmp,
            "V7_ALLOWED_ORIGINS": origin,
            "V7_LOG_LEVEL": "warning",
        }
        command = [str(Path(sys.executable).with_name("v7")), "serve", "--port", str(port)]
        server = subprocess.Popen(command, env=env)  # noqa: S603 - our own entry point
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{origin}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("v7 serve did not start")
                time.sleep(0.1)
            tokens = asyncio.run(make_tokens(settings, SOCKETS))
            asyncio.run(run(f"ws://127.0.0.1:{port}/ws", origin, tokens))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
