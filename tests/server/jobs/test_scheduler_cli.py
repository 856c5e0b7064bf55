"""The in-process scheduler firing a job, and `v7 jobs list|run` through `main`, against a
real redis-server and a SQLite table."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from redis.asyncio import Redis

from core.clock import system_clock
from server.app import create_app
from server.cli import main
from server.jobs import registry
from server.jobs.lock import lock_key
from server.jobs.registry import Registered
from server.jobs.schedule import Every, Hourly
from server.jobs.scheduler import LocalScheduler, Planned, planned
from server.redis_url import url_client
from server.settings import Settings
from store import init_table, open_table
from store.records import UserIn
from store.repos import UserRepo
from store.repos.erasures import ErasureRepo
from store.repos.jobs import JobRecordRepo
from tests.redis_servers import TcpRedis
from tests.server.jobs.sample import PERIOD, Greeting, Outbox, environment

Capture = pytest.CaptureFixture[str]
TEST_JOB = Registered("greeting", "a test email", Hourly(5), "tests.server.jobs.sample:Greeting")
MAIL_DOWN = Registered(
    "greeting", "a test email", Hourly(5), "tests.server.jobs.sample:GreetingWhileMailIsDown"
)


async def test_the_local_scheduler_runs_a_job_when_it_is_due(tmp_path: Path, redis: Redis) -> None:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        await UserRepo(table).create("ann", UserIn(email="ann@example.com"))
        outbox = Outbox()
        env = environment(table, redis, outbox, system_clock)  # the real clock: it sleeps
        scheduler = LocalScheduler([Planned(Greeting(), Every(1))], env)
        async with scheduler:
            for _ in range(300):
                if scheduler.reports:  # the run ended (its email went out before)
                    break
                await asyncio.sleep(0.01)
        assert [email.to for email in outbox.sent] == ["ann@example.com"]
        assert scheduler.reports[0].done == 1


def test_a_job_whose_code_is_missing_stops_the_server_from_starting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = Registered("x", "lost in a refactor", Hourly(), "server.reports.nowhere:Job")
    assert [p.job.name for p in planned([TEST_JOB], Settings())] == ["greeting"]
    with pytest.raises(ImportError):
        planned([missing, TEST_JOB], Settings())
    monkeypatch.setattr(registry, "JOBS", (missing, TEST_JOB))
    with pytest.raises(ImportError):
        create_app(Settings())  # before anything is opened or served


@pytest.fixture
def cli(tmp_path: Path, tcp_server: TcpRedis, monkeypatch: pytest.MonkeyPatch) -> str:
    """`v7` configured for a SQLite table and the test's redis-server; the registry holds the
    test job. Yields the store URL."""
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    monkeypatch.setenv("V7_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("V7_STORE_URL", url)
    monkeypatch.setenv("V7_REDIS_URL", tcp_server.url)
    monkeypatch.setattr(registry, "JOBS", (TEST_JOB,))
    return url


def test_jobs_list_names_each_job_its_schedule_and_purpose(
    cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "list"]) == 0
    assert capsys.readouterr().out.strip() == (
        "greeting  hourly at :05 UTC (cron(5 * * * ? *))  a test email"
    )


async def seeded(url: str, tmp_path: Path) -> None:
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        await UserRepo(table).create("ann", UserIn(email="ann@example.com"))


def test_jobs_run_reports_and_exits_by_what_happened(
    cli: str, tmp_path: Path, tcp_server: TcpRedis, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(seeded(cli, tmp_path))
    # The mail service refuses: a user failed, exit status 1, nothing recorded or written.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "JOBS", (MAIL_DOWN,))
        assert main(["jobs", "run", "greeting"]) == 1
    assert "1 failed" in capsys.readouterr().out
    assert not (tmp_path / "outbox").exists()
    assert main(["jobs", "run", "greeting", "--dry-run", "--user", "ann@example.com"]) == 0
    out = capsys.readouterr().out
    assert "(dry run)" in out
    assert f"subject: Your {PERIOD}" in out

    async def hold_the_lock() -> None:
        client = url_client(tcp_server.url, 1.0)
        await client.set(lock_key("greeting"), "another process", ex=60)
        await client.aclose()

    asyncio.run(hold_the_lock())
    assert main(["jobs", "run", "greeting"]) == 2
    assert "already running" in capsys.readouterr().out

    async def records() -> object:
        async with open_table(cli, data_dir=tmp_path) as table:
            return await JobRecordRepo(table).get("ann", "greeting", PERIOD, now=system_clock())

    assert asyncio.run(records()) is None

    async def release_the_lock() -> None:
        client = url_client(tcp_server.url, 1.0)
        await client.delete(lock_key("greeting"))
        await client.aclose()

    asyncio.run(release_the_lock())
    # Sent through the laptop's mailer (V7_MAIL_URL's default, the outbox), once.
    assert main(["jobs", "run", "greeting"]) == 0
    assert "1 done" in capsys.readouterr().out
    assert main(["jobs", "run", "greeting"]) == 0
    assert "1 already done" in capsys.readouterr().out
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert asyncio.run(records()) is not None
    with pytest.raises(SystemExit, match="no job named"):
        main(["jobs", "run", "nothing"])


def test_erasures_are_finished_by_the_job_under_its_lock_or_by_hand_without_one(
    tmp_path: Path, tcp_server: TcpRedis, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    monkeypatch.setenv("V7_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("V7_STORE_URL", url)
    monkeypatch.setenv("V7_REDIS_URL", tcp_server.url)

    async def erasing(*names: str) -> None:
        await init_table(url, data_dir=tmp_path)
        async with open_table(url, data_dir=tmp_path) as table:
            for name in names:
                await UserRepo(table).create(name, UserIn(email=f"{name}@example.com"))
                await ErasureRepo(table).begin(name, username=name, email="", now=system_clock())

    async def lock(held: bool) -> None:
        client = url_client(tcp_server.url, 1.0)
        key = lock_key("finish-erasures")
        await (client.set(key, "a server process", ex=60) if held else client.delete(key))
        await client.aclose()

    assert main(["jobs", "list"]) == 0
    assert "finish-erasures  every 60 s (in the server)" in capsys.readouterr().out
    asyncio.run(erasing("ann"))
    asyncio.run(lock(held=True))  # a serving process is at it
    assert main(["jobs", "run", "finish-erasures"]) == 2
    assert "already running" in capsys.readouterr().out
    # By hand, no lock: an operator may finish erasures whatever Redis says.
    assert main(["users", "finish-erasures"]) == 0
    assert capsys.readouterr().out.strip() == "erasures: 1 finished, 0 pending"
    asyncio.run(erasing("bob"))
    asyncio.run(lock(held=False))
    assert main(["jobs", "run", "finish-erasures", "--dry-run"]) == 0
    assert "1 pending, 0 failed" in capsys.readouterr().out
    assert main(["jobs", "run", "finish-erasures"]) == 0
    assert "1 finished, 0 pending, 0 failed" in capsys.readouterr().out
