"""Weekly report benchmark: one run of the `weekly-report` job over N Pro climbers with reports
on, each with a logged week (four sessions and a send), on SQLite, through the runner (its
lock, a record per climber, the outbox mailer writing one `.eml` each), then a second run that
finds every week done.

What it shows: the cost per climber of reading a week, computing its figures, rendering the
text and HTML and writing the email, and the cost of a re-run (one record read per climber).
The instant is fixed (Monday 7 December 2026, 09:30 UTC) so the week is the same every time.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import cpu
from core.clock import Clock
from quotas import load_policy
from server.jobs.job import JobEnv
from server.jobs.runner import run as run_job
from server.mailers import open_mailer
from server.redis_url import open_redis
from server.reports.weekly import WeeklyReport
from server.settings import Settings
from store import init_table, open_table
from store.records.journal import JournalEntryIn
from store.records.sends import BenchmarkSendIn
from store.records.user import Subscription, Tier, UserIn
from store.repos import JournalRepo, SendRepo
from store.repos.users import UserRepo

CLIMBERS = (50, 200)
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
MONDAY = date(2026, 11, 30)


def _clock() -> Clock:
    return lambda: NOW


async def _climbers(settings: Settings, clock: Clock, count: int) -> None:
    async with open_table(
        settings.resolved_store_url, data_dir=settings.data_dir, clock=clock
    ) as t:
        for index in range(count):
            user = await UserRepo(t).create(
                f"climber{index}",
                UserIn(email=f"climber{index}@example.com", preferences={"emailReports": True}),
                subscription=Subscription(tier=Tier.PRO),
            )
            for day in (0, 2, 4, 5):
                await JournalRepo(t).create(
                    user.id,
                    JournalEntryIn.model_validate(
                        {
                            "date": MONDAY + timedelta(days=day),
                            "sessionType": "gym",
                            "duration": 90,
                            "rpe": 7,
                        }
                    ),
                )
            await SendRepo(t).create(
                user.id,
                BenchmarkSendIn.model_validate(
                    {"date": MONDAY + timedelta(days=4), "grade": "V5", "name": "Roof"}
                ),
            )


async def one(count: int) -> None:
    clock = _clock()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), allowed_origins=["https://v7.example"])
        await init_table(settings.resolved_store_url, data_dir=settings.data_dir)
        await _climbers(settings, clock, count)
        policy = load_policy()
        async with (
            open_table(settings.resolved_store_url, data_dir=settings.data_dir, clock=clock) as t,
            open_redis(settings.redis_url, settings.data_dir) as redis,
            open_mailer(settings, clock) as mailer,
        ):
            env = JobEnv(t, redis, clock, settings, policy, mailer)
            started = time.perf_counter()
            first = await run_job(WeeklyReport(policy), env)
            middle = time.perf_counter()
            second = await run_job(WeeklyReport(policy), env)
            ended = time.perf_counter()
        sent = len(list((Path(tmp) / "outbox").glob("*.eml")))
        print(
            f"{count:>8}   {middle - started:8.2f} s   {(middle - started) / count * 1000:9.1f} ms"
            f"   {sent:>6}   {ended - middle:8.2f} s   {second.already_done:>12}"
            f"   {first.failed + second.failed:>6}"
        )


def main() -> None:
    print(f"weekly report job, SQLite, embedded Redis, outbox mailer; {cpu()}")
    print("climbers   first run   per climber   emails   second run   already done   failed")
    for count in CLIMBERS:
        asyncio.run(one(count))
