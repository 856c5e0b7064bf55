"""Quota benchmark: limiter checks per second and check latency against the embedded Redis.

The app's own setup: `open_redis("embedded://")` (a `redis-server` child on a unix socket,
append-only file on, `appendfsync everysec`) and one client with its production options
(100 ms command timeout, a pool of up to 64 connections). Two checks, each run by 50
concurrent tasks, every task its own user:

* rate limit: one GCRA script (`RateLimiter.check`, the REST/AI/journal limiter);
* AI reserve + refund: the two scripts a failed coaching turn costs (`Quotas.reserve` then
  `Quotas.refund`); the counters are seeded from SQLite once per user before timing starts.

Latency is per check as the caller sees it (queueing behind the other 49 tasks included); a
sequential run of each (one task) shows the bare round trip.
A check that hit the 100 ms timeout would take the degraded path; the count is printed.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.common import cpu
from core.clock import system_clock
from quotas import Quotas, RateLimiter, load_policy
from server.embedded_redis import redis_server_binary
from server.redis_url import open_redis
from store import init_table, open_table

CONCURRENCY = 50
CHECKS = 20_000
WARMUP = 1_000
SEQUENTIAL = 3_000


def machine() -> str:
    version = subprocess.run(  # noqa: S603 - our own packaged binary, fixed arguments
        [str(redis_server_binary()), "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    redis_version = next((v[2:] for v in version if v.startswith("v=")), "?")
    return f"{cpu()}; redis-server {redis_version}"


async def measure(
    label: str,
    check: Callable[[int], Awaitable[bool]],
    total: int = CHECKS,
    concurrency: int = CONCURRENCY,
) -> None:
    """Run `check(task_index)` `total` times from `concurrency` tasks; print rate and latency.
    `check` returns True when it took the degraded path."""
    latencies: list[float] = []
    degraded = 0
    per_task = total // concurrency

    async def worker(index: int) -> None:
        nonlocal degraded
        for _ in range(per_task):
            started = time.perf_counter()
            degraded += await check(index)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    print(f"  {label}")
    print(
        f"    {len(latencies) / wall:9.0f} checks/s   ({len(latencies)} checks, "
        f"{concurrency} concurrent task{'s' if concurrency > 1 else ''}, one client)"
    )
    print(
        f"    latency p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms, max {max(latencies):.2f} ms; "
        f"degraded (timed out) {degraded}"
    )


async def run() -> None:
    # Degraded-path warnings would interleave with the results; they are counted instead.
    logging.getLogger("quotas").setLevel(logging.ERROR)
    print("quota benchmark")
    print(f"  machine: {machine()}")
    policy = load_policy()
    with tempfile.TemporaryDirectory(prefix="v7-qbench-") as directory:
        data_dir = Path(directory)
        url = f"sqlite:///{data_dir / 'v7.db'}"
        await init_table(url, data_dir=data_dir)
        async with (
            open_table(url, data_dir=data_dir) as table,
            open_redis("embedded://", data_dir) as redis,
        ):
            limiter = RateLimiter(redis, policy)
            quotas = Quotas(redis, policy, table, clock=system_clock)
            users = [f"bench-{i}" for i in range(CONCURRENCY)]

            async def rate_check(index: int) -> bool:
                return (await limiter.check(users[index], "pro", "rest_calls")).degraded

            async def reserve_refund(index: int) -> bool:
                reservation = await quotas.reserve(users[index], "free")
                await quotas.refund(reservation)
                return reservation.degraded

            await measure("warm-up", rate_check, WARMUP)
            await measure("warm-up", reserve_refund, WARMUP)
            print("  results:")
            await measure("rate limit check (GCRA, 1 script)", rate_check)
            await measure("AI reserve + refund (2 scripts)", reserve_refund)
            print("  one task at a time (the round trip itself, no queueing):")
            await measure("rate limit check", rate_check, SEQUENTIAL, 1)
            await measure("AI reserve + refund", reserve_refund, SEQUENTIAL, 1)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
