"""The SQLite engine when the file misbehaves: corrupt, locked, closed, reopened; and its URLs."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sqlite3
import time
from typing import TYPE_CHECKING

import pytest

from store import init_table, open_table
from store.errors import StoreUnavailable
from store.table import Put

if TYPE_CHECKING:
    from pathlib import Path


def _url(path: Path, **options: int) -> str:
    query = "&".join(f"{name}={value}" for name, value in options.items())
    return f"sqlite:///{path}" + (f"?{query}" if query else "")


async def test_corrupt_file_is_unavailable_quickly(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    path.write_bytes(b"this is certainly not a SQLite database\n" * 200)
    started = time.perf_counter()
    with pytest.raises(StoreUnavailable, match="not a usable database"):
        async with open_table(_url(path), data_dir=tmp_path):
            pass
    assert time.perf_counter() - started < 2
    assert path.read_bytes().startswith(b"this is certainly not")


async def test_write_to_a_locked_file_gives_up_within_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    await init_table(_url(path), data_dir=tmp_path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        async with open_table(_url(path, busy_timeout_ms=300), data_dir=tmp_path) as table:
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1

            ticking = asyncio.create_task(ticker())
            started = time.perf_counter()
            with pytest.raises(StoreUnavailable, match="locked"):
                await table.put({"pk": "USER#u1", "sk": "A"})
            waited = time.perf_counter() - started
            ticking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticking
            # The wait happened on the engine's thread: the loop kept ticking through it.
            assert 0.25 <= waited < 3
            assert ticks >= 10
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def test_locked_new_file_is_unavailable_at_open(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        with pytest.raises(StoreUnavailable, match="locked"):
            async with open_table(_url(path, busy_timeout_ms=200), data_dir=tmp_path):
                pass
        assert time.perf_counter() - started < 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()


async def test_lock_released_lets_writes_through(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    await init_table(_url(path), data_dir=tmp_path)
    async with open_table(_url(path, busy_timeout_ms=2000), data_dir=tmp_path) as table:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        writing = asyncio.create_task(table.put({"pk": "USER#u1", "sk": "A"}))
        await asyncio.sleep(0.2)
        holder.execute("COMMIT")
        holder.close()
        stored = await writing
        assert await table.get("USER#u1", "A") == stored


async def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    url = _url(tmp_path / "v7.db")
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        await table.put({"pk": "USER#u1", "sk": "A", "n": 1.5})
        await table.update("USER#u1", "A", add={"n": 1})
    async with open_table(url, data_dir=tmp_path) as table:
        assert await table.get("USER#u1", "A") == {
            "pk": "USER#u1",
            "sk": "A",
            "n": 2.5,
            "version": 2,
        }


async def test_file_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    message = await init_table(_url(path), data_dir=tmp_path)
    assert str(path) in message
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()


async def test_closed_table_is_unavailable_and_close_is_idempotent(tmp_path: Path) -> None:
    url = _url(tmp_path / "v7.db")
    async with open_table(url, data_dir=tmp_path) as table:
        await table.ping()
    with pytest.raises(StoreUnavailable, match="closed"):
        await table.get("USER#u1", "A")
    await table.aclose()


async def test_default_url_uses_data_dir(tmp_path: Path) -> None:
    message = await init_table("sqlite://", data_dir=tmp_path / "data")
    assert (tmp_path / "data" / "v7.db").is_file()
    assert "created" in message
    assert "ready" in await init_table("sqlite://", data_dir=tmp_path / "data")


async def test_relative_url_is_relative_to_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with open_table("sqlite:///rel/v7.db", data_dir=tmp_path / "unused") as table:
        await table.put({"pk": "USER#u1", "sk": "A"})
    assert (tmp_path / "rel" / "v7.db").is_file()


@pytest.mark.parametrize(
    "url",
    [
        "postgres://x",
        "redis://localhost",
        "sqlite:///x.db?bogus=1",
        "sqlite:///x.db?busy_timeout_ms=-1",
    ],
)
async def test_bad_urls_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match=r"unknown|busy_timeout_ms"):
        async with open_table(url, data_dir=tmp_path):
            pass


async def test_a_large_batch_of_writes_does_not_block_the_event_loop(tmp_path: Path) -> None:
    """A ticker keeps its rhythm while many writes (each fsynced) run on the engine's thread.

    SQLite only: moto's server shares this process and its GIL, so a DynamoDB run would
    measure moto rather than the engine.
    """
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    url = _url(tmp_path / "v7.db")
    async with open_table(url, data_dir=tmp_path) as table:
        # A full collection late in the session (moto's state lives in this process) pauses
        # every thread for up to a second; that is the interpreter, not the engine.
        gc.collect()
        gc.disable()
        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        try:
            for start in range(0, 1000, 100):
                await table.transact(
                    [
                        Put({"pk": "USER#u1", "sk": f"J#{i:04d}", "text": "x" * 700})
                        for i in range(start, start + 100)
                    ]
                )
            await asyncio.gather(
                *(table.put({"pk": "USER#u1", "sk": f"P#{i:04d}"}) for i in range(300))
            )
        finally:
            stop.set()
            await ticking
            gc.enable()
        elapsed = time.perf_counter() - started
        assert len((await table.query("USER#u1")).items) == 1300
    # Blocked, the loop would show few ticks, and one gap as long as a whole write.
    assert len(gaps) >= elapsed / 0.005 / 4
    assert max(gaps) < 0.25
