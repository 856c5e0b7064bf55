"""What a journal write costs the climber, the same for a slash command and a confirmed proposal:
the journal-write rate for every write, one of the week's journal entries for a session (kept
once written, given back when nothing is written), nothing for a command that only reads.

An `Allowances` that records what was asked of it; the Redis implementation is tested against a
real Redis in tests/quotas and tests/server (test_quotas_server.py, also for the REST create)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from core.caller import Caller
from core.errors import HandlerError
from core.quota import Allowance, Quota
from handlers.chat import Chat
from handlers.frames import Confirm, Saved
from handlers.journaling import journal_write
from handlers.proposals import ProposalStore
from handlers.session import AiTicket, Outgoing
from quotas.errors import QuotaExceeded, RateLimited
from store.errors import StoreUnavailable
from store.table import Table
from tests.handlers.conftest import NOW, Harness

QUOTA = Quota(
    ai_messages=Allowance(limit=10, used=0, remaining=10, resets_at=NOW),
    journal_entries=Allowance(limit=3, used=1, remaining=2, resets_at=NOW),
)


@dataclass
class Recorder:
    """Our own `Allowances`: records each check, and refuses when told to."""

    asked: list[str] = field(default_factory=list)
    rate_used_up: bool = False
    entries_used_up: bool = False

    async def usage(self, caller: Caller) -> Quota:
        return QUOTA

    async def check_write(self, caller: Caller) -> None:
        self.asked.append("rate")
        if self.rate_used_up:
            raise RateLimited("journal_writes", 1000)

    def journal_entry(self, caller: Caller) -> AbstractAsyncContextManager[object]:
        return self._entry()

    async def release_journal(self, caller: Caller, logged_at: datetime) -> None:
        self.asked.append(f"release {logged_at.isoformat()}")

    @asynccontextmanager
    async def _entry(self) -> AsyncIterator[None]:
        self.asked.append("hold entry")
        if self.entries_used_up:
            raise QuotaExceeded("journal_entries", NOW, 3, 3, now=NOW)
        try:
            yield
        except BaseException:
            self.asked.append("give back")
            raise
        self.asked.append("keep")

    async def reserve_ai(self, caller: Caller) -> AiTicket:
        raise AssertionError("no AI message is involved")

    async def settle_ai(
        self,
        ticket: AiTicket,
        *,
        delivered: bool,
        model: str,
        input_tokens: int,
        output_tokens: int,
    ) -> None:
        raise AssertionError("no AI message is involved")


@pytest.fixture
def recorder(chat: Harness) -> Recorder:
    """The harness's `Chat`, now with allowances."""
    allowances = Recorder()
    chat.chat = Chat(chat.table, clock=chat.clock, allowances=allowances)
    return allowances


@pytest.mark.parametrize("text", ["/help", "/history", "/stats", "/insights"])
async def test_reading_commands_cost_nothing(chat: Harness, recorder: Recorder, text: str) -> None:
    await chat.reply(text)
    assert recorder.asked == []


async def test_a_send_counts_against_the_rate_but_takes_no_weekly_entry(
    chat: Harness, recorder: Recorder
) -> None:
    saved = await chat.saved("/send V5")
    assert recorder.asked == ["rate"]
    assert saved.quota == QUOTA  # every `saved` frame says where the climber now stands


async def test_a_session_counts_the_rate_then_keeps_one_weekly_entry(
    chat: Harness, recorder: Recorder
) -> None:
    saved = await chat.saved("/log gym 90min")
    assert recorder.asked == ["rate", "hold entry", "keep"]
    assert saved.quota == QUOTA


async def test_a_session_that_is_not_written_gives_its_entry_back(
    chat: Harness, recorder: Recorder
) -> None:
    error = await chat.error("/log gym rpe 7")  # no duration
    assert error.code == "invalid_entry"
    assert recorder.asked == ["rate", "hold entry", "give back"]
    assert await chat.user_items() == []


async def test_over_the_rate_nothing_is_written_and_no_entry_is_held(
    chat: Harness, recorder: Recorder
) -> None:
    recorder.rate_used_up = True
    with pytest.raises(RateLimited):
        await chat.say("/log gym 90min")
    assert recorder.asked == ["rate"]
    assert await chat.user_items() == []


async def test_without_a_weekly_entry_left_no_session_is_written(
    chat: Harness, recorder: Recorder
) -> None:
    recorder.entries_used_up = True
    with pytest.raises(QuotaExceeded):
        await chat.say("/log gym 90min")
    assert recorder.asked == ["rate", "hold entry"]
    assert await chat.user_items() == []
    assert (await chat.saved("/send V5")).kind == "send"  # other writes are not capped weekly


SESSION = {"date": "2026-03-10", "sessionType": "gym", "duration": 120}
SEND = {"date": "2026-03-10", "grade": "V5"}


