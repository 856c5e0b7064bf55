"""The coaching turn, sans-I/O: `Chat` with a `Coach` on a real table, the scripted model, and
an allowance ledger that records how each reservation was settled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from context.assembly import Assembled
from core.caller import Caller
from core.errors import HandlerError
from core.model import Event, Message, Model, Prompt, TextDelta, ToolCall
from core.quota import Allowance, Quota
from handlers.chat import Chat
from handlers.coach import FALLBACK_LABEL, Coach, ModelUnavailable
from handlers.frames import (
    Confirm,
    Dismiss,
    Proposal,
    Reply,
    Saved,
    Say,
    Stop,
    StreamDelta,
    StreamEnd,
    StreamStart,
)
from handlers.proposals import PROPOSE_TOOL, ProposalStore
from handlers.session import AiTicket, Outgoing
from llm.scripted import ScriptedModel
from store.repos.chat import ChatRepo
from store.table import Table

WHEN = datetime(2026, 12, 1, tzinfo=UTC)
QUOTA = Quota(
    ai_messages=Allowance(limit=10, used=1, remaining=9, resets_at=WHEN),
    journal_entries=Allowance(limit=3, used=0, remaining=3, resets_at=WHEN),
)


@dataclass
class Ledger:
    """Our own `Allowances` protocol, recording settlements (the Redis implementation is tested
    against a real Redis in tests/quotas and tests/server)."""

    settled: list[tuple[str, bool, str, int, int]] = field(default_factory=list)
    reserved: int = 0

    async def usage(self, caller: Caller) -> Quota:
        return QUOTA

    async def check_write(self, caller: Caller) -> None:
        return None

    def journal_entry(self, caller: Caller) -> AbstractAsyncContextManager[object]:
        return nullcontext()

    async def release_journal(self, caller: Caller, logged_at: datetime) -> None:
        return None

    async def reserve_ai(self, caller: Caller) -> AiTicket:
        self.reserved += 1
        return f"r{self.reserved}"

    async def settle_ai(
        self,
        ticket: AiTicket,
        *,
        delivered: bool,
        model: str,
        input_tokens: int,
        output_tokens: int,
    ) -> None:
        self.settled.append((str(ticket), delivered, model, input_tokens, output_tokens))


class FixedContext:
    async def assemble(self, caller: Caller, text: str) -> Assembled:
        prompt = Prompt(
            system="You are the coach.",
            messages=[Message(role="user", content=text)],
            tools=[PROPOSE_TOOL],
            max_tokens=1024,
        )
        return Assembled(prompt=prompt, used={"slices": ["test"]})


class Rig:
    def __init__(self, table: Table, model: Model, fallback: Model | None) -> None:
        self.ledger = Ledger()
        self.coach = Coach(
            models={"default": model},
            assembler=FixedContext(),
            chat=ChatRepo(table),
            proposals=ProposalStore(table),
            clock=table.clock,
            allowances=self.ledger,
            fallback=fallback,
        )
        self.chat = Chat(table, clock=table.clock, allowances=self.ledger, coach=self.coach)
        self.frames: list[Outgoing] = []
        self.table = table

    async def emit(self, outgoing: Outgoing) -> None:
        self.frames.append(outgoing)

    async def say(self, text: str, user: str = "alice", say_id: str = "c1") -> None:
        await self.chat.on_say(Caller(user), Say(type="say", id=say_id, text=text), self.emit)

    def of(self, kind: type[Any]) -> list[Any]:
        return [o.frame for o in self.frames if isinstance(o.frame, kind)]


def scripted(**options: Any) -> ScriptedModel:
    defaults: dict[str, Any] = {"ttft": 0.0, "tokens_per_s": 5000, "tokens": 40}
    return ScriptedModel(**{**defaults, **options})


async def test_a_reply_streams_in_order_and_is_saved_with_its_usage(table: Table) -> None:
    rig = Rig(table, scripted(), None)
    await rig.say("how was my week?")
    start, *_ = rig.of(StreamStart)
    deltas: list[StreamDelta] = rig.of(StreamDelta)
    (end,) = rig.of(StreamEnd)
    assert start.reply_to == "c1"
    assert start.model == "scripted"
    assert [d.seq for d in deltas] == list(range(1, len(deltas) + 1))
    assert end.seq == len(deltas)
    assert end.reason == "end"
    assert end.usage.output_tokens == 40
    assert end.quota == QUOTA
    assert all(o.to_all for o in rig.frames)  # every tab of the user sees the stream
    text = "".join(d.text for d in deltas)
    assert len(text.split()) == 40
    history = await ChatRepo(table).recent("alice", 10)
    assert [m.role.value for m in history] == ["user", "assistant"]
    assert history[1].content == text
    assert history[1].usage is not None
    assert history[1].usage.output_tokens == 40
    assert history[1].context_used == {"slices": ["test"]}
    assert history[1].partial is False
    assert rig.ledger.settled == [("r1", True, "scripted", end.usage.input_tokens, 40)]


async def test_a_fast_model_is_coalesced_into_few_frames(table: Table) -> None:
    rig = Rig(table, scripted(tokens=400, tokens_per_s=20_000), None)
    await rig.say("go")
    deltas: list[StreamDelta] = rig.of(StreamDelta)
    assert len("".join(d.text for d in deltas).split()) == 400
    assert len(deltas) < 40  # not one frame per token


async def test_stop_ends_the_stream_fast_saves_the_partial_reply_and_commits(
    table: Table,
) -> None:
    rig = Rig(table, scripted(tokens=500, tokens_per_s=50), None)
    turn = asyncio.create_task(rig.say("tell me everything"))
    while not rig.of(StreamDelta):
        await asyncio.sleep(0.01)
    (start,) = rig.of(StreamStart)
    # (How fast the stream ends is measured by bench/, not asserted here.)
    await rig.chat.on_stop(Caller("alice"), Stop(type="stop", stream=start.stream), rig.emit)
    await turn
    (end,) = rig.of(StreamEnd)
    assert end.reason == "stopped"
    history = await ChatRepo(table).recent("alice", 10)
    assert history[-1].partial is True
    assert rig.ledger.settled[0][1] is True  # something was delivered: committed

    with pytest.raises(HandlerError) as other:
        await rig.chat.on_stop(Caller("bob"), Stop(type="stop", stream=start.stream), rig.emit)
    assert other.value.code == "not_found"


async def test_a_model_failing_before_output_is_refunded_and_reported(table: Table) -> None:
    rig = Rig(table, scripted(fail_after=-1, fail_kind="throttled"), None)
    with pytest.raises(ModelUnavailable):
        await rig.say("hello?")
    (end,) = rig.of(StreamEnd)
    assert end.reason == "error"
    assert rig.of(StreamDelta) == []
    assert rig.ledger.settled == [("r1", False, "scripted", 0, 0)]


async def test_the_offline_coach_answers_labelled_when_the_model_fails(table: Table) -> None:
    fallback = scripted(name="analyst", text="offline coach here", tokens=3)
    rig = Rig(table, scripted(fail_after=-1), fallback)
    await rig.say("hello?")
    text = "".join(d.text for d in rig.of(StreamDelta))
    assert text.startswith(FALLBACK_LABEL)
    assert "offline coach here" in text
    (end,) = rig.of(StreamEnd)
    assert end.reason == "end"
    assert rig.ledger.settled[0][1:3] == (True, "analyst")


async def test_a_model_failing_after_output_keeps_what_was_said(table: Table) -> None:
    rig = Rig(table, scripted(fail_after=5), scripted(name="analyst"))
    await rig.say("hello?")
    (end,) = rig.of(StreamEnd)
    assert end.reason == "error"
    assert len("".join(d.text for d in rig.of(StreamDelta)).split()) == 5
    assert rig.ledger.settled[0][1] is True  # output was delivered: committed
    history = await ChatRepo(table).recent("alice", 10)
    assert history[-1].partial is True


SESSION = {
    "kind": "session",
    "entry": {
        "date": "2026-03-10",
        "sessionType": "gym",
        "duration": 120,
        "gradesCompleted": ["V5", "V5"],
        "physicalCondition": {"soreness": {"fingers": 4}},
    },
}


async def test_a_tool_call_becomes_a_proposal_written_only_on_confirm(table: Table) -> None:
    tool = ToolCall(id="t1", name="propose_entry", arguments=SESSION)
    rig = Rig(table, scripted(tool=tool, tokens=3), None)
    # A question makes it a coaching turn (a report alone never reaches the model).
    await rig.say("did 2 hours at the gym, sent two V5s, fingers a bit sore. Good session?")
    (proposal,) = rig.of(Proposal)
    assert proposal.kind == "session"
    assert proposal.item["duration"] == 120
    assert await JournalCount(table).of("alice") == 0  # proposed, not written

    with pytest.raises(HandlerError) as stranger:  # another climber cannot confirm it
        await rig.chat.on_confirm(
            Caller("mallory"), Confirm(type="confirm", proposal=proposal.id), rig.emit
        )
    assert stranger.value.code == "not_found"

    await rig.chat.on_confirm(
        Caller("alice"), Confirm(type="confirm", proposal=proposal.id), rig.emit
    )
    (saved,) = rig.of(Saved)
    assert saved.kind == "session"
    assert saved.undo
    assert saved.item["duration"] == 120
    assert await JournalCount(table).of("alice") == 1

    with pytest.raises(HandlerError):  # answered once only
        await rig.chat.on_confirm(
            Caller("alice"), Confirm(type="confirm", proposal=proposal.id), rig.emit
        )


async def test_a_dismissed_proposal_writes_nothing(table: Table) -> None:
    tool = ToolCall(id="t1", name="propose_entry", arguments=SESSION)
    rig = Rig(table, scripted(tool=tool, tokens=3), None)
    await rig.say("did 2 hours at the gym, was that enough?")
    (proposal,) = rig.of(Proposal)
    await rig.chat.on_dismiss(
        Caller("alice"), Dismiss(type="dismiss", proposal=proposal.id), rig.emit
    )
    assert rig.of(Reply)[-1].text.startswith("Dismissed")
    assert await JournalCount(table).of("alice") == 0


async def test_an_invalid_proposal_is_never_shown(table: Table) -> None:
    bad = {"kind": "session", "entry": {"duration": 0}}
    rig = Rig(table, scripted(tool=ToolCall(id="t", name="propose_entry", arguments=bad)), None)
    await rig.say("did nothing")
    assert rig.of(Proposal) == []
    assert rig.of(StreamEnd)[0].reason == "end"


async def test_a_refused_proposal_is_logged_naming_each_field(
    table: Table, caplog: pytest.LogCaptureFixture
) -> None:
    bad = {"kind": "session", "entry": {"date": "2026-03-10", "sessionType": "yoga"}}
    rig = Rig(table, scripted(tool=ToolCall(id="t", name="propose_entry", arguments=bad)), None)
    with caplog.at_level(logging.INFO, logger="v7"):
        await rig.say("did yoga")
    (refused,) = [record for record in caplog.records if record.msg == "proposal refused"]
    assert refused.__dict__["reason"] == (
        "the proposed session is not valid: sessionType: Input should be 'gym', 'outdoor', "
        "'board', 'hangboard', 'training' or 'rest'; duration: Field required"
    )


async def test_a_disconnect_cancels_the_model_and_still_settles(table: Table) -> None:
    rig = Rig(table, scripted(tokens=500, tokens_per_s=50), None)
    turn = asyncio.create_task(rig.say("long answer please"))
    while not rig.of(StreamDelta):
        await asyncio.sleep(0.01)
    turn.cancel()  # what the socket loop does when the client goes away
    with pytest.raises(asyncio.CancelledError):
        await turn
    (end,) = rig.of(StreamEnd)
    assert end.reason == "stopped"
    assert rig.ledger.settled[0][1] is True
    with pytest.raises(HandlerError) as gone:  # nothing left running to stop
        await rig.chat.on_stop(Caller("alice"), Stop(type="stop", stream=end.stream), rig.emit)
    assert gone.value.code == "not_found"


@dataclass
class JournalCount:
    table: Table

    async def of(self, user: str) -> int:
        page = await self.table.query(f"USER#{user}", sk_prefix="JOURNAL#")
        return len(page.items)


class BrokenContext:
    async def assemble(self, caller: Caller, text: str) -> Assembled:
        raise RuntimeError("the store is down")


async def test_a_turn_that_fails_before_streaming_refunds_and_sends_no_stream(
    table: Table,
) -> None:
    rig = Rig(table, scripted(), None)
    rig.coach.assembler = BrokenContext()
    with pytest.raises(RuntimeError):
        await rig.say("hello?")
    assert rig.frames == []  # no stream.start, so no stream.end either
    assert rig.ledger.settled == [("r1", False, "scripted", 0, 0)]


@dataclass(frozen=True)
class BuggyModel:
    """A provider with a bug: it raises something other than `ModelError` after `words`."""

    words: int
    name: str = "buggy"
    supports_tools: bool = False

    async def stream(self, prompt: Prompt) -> AsyncGenerator[Event, None]:
        for n in range(self.words):
            yield TextDelta(f"w{n} ")
            await asyncio.sleep(0)
        raise KeyError("choices")


async def test_a_provider_bug_after_output_ends_the_stream_with_error_and_keeps_it_partial(
    table: Table, caplog: pytest.LogCaptureFixture
) -> None:
    rig = Rig(table, BuggyModel(words=3), scripted(name="analyst"))
    with caplog.at_level(logging.ERROR, logger="v7"):
        await rig.say("hello?")
    (end,) = rig.of(StreamEnd)
    assert end.reason == "error"
    assert "".join(d.text for d in rig.of(StreamDelta)) == "w0 w1 w2 "
    history = await ChatRepo(table).recent("alice", 10)
    assert history[-1].role.value == "assistant"
    assert history[-1].content.split() == ["w0", "w1", "w2"]
    assert history[-1].partial is True
    assert history[-1].end_reason == "error"
    assert rig.ledger.settled[0][1] is True  # output was delivered: committed
    (logged,) = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert logged.exc_info is not None  # with its traceback
    assert logged.exc_info[0] is KeyError


async def test_a_provider_bug_before_output_is_refunded_and_reported(table: Table) -> None:
    rig = Rig(table, BuggyModel(words=0), None)
    with pytest.raises(ModelUnavailable):
        await rig.say("hello?")
    (end,) = rig.of(StreamEnd)
    assert end.reason == "error"
    assert rig.ledger.settled == [("r1", False, "buggy", 0, 0)]
    history = await ChatRepo(table).recent("alice", 10)
    assert [m.role.value for m in history] == ["user"]  # no empty answer


async def test_a_turn_stopped_before_any_output_leaves_no_empty_answer(table: Table) -> None:
    rig = Rig(table, scripted(ttft=30.0), None)
    turn = asyncio.create_task(rig.say("are you there?"))
    while not rig.of(StreamStart):
        await asyncio.sleep(0.01)
    (start,) = rig.of(StreamStart)
    await rig.chat.on_stop(Caller("alice"), Stop(type="stop", stream=start.stream), rig.emit)
    await turn
    (end,) = rig.of(StreamEnd)
    assert end.reason == "stopped"
    assert end.seq == 0
    assert rig.ledger.settled[0][1] is False  # nothing delivered: refunded
    history = await ChatRepo(table).recent("alice", 10)
    assert [(m.role.value, m.content) for m in history] == [("user", "are you there?")]


async def test_a_turn_cancelled_before_any_output_leaves_no_empty_answer(table: Table) -> None:
    rig = Rig(table, scripted(ttft=30.0), None)
    turn = asyncio.create_task(rig.say("are you there?"))
    while not rig.of(StreamStart):
        await asyncio.sleep(0.01)
    turn.cancel()  # what a shutdown does
    with pytest.raises(asyncio.CancelledError):
        await turn
    (end,) = rig.of(StreamEnd)
    assert end.reason == "stopped"
    assert rig.ledger.settled[0][1] is False
    history = await ChatRepo(table).recent("alice", 10)
    assert [m.role.value for m in history] == ["user"]
