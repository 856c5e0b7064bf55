"""The context cache across processes: two stacks (table, generations in one real redis-server,
cache, coach context, the chat's command handler) on one SQLite file stand for two server
processes. Whatever one of them writes, the other's next turn is told, exactly as a context
computed afresh from the table; Redis down means no cache and still the right answer; a new
day, another zone, or an old entry computes afresh."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from context.assembly import CoachContext
from context.cache import ContextCache
from context.generations import RedisGenerations, users_changed
from core.caller import Caller
from handlers.chat import Chat
from handlers.frames import Say
from handlers.import_jobs import begin, run_import
from handlers.session import Outgoing
from logbooks import FormatName
from server.redis_url import url_client
from store import init_table, open_table
from store.records.chat import ChatMessageIn, Role
from store.records.user import UserIn
from store.repos.account import AccountRepo
from store.repos.chat import ChatRepo
from store.repos.journal import JournalRepo
from store.repos.users import UserRepo
from store.table import Table
from tests.clock import FrozenClock, at
from tests.coaching.builders import session
from tests.context.test_reads import Watched
from tests.redis_servers import TcpRedis

SAMPLES = Path(__file__).parent.parent / "logbooks" / "samples"
NOW = at("2026-03-20T12:00:00")
"""A Friday noon, UTC: the sample logbook's days (14 and 15 March) are within 30 days."""
CLIMBER = Caller("alice", tier="premium")
QUESTION = "how is my training going?"


@dataclass
class Process:
    """One server process's parts that matter here."""

    table: Table
    cache: ContextCache
    context: CoachContext
    chat: Chat

    async def say(self, text: str) -> list[Outgoing]:
        out: list[Outgoing] = []

        async def emit(outgoing: Outgoing) -> None:
            out.append(outgoing)

        await self.chat.on_say(CLIMBER, Say(type="say", id="c1", text=text), emit)
        return out

    async def turn(self, caller: Caller = CLIMBER) -> dict[str, Any]:
        """What the coach is shown for a turn: the prompt and the summary of what it used."""
        assembled = await self.context.assemble(caller, QUESTION)
        return {"prompt": assembled.prompt.model_dump(), "used": assembled.used}

    async def fresh(self, caller: Caller = CLIMBER) -> dict[str, Any]:
        """The same turn read and computed from the table, no cache at all."""
        uncached = CoachContext(self.table, clock=self.table.clock)
        assembled = await uncached.assemble(caller, QUESTION)
        return {"prompt": assembled.prompt.model_dump(), "used": assembled.used}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
async def processes(
    tmp_path: Path, tcp_server: TcpRedis, clock: FrozenClock
) -> AsyncIterator[tuple[Process, Process]]:
    url = f"sqlite:///{tmp_path / 'v7.db'}"
    await init_table(url, data_dir=tmp_path)
    async with AsyncExitStack() as stack:
        pair = []
        for _ in range(2):
            table = await stack.enter_async_context(open_table(url, data_dir=tmp_path, clock=clock))
            redis: Redis = url_client(tcp_server.url, 0.5)
            stack.push_async_callback(redis.aclose)
            cache = ContextCache()
            generations = RedisGenerations(redis, forget=cache.forget)
            table.on_write(generations.bump)
            context = CoachContext(table, clock=clock, generations=generations, cache=cache)
            pair.append(Process(table, cache, context, Chat(table, clock=clock)))
        yield pair[0], pair[1]


async def assert_sees_it(reader: Process, before: dict[str, Any], what: str) -> dict[str, Any]:
    """`reader`'s next turn is the fresh one, and the write changed what the coach is shown."""
    told = await reader.turn()
    assert told == await reader.fresh(), what
    assert told != before, f"{what} changed nothing the coach is shown"
    return told


