"""Saying a `say` once (sans-I/O): `Idempotency` over this process's memory, and over a store
that is down. The Redis records are exercised through two live servers in
tests/server/test_turns_across_processes.py."""

from __future__ import annotations

import asyncio

import pytest

from handlers.frames import Reply, Say, StreamDelta, StreamEnd, StreamStart
from handlers.idempotency import (
    Execute,
    Idempotency,
    InMemoryRecords,
    Keep,
    Record,
    RecordsUnavailable,
    SayConflict,
    delivers,
)


def say(text: str = "/log gym 1h", say_id: str = "c1") -> Say:
    return Say(type="say", id=say_id, text=text)


class Runs:
    """What each execution did, and what each retry was answered."""

    def __init__(self) -> None:
        self.executed = 0
        self.answered: list[str] = []

    def execute(self, *frames: str, fail: BaseException | None = None, did: bool = True) -> Execute:
        async def run(keep: Keep) -> bool:
            self.executed += 1
            for frame in frames:
                keep(frame)
            if fail is not None:
                raise fail
            return did

        return run

    def answer(self, text: str) -> None:
        self.answered.append(text)


async def test_a_retry_is_answered_with_the_first_frames_and_not_executed() -> None:
    once = Idempotency(InMemoryRecords())
    runs = Runs()
    await once.run("alice", say(), runs.execute('{"a":1}', '{"b":2}'), runs.answer)
    assert runs.answered == []
    await once.run("alice", say(), runs.execute("never"), runs.answer)
    assert runs.executed == 1
    assert runs.answered == ['{"a":1}', '{"b":2}']
    # Another user's say with the same id is theirs alone.
    await once.run("bob", say(), runs.execute(), runs.answer)
    assert runs.executed == 2


async def test_another_text_under_a_used_id_is_a_conflict() -> None:
    once = Idempotency(InMemoryRecords())
    runs = Runs()
    await once.run("alice", say("/log gym 1h"), runs.execute("x"), runs.answer)
    with pytest.raises(SayConflict) as refused:
        await once.run("alice", say("/log gym 2h"), runs.execute("y"), runs.answer)
    assert refused.value.code == "conflict"
    assert runs.executed == 1
    assert runs.answered == []


async def test_a_failed_cancelled_or_empty_run_is_forgotten_so_a_retry_executes() -> None:
    once = Idempotency(InMemoryRecords())
    runs = Runs()
    with pytest.raises(RuntimeError):
        await once.run("alice", say(), runs.execute("err", fail=RuntimeError()), runs.answer)
    with pytest.raises(asyncio.CancelledError):
        await once.run("alice", say(), runs.execute(fail=asyncio.CancelledError()), runs.answer)
    await once.run("alice", say(), runs.execute("start", "end", did=False), runs.answer)
    await once.run("alice", say(), runs.execute("saved"), runs.answer)
    await once.run("alice", say(), runs.execute("never"), runs.answer)
    assert runs.executed == 4
    assert runs.answered == ["saved"]


async def test_a_retry_while_in_progress_waits_for_the_first_run() -> None:
    once = Idempotency(InMemoryRecords(), wait_s=5)
    runs = Runs()
    gate = asyncio.Event()

    async def slow(keep: Keep) -> bool:
        keep("first")
        await gate.wait()
        keep("last")
        return True

    first = asyncio.create_task(once.run("alice", say(), slow, runs.answer))
    await asyncio.sleep(0.01)
    retry = asyncio.create_task(once.run("alice", say(), runs.execute("never"), runs.answer))
    await asyncio.sleep(0.2)
    assert not retry.done()
    gate.set()
    await asyncio.gather(first, retry)
    assert runs.executed == 0
    assert runs.answered == ["first", "last"]