@pytest.mark.parametrize(
    ("kind", "entry", "asked"),
    [
        ("session", SESSION, ["rate", "hold entry", "keep"]),
        ("send", SEND, ["rate"]),
    ],
)
async def test_a_confirmed_proposal_costs_what_its_command_costs(
    table: Table,
    chat: Harness,
    recorder: Recorder,
    kind: str,
    entry: dict[str, Any],
    asked: list[str],
) -> None:
    alice = Caller("alice")
    proposal = await ProposalStore(table).propose(alice, None, kind, entry, NOW)
    out: list[Outgoing] = []

    async def emit(outgoing: Outgoing) -> None:
        out.append(outgoing)

    await chat.chat.on_confirm(alice, Confirm(type="confirm", proposal=proposal.id), emit)
    (saved,) = [o.frame for o in out if isinstance(o.frame, Saved)]
    assert saved.kind == kind
    assert saved.quota == QUOTA
    assert recorder.asked == asked


async def test_without_allowances_a_write_is_not_counted() -> None:
    written: list[str] = []
    async with journal_write(None, Caller("alice"), session=True):
        written.append("entry")
    assert written == ["entry"]


async def test_a_write_that_raises_gives_its_entry_back_and_the_error_stands() -> None:
    recorder = Recorder()
    with pytest.raises(HandlerError, match="store said no"):
        async with journal_write(recorder, Caller("alice"), session=True):
            raise HandlerError("store said no")
    assert recorder.asked == ["rate", "hold entry", "give back"]


async def test_undoing_a_session_gives_back_the_entry_it_took(
    chat: Harness, recorder: Recorder
) -> None:
    saved = await chat.saved("/log gym 90min 3 days ago")
    logged_at = saved.item["createdAt"]
    recorder.asked.clear()
    undone = await chat.saved("/undo")
    # Given back by when it was logged, not by the session's date; before the `saved` frame,
    # whose quota already counts it.
    assert recorder.asked == ["rate", f"release {datetime.fromisoformat(logged_at).isoformat()}"]
    assert undone.quota == QUOTA


async def test_undoing_anything_but_a_session_gives_nothing_back(
    chat: Harness, recorder: Recorder
) -> None:
    await chat.saved("/send V5")
    await chat.saved("/undo")
    assert not [asked for asked in recorder.asked if asked.startswith("release")]


async def confirm(chat: Harness, proposal_id: str) -> list[Outgoing]:
    out: list[Outgoing] = []

    async def emit(outgoing: Outgoing) -> None:
        out.append(outgoing)

    await chat.chat.on_confirm(Caller("alice"), Confirm(type="confirm", proposal=proposal_id), emit)
    return out


async def test_a_refused_confirm_keeps_the_proposal_to_try_again(
    table: Table, chat: Harness, recorder: Recorder
) -> None:
    proposal = await ProposalStore(table).propose(Caller("alice"), None, "session", SESSION, NOW)
    recorder.entries_used_up = True
    with pytest.raises(QuotaExceeded):
        await confirm(chat, proposal.id)
    assert recorder.asked == ["rate", "hold entry"]
    assert [item["sk"] for item in await chat.user_items()] == [f"PROPOSAL#{proposal.id}"]

    recorder.entries_used_up = False
    out = await confirm(chat, proposal.id)
    assert [o.frame.kind for o in out if isinstance(o.frame, Saved)] == ["session"]
    with pytest.raises(HandlerError) as again:  # answered once only
        await confirm(chat, proposal.id)
    assert again.value.code == "not_found"


async def test_a_confirm_whose_write_fails_can_be_confirmed_again(
    table: Table, chat: Harness, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal = await ProposalStore(table).propose(Caller("alice"), None, "session", SESSION, NOW)
    journal = chat.chat._repos.journal

    async def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise StoreUnavailable("the store is down")

    with monkeypatch.context() as patched:
        patched.setattr(journal, "create", unavailable)
        with pytest.raises(StoreUnavailable):
            await confirm(chat, proposal.id)
    assert recorder.asked == ["rate", "hold entry", "give back"]
    out = await confirm(chat, proposal.id)
    (saved,) = [o.frame for o in out if isinstance(o.frame, Saved)]
    assert saved.item["duration"] == 120


async def test_two_tabs_confirming_at_once_write_one_entry(
    table: Table, chat: Harness, recorder: Recorder
) -> None:
    proposal = await ProposalStore(table).propose(Caller("alice"), None, "session", SESSION, NOW)
    results = await asyncio.gather(
        confirm(chat, proposal.id), confirm(chat, proposal.id), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1
    assert isinstance(refused[0], HandlerError)
    assert refused[0].code == "not_found"
    journal = [i for i in await chat.user_items() if str(i["sk"]).startswith("JOURNAL#")]
    assert len(journal) == 1
    # One entry kept. The other tab is refused either before it asks for anything (the
    # proposal was already gone when it looked) or after holding an entry, which it gives back.
    asked = recorder.asked
    assert asked.count("keep") == 1
    assert asked.count("hold entry") == 1 + asked.count("give back")
    assert asked.count("rate") == asked.count("hold entry")
