"""Finishing pending erasures as the `finish-erasures` job (`server.jobs.upkeep`) on the one
scheduler: one process at a time under the job's lock, skipped while Redis is down, the loop
outliving a refused run, and a serving process with `V7_SCHEDULER=external` still running it.
A real redis-server over TCP and the table on each engine (SQLite for the serving process);
local accounts (no Cognito)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis

from core.clock import Clock, system_clock
from quotas import load_policy
from server.app import create_app
from server.erasures import Eraser
from server.jobs.job import JobEnv
from server.jobs.lock import lock_key
from server.jobs.runner import JobRefused, run
from server.jobs.schedule import Every
from server.jobs.scheduler import LocalScheduler, Planned
from server.jobs.upkeep import FinishErasures
from server.settings import Settings
from store import init_table, open_table
from store.records import UserIn
from store.repos import UserRepo
from store.repos.erasures import ErasureRepo
from store.table import Table
from tests.redis_servers import TcpRedis
from tests.server.jobs.sample import Outbox

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
LOCK = lock_key("finish-erasures")


async def pending_erasure(table: Table, user_id: str, clock: Clock = lambda: NOW) -> None:
    await UserRepo(table).create(user_id, UserIn(email=f"{user_id}@example.com"))
    await ErasureRepo(table).begin(user_id, username=user_id, email="", now=clock())


def process(table: Table, redis: Redis, clock: Clock = lambda: NOW) -> JobEnv:
    """One server process's clients, as its lifespan hands them to the scheduler."""
    eraser = Eraser(table, redis, None, clock)
    return JobEnv(table, redis, clock, Settings(), load_policy(), Outbox(), eraser=eraser)


async def test_only_the_process_holding_the_lock_runs(table: Table, redis: Redis) -> None:
    await pending_erasure(table, "ann")
    first, second = process(table, redis), process(table, redis)
    await redis.set(LOCK, "another process", ex=60)
    held = await run(FinishErasures(), first)
    assert held.lock_held  # held elsewhere: skipped, nothing done
    assert await ErasureRepo(table).pending("ann")
    await redis.delete(LOCK)  # that run ended
    report = await run(FinishErasures(), second)
    assert report.counts() == {"finished": 1, "pending": 0, "failed": 0}
    assert not await ErasureRepo(table).pending("ann")
    assert await redis.get(LOCK) is None  # released for the next run, wherever it is
    assert (await run(FinishErasures(), first)).counts()["finished"] == 0


async def test_with_redis_down_the_run_is_skipped_and_the_erasure_waits(
    table: Table, redis: Redis, tcp_server: TcpRedis
) -> None:
    await pending_erasure(table, "bob")
    tcp_server.kill()
    with pytest.raises(JobRefused, match="Redis unreachable"):
        await run(FinishErasures(), process(table, redis))
    tombstone = await ErasureRepo(table).get("bob")
    assert tombstone is not None
    assert tombstone.attempts == 0  # not even tried: erasing needs Redis
    tcp_server.start()  # the same client: the server's, which reconnects by itself
    report = await run(FinishErasures(), process(table, redis))
    assert (report.tallies, report.failed) == ({"finished": 1, "pending": 0}, 0)


async def test_the_loop_outlives_refused_runs_and_finishes_the_erasure_once_redis_is_back(
    tmp_path: Path, redis: Redis, tcp_server: TcpRedis
) -> None:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        await pending_erasure(table, "cat", system_clock)
        tcp_server.kill()
        env = process(table, redis, system_clock)  # the real clock: the loop sleeps
        scheduler = LocalScheduler([Planned(FinishErasures(), Every(0.05))], env)
        async with scheduler:
            await asyncio.sleep(0.3)  # several instants, each refused
            assert scheduler.reports == []
            assert await ErasureRepo(table).pending("cat")
            tcp_server.start()
            for _ in range(200):
                if not await ErasureRepo(table).pending("cat"):
                    break
                await asyncio.sleep(0.02)
        assert not await ErasureRepo(table).pending("cat")
        assert scheduler.reports[0].tallies["finished"] == 1


async def test_a_failing_maintenance_run_is_counted_not_raised(table: Table, redis: Redis) -> None:
    await pending_erasure(table, "dan")
    env = process(table, redis)
    unwired = JobEnv(table, redis, env.clock, env.settings, env.policy, env.mailer)  # no Eraser
    report = await run(FinishErasures(), unwired)
    assert (report.failed, report.tallies) == (1, {})
    assert await redis.get(LOCK) is None  # the lock released: the next run may go
    assert (await run(FinishErasures(), env)).tallies == {"finished": 1, "pending": 0}


async def test_a_serving_process_with_eventbridge_jobs_still_finishes_erasures(
    tmp_path: Path, tcp_server: TcpRedis
) -> None:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await init_table(url, data_dir=tmp_path)
    settings = Settings(
        data_dir=tmp_path,
        store_url=url,
        redis_url=tcp_server.url,
        scheduler="external",
        erasure_retry_seconds=0.05,
    )
    app = create_app(settings)
    async with open_table(url, data_dir=tmp_path) as table:
        await pending_erasure(table, "eve", system_clock)
        async with app.router.lifespan_context(app):
            # EventBridge starts the per-climber jobs; the upkeep runs here.
            assert app.state.scheduler.jobs == ["finish-erasures", "media-upkeep"]
            for _ in range(200):
                if not await ErasureRepo(table).pending("eve"):
                    break
                await asyncio.sleep(0.02)
        assert not await ErasureRepo(table).pending("eve")
