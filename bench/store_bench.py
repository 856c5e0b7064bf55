"""Store benchmark: put and query throughput, and the latency of a climber's last 30 days.

The dataset is one climber with three years of daily history: a journal entry a day and two
sends a day (~0.5-1 KB each). The read under test is what the coach does before a reply: the
journal entries and the sends of the last 30 days, as two range queries run concurrently.
Both engines run it: SQLite on a temporary file, and DynamoDB as moto's server on loopback,
which measures this code and moto, not AWS.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import cpu
from store import init_table, open_table

if TYPE_CHECKING:
    from store.table import Item, Page, Table

USER = "USER#bench-climber"
DAYS = 3 * 365
SENDS_PER_DAY = 2
TODAY = date(2026, 11, 22)
WRITE_CONCURRENCY = 16
QUERY_CONCURRENCY = 8
QUERY_COUNT = 300
LATENCY_RUNS = 200
# moto answers a query by scanning the partition in Python (~0.1-0.3 s here), so its runs are
# fewer to keep the whole benchmark under two minutes.
MOTO_QUERY_COUNT = 40
MOTO_LATENCY_RUNS = 50
WORDS = (
    "crimp",
    "sloper",
    "pinch",
    "jug",
    "heel",
    "hook",
    "toe",
    "flag",
    "drop",
    "knee",
    "dyno",
    "deadpoint",
    "project",
    "redpoint",
    "onsight",
    "flash",
    "beta",
    "sequence",
    "pump",
    "forearm",
    "finger",
    "board",
    "hangboard",
    "campus",
    "endurance",
    "power",
    "rest",
    "warm-up",
    "cool-down",
    "overhang",
    "slab",
    "arete",
    "dihedral",
    "roof",
    "mantle",
    "gaston",
    "undercling",
)


def machine() -> str:
    return f"{cpu()}; SQLite {sqlite3.sqlite_version}"


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def dataset(seed: int = 7) -> list[Item]:
    """Three years of one climber's journal entries and sends, oldest first."""
    rng = random.Random(seed)
    items: list[Item] = []
    for offset in range(DAYS, 0, -1):
        day = (TODAY - timedelta(days=offset - 1)).isoformat()
        items.append(
            {
                "pk": USER,
                "sk": f"JOURNAL#{day}#j{offset:05d}",
                "kind": "journal",
                "date": day,
                "title": _text(rng, 4),
                "notes": _text(rng, rng.randint(60, 110)),
                "rpe": rng.randint(3, 10),
                "duration": rng.randint(30, 180),
                "tags": [rng.choice(WORDS) for _ in range(3)],
                "mood": {"energy": rng.random(), "motivation": rng.random()},
            }
        )
        for send in range(SENDS_PER_DAY):
            score = rng.randint(20, 60)
            items.append(
                {
                    "pk": USER,
                    "sk": f"SEND#{day}#s{offset:05d}{send}",
                    "kind": "send",
                    "date": day,
                    "grade": {"system": "font", "text": f"{rng.randint(5, 8)}A", "score": score},
                    "style": rng.choice(["flash", "onsight", "redpoint", "repeat"]),
                    "attempts": rng.randint(1, 30),
                    "notes": _text(rng, rng.randint(40, 80)),
                    "gsi1pk": f"{USER}#BY_GRADE",
                    "gsi1sk": f"{score:03d}#{day}",
                    "gsi2pk": f"{USER}#SIG",
                    "gsi2sk": f"{rng.random():.6f}",
                }
            )
    return items


async def _bounded(calls: list[Callable[[], Awaitable[Any]]], concurrency: int) -> float:
    """Run `calls` at most `concurrency` at a time; the elapsed seconds."""
    queue = list(reversed(calls))

    async def worker() -> None:
        while queue:
            await queue.pop()()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def window(table: Table, end: date, days: int, kind: str) -> Page:
    """The `kind` items (JOURNAL or SEND) of the `days` days up to `end`."""
    start = end - timedelta(days=days - 1)
    # "~" sorts after "#", so the upper bound takes every item of the last day.
    return await table.query(
        USER, sk_from=f"{kind}#{start.isoformat()}", sk_to=f"{kind}#{end.isoformat()}~"
    )


