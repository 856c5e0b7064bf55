"""One process of `test_weekly_race`: opens its own clients, waits at the start line (a Redis
list both racers block on), runs the weekly report at a fixed instant through the runner, and
prints what it did as one JSON line.

    python -m tests.server.jobs.racer STORE_URL REDIS_URL DATA_DIR INSTANT START_KEY
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from quotas import load_policy
from server.jobs.job import JobEnv
from server.jobs.runner import run
from server.mailers import open_mailer
from server.redis_url import url_client
from server.reports.weekly import WeeklyReport
from server.settings import Settings
from store import open_table
from tests.clock import FrozenClock, at

SITE = "https://v7.example"


async def race(store_url: str, redis_url: str, data_dir: Path, instant: str, start: str) -> None:
    clock = FrozenClock(at(instant))
    settings = Settings(
        data_dir=data_dir, store_url=store_url, redis_url=redis_url, allowed_origins=[SITE]
    )
    policy = load_policy()
    redis = url_client(redis_url, 5.0)
    try:
        async with (
            open_table(store_url, data_dir=data_dir, clock=clock) as table,
            open_mailer(settings, clock) as mailer,
        ):
            env = JobEnv(table, redis, clock, settings, policy, mailer)
            await redis.blpop([start], timeout=30)
            report = await run(WeeklyReport(policy), env)
    finally:
        await redis.aclose()
    print(json.dumps({"lock_held": report.lock_held, **report.counts()}))


if __name__ == "__main__":
    store_url, redis_url, data_dir, instant, start = sys.argv[1:]
    asyncio.run(race(store_url, redis_url, Path(data_dir), instant, start))
