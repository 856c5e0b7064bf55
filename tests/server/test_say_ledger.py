"""The say records in a real redis-server (`server/say_ledger.py`), and what happens to a
retried say when that Redis is gone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from handlers.frames import Say
from handlers.idempotency import Idempotency, Keep, Record, RecordsUnavailable
from server.say_ledger import SayLedger, say_key
from tests.redis_servers import TcpRedis, free_port


@pytest.fixture
async def redis(tmp_path: Path) -> AsyncIterator[Redis]:
    server = TcpRedis(free_port(), tmp_path)
    server.start()
    client = Redis.from_url(server.url)
    try:
        yield client
    finally:
        await client.aclose()
        server.kill()


async def test_one_claim_wins_and_only_its_owner_completes_refreshes_or_deletes(
    redis: Redis,
) -> None:
    ledger = SayLedger(redis)
    mine = Record("in_progress", "f1", "me")
    yours = Record("in_progress", "f1", "you")
    # Two racing claims (on two connections: either may reach Redis first): exactly one is
    # written, and the other gets the winner's record, unchanged.
    claims = await asyncio.gather(
        ledger.put_in_progress("alice", "c1", mine, 20),
        ledger.put_in_progress("alice", "c1", yours, 20),
    )
    assert list(claims) in ([None, mine], [yours, None])
    assert 0 < await redis.pttl(say_key("alice", "c1")) <= 20_000
    if claims[0] is not None:  # "you" won: start over with "me" holding the record
        await ledger.delete("alice", "c1", "you")
        assert await ledger.put_in_progress("alice", "c1", mine, 20) is None

    # Someone else's writes do nothing.
    await ledger.complete("alice", "c1", Record("completed", "f1", "you", ("x",)), 900)
    await ledger.delete("alice", "c1", "you")
    assert await ledger.put_in_progress("alice", "c1", mine, 20) == mine

    await ledger.refresh("alice", "c1", "me", 60)
    assert await redis.pttl(say_key("alice", "c1")) > 20_000
    done = Record("completed", "f1", "me", ('{"type":"saved"}', '{"type":"reply"}'))
    await ledger.complete("alice", "c1", done, 900)
    assert await ledger.put_in_progress("alice", "c1", mine, 20) == done
    assert 880_000 < await redis.pttl(say_key("alice", "c1")) <= 900_000

    too_big = Record("completed", "f2", "me", None)
    assert (
        await ledger.put_in_progress("alice", "c2", Record("in_progress", "f2", "me"), 20) is None
    )
    await ledger.complete("alice", "c2", too_big, 900)
    assert await ledger.put_in_progress("alice", "c2", mine, 20) == too_big

    await ledger.delete("alice", "c1", "me")
    assert await redis.exists(say_key("alice", "c1")) == 0


async def test_with_redis_gone_a_retry_is_recognised_on_the_same_process() -> None:
    gone = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    try:
        ledger = SayLedger(gone)
        with pytest.raises(RecordsUnavailable):
            await ledger.put_in_progress("alice", "c1", Record("in_progress", "f", "me"), 20)
        once = Idempotency(ledger)
        executed: list[str] = []
        answered: list[str] = []

        async def execute(keep: Keep) -> bool:
            executed.append("run")
            keep('{"type":"saved"}')
            return True

        say = Say(type="say", id="c1", text="/log gym 1h")
        await once.run("alice", say, execute, answered.append)
        await once.run("alice", say, execute, answered.append)
        assert executed == ["run"]
        assert answered == ['{"type":"saved"}']
    finally:
        await gone.aclose()
