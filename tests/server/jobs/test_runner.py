"""The job runner (`server.jobs.runner`) with a small job of the tests' own: a real
redis-server over TCP for the lock, the table on each engine for the job records."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.asyncio import Redis

from server.jobs.lock import LockHeld, job_lock, lock_key
from server.jobs.runner import JobRefused, UnknownUser, run
from server.redis_url import url_client
from store.records import UserIn
from store.repos import UserRepo
from store.repos.account import AccountRepo
from store.repos.jobs import JobRecordRepo, JobState
from store.table import Table
from tests.clock import FrozenClock, at
from tests.redis_servers import TcpRedis
from tests.server.jobs.sample import PERIOD, Greeting, Outbox, environment

NOW = at("2026-03-09T08:00:00")


async def climbers(table: Table, *names: str) -> list[str]:
    users = UserRepo(table)
    return [(await users.create(name, UserIn(email=f"{name}@example.com"))).id for name in names]


def sent_to(outbox: Outbox) -> list[str]:
    return sorted(email.to for email in outbox.sent)


async def test_a_run_greets_everyone_once_and_a_second_run_sends_nothing(
    table: Table, redis: Redis
) -> None:
    await climbers(table, "ann", "bob", "cat", "later-dan")
    outbox, job = Outbox(), Greeting()
    env = environment(table, redis, outbox, FrozenClock(NOW))
    first = await run(job, env)
    assert first.counts() == {
        "done": 3, "skipped": 1, "failed": 0, "already_done": 0, "in_doubt": 0
    }  # fmt: skip
    second = await run(job, env)
    assert (second.done, second.already_done, second.skipped) == (0, 3, 1)
    assert sent_to(outbox) == ["ann@example.com", "bob@example.com", "cat@example.com"]
    assert first.run_id != second.run_id
    assert await redis.get(lock_key(job.name)) is None  # released for the next run


async def test_a_failed_user_does_not_stop_the_others_and_a_rerun_sends_only_theirs(
    table: Table, redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    ann, bob, cat = await climbers(table, "ann", "bob", "cat")
    outbox, job = Outbox(), Greeting()
    env = environment(table, redis, outbox, FrozenClock(NOW))
    job.fail_for = {"bob@example.com"}
    with caplog.at_level(logging.WARNING, logger="v7.jobs"):
        first = await run(job, env)
    assert (first.done, first.failed) == (2, 1)
    failure = next(r for r in caplog.records if r.getMessage() == "job failed for a user")
    assert (failure.__dict__["user_id"], failure.__dict__["run_id"]) == (bob, first.run_id)
    assert "bob@example.com" not in caplog.text  # the user id, never the address
    # The failed user's claim was released: the mail service is back, a re-run sends theirs.
    job.fail_for = set()
    second = await run(job, env)
    assert (second.done, second.already_done, second.failed) == (1, 2, 0)
    assert sent_to(outbox) == ["ann@example.com", "bob@example.com", "cat@example.com"]
    records = JobRecordRepo(table)
    for user_id in (ann, bob, cat):
        record = await records.get(user_id, job.name, PERIOD, now=NOW)
        assert record is not None
        assert record.state is JobState.DONE


async def test_a_run_that_died_after_its_claim_is_never_redone(table: Table, redis: Redis) -> None:
    ann, _ = await climbers(table, "ann", "bob")
    # A process claimed ann's greeting and died before marking it done: it may have been sent.
    await JobRecordRepo(table).claim(ann, "greeting", PERIOD, run_id="dead-run", now=NOW)
    outbox = Outbox()
    report = await run(Greeting(), environment(table, redis, outbox, FrozenClock(NOW)))
    assert (report.done, report.in_doubt) == (1, 1)
    assert sent_to(outbox) == ["bob@example.com"]  # at most once: ann gets no second email


async def test_two_runners_race_for_the_lock_and_exactly_one_runs(
    table: Table, redis: Redis, tcp_server: TcpRedis
) -> None:
    await climbers(table, "ann", "bob")
    other = url_client(tcp_server.url, 1.0)  # a second process's own client
    try:
        outbox, job = Outbox(), Greeting()
        job.gate = asyncio.Event()
        clock = FrozenClock(NOW)
        first = asyncio.create_task(run(job, environment(table, redis, outbox, clock)))
        second = asyncio.create_task(run(job, environment(table, other, outbox, clock)))
        await job.started.wait()  # one of them is at work, holding the lock
        job.gate.set()
        reports = await asyncio.gather(first, second)
    finally:
        await other.aclose()
    assert sorted(report.lock_held for report in reports) == [False, True]
    assert sum(report.done for report in reports) == 2
    assert sent_to(outbox) == ["ann@example.com", "bob@example.com"]


async def test_a_dry_run_previews_and_changes_nothing_even_without_redis(table: Table) -> None:
    (ann,) = await climbers(table, "ann")
    outbox = Outbox()
    report = await run(Greeting(), environment(table, None, outbox, FrozenClock(NOW)), dry_run=True)
    assert report.dry_run
    assert report.done == 1
    assert [(p.user_id, p.period, p.preview) for p in report.previews] == [
        (ann, PERIOD, {"subject": f"Your {PERIOD}"})
    ]
    assert outbox.sent == []
    assert await JobRecordRepo(table).get(ann, "greeting", PERIOD, now=NOW) is None
    assert "other" not in await AccountRepo(table).export(ann)


async def test_a_real_run_without_redis_is_refused_and_does_nothing(table: Table) -> None:
    await climbers(table, "ann")
    outbox = Outbox()
    with pytest.raises(JobRefused, match="no Redis"):
        await run(Greeting(), environment(table, None, outbox, FrozenClock(NOW)))
    assert outbox.sent == []


async def test_one_user_by_email(table: Table, redis: Redis) -> None:
    await climbers(table, "ann", "bob")
    outbox = Outbox()
    env = environment(table, redis, outbox, FrozenClock(NOW))
    report = await run(Greeting(), env, user_email="BOB@example.com")
    assert (report.done, report.skipped) == (1, 0)
    assert sent_to(outbox) == ["bob@example.com"]
    with pytest.raises(UnknownUser):
        await run(Greeting(), env, user_email="nobody@example.com")


async def test_job_records_are_the_users_and_go_with_the_account(
    table: Table, redis: Redis
) -> None:
    (ann,) = await climbers(table, "ann")
    await run(Greeting(), environment(table, redis, Outbox(), FrozenClock(NOW)))
    assert "other" not in await AccountRepo(table).export(ann)  # internal, not climber data
    await AccountRepo(table).delete_all(ann)
    assert await JobRecordRepo(table).get(ann, "greeting", PERIOD, now=NOW) is None


async def test_a_long_run_keeps_its_lock_past_one_lease(redis: Redis) -> None:
    async with job_lock(redis, "long", lease_ms=300):
        await asyncio.sleep(0.5)  # longer than the lease: renewed meanwhile
        assert await redis.get(lock_key("long")) is not None
        with pytest.raises(LockHeld):
            async with job_lock(redis, "long"):
                pass
    assert await redis.get(lock_key("long")) is None
