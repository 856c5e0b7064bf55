"""A sans-I/O harness for the journaling commands: `Chat` on a real table, fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.caller import Caller
from core.errors import HandlerError
from handlers.chat import Chat
from handlers.frames import Reply, Saved, Say
from handlers.session import Outgoing
from store.table import Table
from tests.clock import FrozenClock

NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
"""A Wednesday afternoon (UTC)."""


class Harness:
    """Says things as a user and collects what the handler emits."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.clock = FrozenClock(NOW)
        table.clock = self.clock  # records are stamped at the same instant the chat sees
        self.chat = Chat(table, clock=self.clock)
        self._said = 0

    async def say(self, text: str, user: str = "alice", tier: str = "free") -> list[Outgoing]:
        self._said += 1
        self.clock.advance(timedelta(seconds=1))  # a climber types; time moves on
        out: list[Outgoing] = []

        async def emit(outgoing: Outgoing) -> None:
            out.append(outgoing)

        say = Say(type="say", id=f"c{self._said}", text=text)
        await self.chat.on_say(Caller(user, tier=tier), say, emit)
        return out

    async def saved(self, text: str, user: str = "alice", tier: str = "free") -> Saved:
        """The one `saved` frame a write produces (sent to all of the user's sockets)."""
        out = await self.say(text, user, tier)
        saved = [o for o in out if isinstance(o.frame, Saved)]
        assert len(saved) == 1, out
        assert saved[0].to_all
        frame = saved[0].frame
        assert isinstance(frame, Saved)
        assert frame.reply_to == f"c{self._said}"
        return frame

    async def reply(self, text: str, user: str = "alice", tier: str = "free") -> Reply:
        """The one `reply` frame a read produces (to the asking socket only)."""
        out = await self.say(text, user, tier)
        assert len(out) == 1, out
        assert not out[0].to_all
        frame = out[0].frame
        assert isinstance(frame, Reply)
        return frame

    async def error(self, text: str, user: str = "alice", tier: str = "free") -> HandlerError:
        try:
            out = await self.say(text, user, tier)
        except HandlerError as error:
            return error
        raise AssertionError(f"{text!r} did not fail: {out}")

    async def user_items(self, user: str = "alice") -> list[dict[str, object]]:
        """Everything in the user's partition except undo entries and the conversation's own
        record (what a write changed in the climber's data)."""
        page = await self.table.query(f"USER#{user}")
        return [item for item in page.items if not str(item["sk"]).startswith(("UNDO#", "CHAT#"))]


@pytest.fixture
def chat(table: Table) -> Harness:
    return Harness(table)
