"""Sign-in flood benchmark: 200 sign-ins with wrong passwords at once against `v7 serve` in its
own process, each for another address (no account lock spares the argon2 work), while a prober
times `/healthz` every 20 ms.

What it shows: the argon2 queue (`V7_AUTH_LIMITS`' `hashes_in_flight` and `hashes_waiting`)
answers the excess at once with 429 instead of stalling, every request gets an answer (401 or
429) within a few seconds, and the event loop keeps answering health checks meanwhile. The
limits per client address are lifted for the run (every request comes from 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time
import uuid

import httpx

from bench.common import Served, cpu, percentile, served

FLOOD = 200
WAVES = 3
_ROOMY = {"count": 100_000, "seconds": 60}
LIMITS = {
    name: _ROOMY
    for name in (
        "sign_in_per_ip",
        "sign_up_per_ip",
        "reset_codes_per_ip",
        "code_tries_per_ip",
        "refresh_per_ip",
    )
}


async def wave(server: Served) -> None:
    latencies: list[float] = []
    health: list[float] = []
    statuses: list[int] = []
    done = threading.Event()
    limits = httpx.Limits(max_connections=FLOOD + 10, max_keepalive_connections=FLOOD + 10)

    def probe() -> None:
        # A thread of its own: probes queued behind the flood's client tasks would time this
        # process's event loop, not the server's.
        with httpx.Client(base_url=server.url, timeout=60) as prober:
            while not done.is_set():
                started = time.perf_counter()
                prober.get("/healthz")
                health.append(time.perf_counter() - started)
                time.sleep(0.02)

    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:

        async def one() -> None:
            started = time.perf_counter()
            answer = await http.post(
                "/auth/signin",
                json={"email": f"b-{uuid.uuid4().hex}@example.com", "password": "wrong horse 99"},
            )
            latencies.append(time.perf_counter() - started)
            statuses.append(answer.status_code)

        prober = threading.Thread(target=probe)
        prober.start()
        cpu_before = server.cpu_seconds()
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(FLOOD)))
        took = time.perf_counter() - started
        done.set()
        prober.join()
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    print(
        f"  {FLOOD} at once: {counts} in {took:.2f} s, server CPU "
        f"{server.cpu_seconds() - cpu_before:.2f} s; answers p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms, p95 "
        f"{percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        f"/healthz {len(health)} probes p50 {statistics.median(health) * 1000:.1f} ms, max "
        f"{max(health) * 1000:.1f} ms"
    )


def main() -> None:
    print(f"auth: sign-in flood against v7 serve ({cpu()})")
    with served(V7_AUTH_LIMITS=json.dumps(LIMITS)) as server:
        for _ in range(WAVES):
            asyncio.run(wave(server))