async def last_30_days(table: Table, end: date = TODAY) -> tuple[list[Item], list[Item]]:
    """The climber's journal entries and sends of the 30 days up to `end`, fetched together."""
    journal, sends = await asyncio.gather(
        window(table, end, 30, "JOURNAL"), window(table, end, 30, "SEND")
    )
    return journal.items, sends.items


async def bench_engine(
    label: str,
    url: str,
    data_dir: Path,
    items: list[Item],
    *,
    query_count: int = QUERY_COUNT,
    latency_runs: int = LATENCY_RUNS,
) -> None:
    await init_table(url, data_dir=data_dir)
    async with open_table(url, data_dir=data_dir) as table:
        elapsed = await _bounded([partial(table.put, item) for item in items], WRITE_CONCURRENCY)
        put_rate = len(items) / elapsed

        rng = random.Random(11)
        ends = [TODAY - timedelta(days=rng.randint(0, DAYS - 30)) for _ in range(query_count)]
        kinds = ["JOURNAL", "SEND"] * (query_count // 2)
        elapsed = await _bounded(
            [partial(window, table, end, 30, kind) for end, kind in zip(ends, kinds, strict=True)],
            QUERY_CONCURRENCY,
        )
        query_rate = query_count / elapsed

        journal, sends = await last_30_days(table)  # warm-up, and a check of the answer
        if (len(journal), len(sends)) != (30, 30 * SENDS_PER_DAY):
            raise RuntimeError(f"wrong answer: {len(journal)} entries, {len(sends)} sends")
        latencies: list[float] = []
        for _ in range(latency_runs):
            started = time.perf_counter()
            await last_30_days(table)
            latencies.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"  {label}")
    print(
        f"    put:   {put_rate:9.0f} items/s   ({len(items)} puts, {WRITE_CONCURRENCY} concurrent)"
    )
    print(
        f"    query: {query_rate:9.1f} queries/s ({query_count} 30-day range queries, "
        f"{QUERY_CONCURRENCY} concurrent)"
    )
    print(
        f"    last 30 days (journal + sends): p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms "
        f"over {latency_runs} runs"
    )


def _moto() -> Any:
    from moto.server import ThreadedMotoServer

    # The server's per-request access log would drown the results.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    # Dummy credentials for the loopback server; real ones are never sent anywhere.
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
    )
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server


async def run() -> None:
    items = dataset()
    sizes = [len(repr(item)) for item in items]
    journal_count = sum(1 for item in items if item["kind"] == "journal")
    print("store benchmark")
    print(f"  machine: {machine()}")
    print(
        f"  data: 1 climber, {DAYS} days: {journal_count} journal items + "
        f"{len(items) - journal_count} send items, {min(sizes)}-{max(sizes)} B each "
        f"(mean {statistics.mean(sizes):.0f} B); the read is 30 journal + 60 send items"
    )
    with tempfile.TemporaryDirectory(prefix="v7-bench-") as directory:
        data_dir = Path(directory)
        await bench_engine(
            "sqlite (WAL, synchronous=FULL)", f"sqlite:///{data_dir / 'v7.db'}", data_dir, items
        )
        server = _moto()
        try:
            host, port = server.get_host_and_port()
            url = f"dynamodb://v7-bench?region=us-east-1&endpoint_url=http://{host}:{port}"
            await bench_engine(
                "dynamodb: moto server on loopback, NOT AWS (aioboto3 over HTTP)",
                url,
                data_dir,
                items,
                query_count=MOTO_QUERY_COUNT,
                latency_runs=MOTO_LATENCY_RUNS,
            )
        finally:
            server.stop()


def main() -> None:
    asyncio.run(run())