async def test_every_kind_of_write_on_one_process_reaches_the_next_turn_on_the_other(
    processes: tuple[Process, Process], clock: FrozenClock
) -> None:
    reader, writer = processes
    await writer.say("/log gym 90min rpe 7 sent V4 V5 fingers 3")
    shown = await reader.turn()
    assert (await reader.turn()) == shown
    assert reader.cache.hits == 1  # a second turn with nothing written is served from cache
    writes = [
        ("a journal entry", "/log board 60min rpe 8 tried V7 notes: limit moves"),
        ("a send", '/send V7 "Midnight Lightning" outdoor attempts 12'),
        ("a goal", "/goal V8 boulder by 2027-06-30"),
        ("an injury", "/injury ring finger A2 pulley strain"),
        ("a meal", "/meal lunch 650kcal protein 35 carbs 80 fat 20"),
        ("the nutrition profile", "/nutrition weight 68kg height 170cm age 30 sex female"),
        ("the athlete profile", "/profile boulder V6 sport 7a+"),
        ("a training plan", "/plan new V8 by 2027-06-30"),
        ("an edit", "/edit 1 V8"),
        ("a delete", "/delete 2"),
        ("an undo", "/undo"),
    ]
    for what, text in writes:
        if text.startswith(("/edit", "/delete")):
            await writer.say("/history")  # the numbers /edit and /delete refer to
            assert (await reader.turn()) == shown  # a listing is not a write to the records
        out = await writer.say(text)
        assert out, what
        clock.advance(timedelta(seconds=1))
        shown = await assert_sees_it(reader, shown, what)
    hits = reader.cache.hits
    await reader.turn()
    assert reader.cache.hits == hits + 1

    # An import writes only into an account that exists (the profile: not a context write).
    await UserRepo(writer.table).create(CLIMBER.user_id, UserIn(email="alice@example.com"))
    assert (await reader.turn()) == shown
    await begin(writer.table, clock, CLIMBER.user_id, "j1", "ticks.csv", None)
    data = (SAMPLES / "mountainproject.csv").read_bytes()
    await run_import(writer.table, clock, CLIMBER.user_id, "j1", data, FormatName.MOUNTAIN_PROJECT)
    shown = await assert_sees_it(reader, shown, "an import")

    await AccountRepo(writer.table).delete_all(CLIMBER.user_id)
    await assert_sees_it(reader, shown, "an erasure")


async def test_a_coaching_turns_own_chat_history_keeps_the_cache(
    processes: tuple[Process, Process], clock: FrozenClock
) -> None:
    reader, writer = processes
    await writer.say("/log gym 90min rpe 7 sent V4")
    await reader.turn()
    message = ChatMessageIn(role=Role.USER, content=QUESTION)
    await ChatRepo(writer.table).append(CLIMBER.user_id, message)
    told = await reader.turn()
    assert reader.cache.hits == 1
    # The conversation is read fresh every turn: the new message is there all the same.
    assert told == await reader.fresh()
    assert QUESTION in str(told["prompt"]["messages"][0])