async def test_a_retry_waits_at_most_the_bound_then_is_told_it_is_in_progress() -> None:
    once = Idempotency(InMemoryRecords(), wait_s=0.3)
    runs = Runs()
    gate = asyncio.Event()

    async def stuck(keep: Keep) -> bool:
        await gate.wait()
        return True

    first = asyncio.create_task(once.run("alice", say(), stuck, runs.answer))
    await asyncio.sleep(0.01)
    with pytest.raises(SayConflict) as busy:
        await once.run("alice", say(), runs.execute("never"), runs.answer)
    assert "still in progress" in busy.value.message
    gate.set()
    await first


async def test_a_retry_waiting_on_a_run_that_fails_executes_itself() -> None:
    once = Idempotency(InMemoryRecords(), wait_s=5)
    runs = Runs()
    gate = asyncio.Event()

    async def failing(keep: Keep) -> bool:
        await gate.wait()
        raise RuntimeError("rate limited")

    first = asyncio.create_task(once.run("alice", say(), failing, runs.answer))
    await asyncio.sleep(0.01)
    retry = asyncio.create_task(once.run("alice", say(), runs.execute("ok"), runs.answer))
    await asyncio.sleep(0.1)
    gate.set()
    with pytest.raises(RuntimeError):
        await first
    await retry
    assert runs.executed == 1
    assert runs.answered == []


async def test_an_in_progress_record_whose_run_died_expires() -> None:
    now = [0.0]
    records = InMemoryRecords(clock=lambda: now[0])
    once = Idempotency(records, in_progress_ttl_s=20, wait_s=0, clock=lambda: now[0])
    # A run on a process that died: its record is never refreshed, completed or deleted.
    orphan = Record("in_progress", "f", "dead")
    assert await records.put_in_progress("alice", "c1", orphan, 20) is None
    runs = Runs()
    with pytest.raises(SayConflict):
        await once.run("alice", say(), runs.execute("x"), runs.answer)
    now[0] = 21.0
    await once.run("alice", say(), runs.execute("x"), runs.answer)
    assert runs.executed == 1


async def test_too_much_to_keep_is_answered_with_a_pointer_to_history() -> None:
    once = Idempotency(InMemoryRecords(), max_bytes=10)
    runs = Runs()
    await once.run("alice", say(), runs.execute("x" * 11), runs.answer)
    with pytest.raises(SayConflict) as big:
        await once.run("alice", say(), runs.execute("y"), runs.answer)
    assert "chat history" in big.value.message
    assert runs.executed == 1


class DownStore:
    """A record store that cannot be reached (Redis down)."""

    async def put_in_progress(
        self, user_id: str, say_id: str, record: Record, ttl_s: float
    ) -> Record | None:
        raise RecordsUnavailable("down")

    async def refresh(self, user_id: str, say_id: str, owner: str, ttl_s: float) -> None:
        raise RecordsUnavailable("down")

    async def complete(self, user_id: str, say_id: str, record: Record, ttl_s: float) -> None:
        raise RecordsUnavailable("down")

    async def delete(self, user_id: str, say_id: str, owner: str) -> None:
        raise RecordsUnavailable("down")


async def test_with_the_store_down_retries_are_recognised_in_this_process() -> None:
    once = Idempotency(DownStore())
    runs = Runs()
    await once.run("alice", say(), runs.execute("saved"), runs.answer)
    await once.run("alice", say(), runs.execute("never"), runs.answer)
    assert runs.executed == 1
    assert runs.answered == ["saved"]


def test_a_reply_stopped_before_any_text_did_nothing_anything_else_did() -> None:
    start = StreamStart(stream="s1", reply_to="c1", model="m")
    empty = StreamEnd.model_validate(
        {
            "stream": "s1",
            "seq": 0,
            "reason": "stopped",
            "usage": {"input_tokens": 9, "output_tokens": 0},
        }
    )
    assert not delivers(start)
    assert not delivers(empty)
    assert delivers(StreamDelta(stream="s1", seq=1, text="Rest"))
    assert delivers(empty.model_copy(update={"seq": 1}))
    assert delivers(Reply(reply_to="c1", text="Nothing logged yet"))
