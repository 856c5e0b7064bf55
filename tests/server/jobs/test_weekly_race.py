"""The weekly report run by two processes at once, as two tasks started by EventBridge (or two
laptops' schedulers) would: each opens its own table, Redis client and mailer; they leave the
start line together; one holds the job's lock and sends, the other does nothing; a third run
afterwards finds the week done. One email in the outbox, whatever the interleaving."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from redis.asyncio import Redis

from store import init_table, open_table
from store.records.user import Subscription, Tier, UserIn
from store.repos import JournalRepo
from store.repos.users import UserRepo
from tests.clock import FrozenClock, at
from tests.coaching.builders import session
from tests.redis_servers import TcpRedis

INSTANT = "2026-12-07T09:30:00"
"""Monday 7 December 2026, 09:30 UTC: 2026-W49 (30 Nov to 6 Dec) has just ended."""
MONDAY = date(2026, 11, 30)
REPO = Path(__file__).resolve().parents[3]


async def _climber(url: str, data_dir: Path) -> None:
    await init_table(url, data_dir=data_dir)
    async with open_table(url, data_dir=data_dir, clock=FrozenClock(at(INSTANT))) as table:
        user = await UserRepo(table).create(
            "ada",
            UserIn(email="ada@example.com", name="Ada", preferences={"emailReports": True}),
            subscription=Subscription(tier=Tier.PRO),
        )
        for day in range(0, 6, 2):
            await JournalRepo(table).insert(user.id, session(MONDAY + timedelta(days=day)))


async def _racer(url: str, redis_url: str, data_dir: Path, start: str) -> dict[str, int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.server.jobs.racer",
        url,
        redis_url,
        str(data_dir),
        INSTANT,
        start,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    answer: dict[str, int] = json.loads(out.decode().strip().splitlines()[-1])
    return answer


async def test_two_processes_racing_send_one_report_and_a_rerun_sends_nothing(
    tmp_path: Path, tcp_server: TcpRedis
) -> None:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await _climber(url, tmp_path)
    redis = Redis.from_url(tcp_server.url)
    try:
        racers = [
            asyncio.create_task(_racer(url, tcp_server.url, tmp_path, "start")) for _ in range(2)
        ]
        async with asyncio.timeout(60):
            # Both racers block on the start list before running: wait until both are there.
            while sum(1 for c in await redis.client_list() if c.get("cmd") == "blpop") < 2:
                await asyncio.sleep(0.05)
            await redis.rpush("start", "go", "go")
            first, second = await asyncio.gather(*racers)
        await redis.rpush("again", "go")
        third = await _racer(url, tcp_server.url, tmp_path, "again")
    finally:
        await redis.aclose()
    assert sorted([first["done"], second["done"]]) == [0, 1]
    loser = first if first["done"] == 0 else second
    # The loser either met the lock or, if the winner had already finished, its record.
    assert loser["lock_held"] or loser["already_done"] == 1
    assert third["done"] == 0
    assert third["already_done"] == 1
    emails = list((tmp_path / "outbox").glob("*.eml"))
    assert len(emails) == 1
    assert "ada@example.com" in emails[0].read_text()