async def test_with_redis_down_no_cache_is_used_and_every_answer_is_right(
    processes: tuple[Process, Process],
    tcp_server: TcpRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reader, writer = processes
    await writer.say("/log gym 90min rpe 7 sent V4")
    await reader.turn()
    tcp_server.kill()
    with caplog.at_level(logging.WARNING, "v7.context.cache"):
        # The write succeeds; its invalidation cannot reach the other process...
        await writer.say("/log board 60min rpe 9 sent V6")
        # ...which, unable to read the generation, uses no cache: the write is seen.
        told = await reader.turn()
        assert told == await reader.fresh()
        assert "V6" in str(told)
        assert (await reader.turn()) == told
    assert reader.cache.hits == 0
    assert any("context computed without its cache" in r.message for r in caplog.records)
    assert any("not invalidated on other processes" in r.message for r in caplog.records)
    # Redis back, empty: a generation no entry was made under, so nothing stale is served.
    tcp_server.start()
    assert (await reader.turn()) == await reader.fresh()
    assert reader.cache.hits == 0
    await reader.turn()
    assert reader.cache.hits == 1


async def test_a_new_day_another_zone_or_an_old_entry_computes_afresh(
    processes: tuple[Process, Process], clock: FrozenClock
) -> None:
    reader, writer = processes
    clock.now = at("2026-03-20T23:57:00")
    await writer.say("/log gym 90min rpe 7 sent V4 fingers 3")
    friday = await reader.turn()
    clock.advance(timedelta(minutes=2))  # 23:59 UTC, still Friday: cached
    assert (await reader.turn()) == friday
    assert reader.cache.hits == 1
    clock.advance(timedelta(minutes=2))  # Saturday, nothing written
    saturday = await reader.turn()
    assert reader.cache.hits == 1
    assert saturday == await reader.fresh()
    assert "Today: 2026-03-21" in str(saturday)
    # In Los Angeles it is still Friday afternoon: computed for that zone and its date.
    angeleno = Caller(CLIMBER.user_id, tier=CLIMBER.tier, timezone="America/Los_Angeles")
    there = await reader.turn(angeleno)
    assert "Today: 2026-03-20" in str(there)
    assert there == await reader.fresh(angeleno)
    assert reader.cache.hits == 1
    assert (await reader.turn(angeleno)) == there
    assert reader.cache.hits == 2
    clock.advance(timedelta(minutes=6))  # older than the cache's maximum age (5 minutes)
    await reader.turn(angeleno)
    assert reader.cache.hits == 2


async def test_the_cache_keeps_the_most_recently_used_climbers() -> None:
    cache = ContextCache(max_users=2)
    for name in ("a", "b"):
        cache.put(name, "g1", None, NOW, _derived())
    assert cache.get("a", "g1", NOW.date(), None, NOW) is not None  # a is now the most recent
    cache.put("c", "g1", None, NOW, _derived())
    assert len(cache) == 2
    assert cache.get("b", "g1", NOW.date(), None, NOW) is None
    assert cache.get("a", "g1", NOW.date(), None, NOW) is not None
    assert cache.get("a", "g2", NOW.date(), None, NOW) is None  # written since
    cache.put("a", None, None, NOW, _derived())  # computed without a generation: not kept
    assert cache.get("a", "g1", NOW.date(), None, NOW) is None


def test_which_writes_change_a_climbers_context() -> None:
    kept = [
        ("USER#alice", "CHAT#2026-03-20T12:00:00#m1"),
        ("USER#alice", "USAGE#2026-03"),
        ("USER#alice", "UNDO#t1"),
        ("USER#alice", "PROPOSAL#p1"),
        ("USER#alice", "VIEW#HISTORY"),
        ("USER#alice", "PROFILE"),
        ("USER#alice", "IMPORT#j1"),
        ("EMAIL#alice@example.com", "USER"),
        ("TEMPLATE#coaching", "t1"),
    ]
    assert users_changed(kept) == set()
    changing = [
        ("USER#alice", "JOURNAL#2026-03-20#e1"),
        ("USER#bob", "SEND#2026-03-20#s1"),
        ("USER#carol", "NUTRITION#2026-03-20"),
        ("USER#dan", "ATHLETE"),
        ("USER#erin", "SOMETHING#NEW"),  # a kind nobody listed counts: the safe default
    ]
    assert users_changed(changing) == {"alice", "bob", "carol", "dan", "erin"}


def _derived() -> Any:
    from coaching.analytics.common import Period, Window
    from coaching.analytics.summary import Inputs
    from context.derived import derive

    empty = Inputs([], [], [], [], [], [], [], None, None)
    return derive(empty, Window(Period("30d"), NOW.date(), None), None)


async def test_a_cold_turn_reads_in_one_wave_and_a_warm_one_reads_only_the_conversation(
    table: Table, tcp_server: TcpRedis
) -> None:
    """On both engines: after the generation, every read of a turn is in flight at once
    (DynamoDB pays one round trip for them all); with the cache, only the conversation, the
    templates and the library are read."""
    table.clock = FrozenClock(NOW)
    await JournalRepo(table).insert("alice", session(NOW.date(), 90, 7))
    redis = url_client(tcp_server.url, 0.5)
    try:
        cache = ContextCache()
        cold = Watched(table, expected=16)
        context = CoachContext(
            cold, clock=table.clock, generations=RedisGenerations(redis), cache=cache
        )
        await context.assemble(CLIMBER, "how much protein should I eat?")
        assert cold.reads == 16
        assert cold.most == 16
        warm = Watched(table, expected=4)
        context = CoachContext(
            warm, clock=table.clock, generations=RedisGenerations(redis), cache=cache
        )
        await context.assemble(CLIMBER, "how much protein should I eat?")
        assert cache.hits == 1
        # The conversation, the nutrition and coaching templates, the exercise library.
        assert warm.reads == 4
        assert warm.most == 4
    finally:
        await redis.aclose()
