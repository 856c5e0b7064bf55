"""WebSocket benchmark: handshake rate and `/log` round trips with 100 concurrent sockets.

The server is `v7 serve` in its own process (embedded SQLite, local auth), as a climber would
run it; the load comes from this process over loopback. Users are created in the store and
their tokens minted with the server's own key, so password hashing is not what is measured.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from bench.common import cpu, percentile, premium_tokens, served

SOCKETS = 100
COMMANDS_PER_SOCKET = 20


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


def main() -> None:
    print("WebSocket: v7 serve in its own process, embedded SQLite, loopback")
    print(f"  machine: {cpu()}")
    with served() as server:
        tokens = asyncio.run(premium_tokens(server.settings, SOCKETS))
        asyncio.run(run(server.ws_url, server.origin, tokens))


if __name__ == "__main__":
    main()
