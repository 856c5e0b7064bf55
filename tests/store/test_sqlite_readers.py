"""SQLite's reads on their own threads: a slow write never holds up a read, and a read issued
after a write returned always sees it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from store import init_table, open_table
from store.table import Put


async def test_reads_answer_while_a_write_waits_for_a_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v7.db'}?busy_timeout_ms=5000"
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:
        await table.put({"pk": "USER#u1", "sk": "JOURNAL#2026-03-01#a", "n": 1})
        holder = sqlite3.connect(tmp_path / "v7.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process is writing
        try:
            writing = asyncio.create_task(table.put({"pk": "USER#u1", "sk": "B", "n": 2}))
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            item = await table.get("USER#u1", "JOURNAL#2026-03-01#a")
            page = await table.query("USER#u1", sk_prefix="JOURNAL#")
            found = await table.batch_get([("USER#u1", "JOURNAL#2026-03-01#a")])
            waited = time.perf_counter() - started
            assert not writing.done()  # still waiting for the lock...
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await writing  # ...and it goes through once the lock is released
        # The reads did not queue behind the waiting write (it waits up to 5 s).
        assert waited < 1
        assert item is not None
        assert item["n"] == 1
        assert [i["sk"] for i in page.items] == ["JOURNAL#2026-03-01#a"]
        assert found == [item]
        assert (await table.get("USER#u1", "B")) is not None


async def test_a_read_after_a_write_sees_it_even_among_many_concurrent_reads(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await init_table(url, data_dir=tmp_path)
    async with open_table(url, data_dir=tmp_path) as table:

        async def reader() -> None:
            while True:
                await table.query("USER#u1", limit=5)

        noise = [asyncio.create_task(reader()) for _ in range(6)]
        try:
            for n in range(1, 41):
                await table.transact(
                    [
                        Put({"pk": "USER#u1", "sk": f"JOURNAL#{n:04d}", "n": n}),
                        Put({"pk": "USER#u1", "sk": "COUNT", "n": n}),
                    ]
                )
                latest, page = await asyncio.gather(
                    table.get("USER#u1", "COUNT"),
                    table.query("USER#u1", sk_prefix="JOURNAL#", descending=True, limit=1),
                )
                assert latest is not None
                assert latest["n"] == n
                assert page.items[0]["n"] == n
                await table.delete("USER#u1", "COUNT")
                assert await table.get("USER#u1", "COUNT") is None
        finally:
            for task in noise:
                task.cancel()
            await asyncio.gather(*noise, return_exceptions=True)
