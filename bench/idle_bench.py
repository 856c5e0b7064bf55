"""Idle sockets: what one open, authenticated, silent chat socket costs a server in memory.

`python -m bench idle N` (default 2,000) opens N sockets to one `v7 serve` (embedded SQLite and
Redis; one premium user per socket, each socket waits for `ready`), 50 at a time, and prints
the server process's RSS before and after and the KiB per socket; then the same against the
floor (`bench/floor.py`, a bare `websockets` server: a socket there is only the connection).
The embedded redis-server's RSS is printed apart. It also counts the "redis unavailable" lines
`v7 serve` logged while the sockets opened (it should log none while Redis is up).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from bench.common import (
    children,
    cpu,
    floor_served,
    premium_tokens,
    raise_fd_limit,
    rss_kib,
    served,
)
from bench.degraded_log import degraded_lines

SOCKETS = 2000
OPENING = 50
SETTLE_S = 2.0
"""After the last socket opens, so deferred per-socket work (leases, subscriptions) is done."""


async def open_all(
    count: int, open_socket: Callable[[int], Awaitable[ClientConnection]]
) -> tuple[list[ClientConnection], float]:
    """`count` sockets, `OPENING` at a time; and how long opening them took."""
    sockets: list[ClientConnection] = []
    started = time.perf_counter()
    for first in range(0, count, OPENING):
        batch = range(first, min(first + OPENING, count))
        sockets += await asyncio.gather(*(open_socket(index) for index in batch))
    return sockets, time.perf_counter() - started


def report(target: str, count: int, before: int, after: int, opening_s: float) -> None:
    print(
        f"  {target}: RSS {before / 1024:,.1f} → {after / 1024:,.1f} MiB with {count:,} idle "
        f"sockets: {(after - before) / count:.1f} KiB per socket (opened in {opening_s:.1f} s)"
    )


async def v7_idle(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "v7-serve.log"
        with log_path.open("wb") as log, served(stderr=log) as server:
            tokens = await premium_tokens(server.settings, count)

            async def open_socket(index: int) -> ClientConnection:
                ws = await connect(
                    server.ws_url,
                    subprotocols=[
                        Subprotocol("v7.chat.v1"),
                        Subprotocol(f"bearer.{tokens[index]}"),
                    ],
                    origin=Origin(server.origin),
                    open_timeout=60,
                )
                ready = json.loads(await ws.recv())
                assert ready["type"] == "ready", ready
                return ws

            pid = server.process.pid
            redis = children(pid)
            await asyncio.sleep(SETTLE_S)
            before, redis_before = rss_kib(pid), sum(rss_kib(child) for child in redis)
            sockets, opening_s = await open_all(count, open_socket)
            await asyncio.sleep(SETTLE_S)
            after, redis_after = rss_kib(pid), sum(rss_kib(child) for child in redis)
            report("v7 serve", count, before, after, opening_s)
            print(
                f"    embedded redis-server: RSS {redis_before / 1024:,.1f} → "
                f"{redis_after / 1024:,.1f} MiB ({(redis_after - redis_before) / count:.1f} KiB "
                "per socket)"
            )
            await asyncio.gather(*(ws.close() for ws in sockets))
        unavailable = log_path.read_bytes().count(b"redis unavailable")
        print(f'    "redis unavailable" logged {unavailable:,}x while the sockets opened and idled')
        outage = len(degraded_lines(log_path.read_text(errors="replace")))
        print(f"    outage-path lines (bench/degraded_log.py): {outage:,}")


async def floor_idle(count: int) -> None:
    with floor_served(200, 50, 100) as floor:

        async def open_socket(index: int) -> ClientConnection:
            return await connect(floor.ws_url, open_timeout=60)

        pid = floor.process.pid
        await asyncio.sleep(SETTLE_S)
        before = rss_kib(pid)
        sockets, opening_s = await open_all(count, open_socket)
        await asyncio.sleep(SETTLE_S)
        report("bare `websockets` (the floor)", count, before, rss_kib(pid), opening_s)
        await asyncio.gather(*(ws.close() for ws in sockets))


async def run(count: int) -> None:
    await v7_idle(count)
    await floor_idle(count)


def main(count: int = SOCKETS) -> None:
    fds = raise_fd_limit()
    print(f"idle sockets: {count:,} open, {OPENING} at a time, one server process each")
    print(f"  machine: {cpu()}; open-file limit {fds:,}")
    if count + 100 > fds:
        raise SystemExit(f"{count:,} sockets need about {count + 100:,} open files here")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run(count))


if __name__ == "__main__":
    main()
