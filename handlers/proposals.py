"""Entries proposed by the coach (the model's tool use, or the offline parser), written only when
the climber confirms them.

A proposal is validated when it is made (an invalid one is never shown), kept for a day in the
caller's own partition (`store.repos.proposals`), and written on `confirm` through the
same repositories, journal allowance and undo log as a slash command. A confirm is checked
before the proposal is consumed, and a write that fails puts it back (`ProposalStore.claimed`),
so a refused or failed confirm can be tried again. The user id always comes from the verified
caller: nothing the model says can address another climber.

A meal (kind "meal") is proposed as `ProposedMeal`, the meal and the day it was eaten; confirming
it appends it to that day's nutrition log exactly as `/meal` does (`handlers/commands/meal.py`),
undone by putting the day back. Like `/meal`, it is not one of the week's journal entries.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from core.caller import Caller
from core.errors import HandlerError, InvalidEntry
from core.model import ToolSpec
from core.validation import one_line, problems
from handlers.commands.context import Repos, Turn
from handlers.commands.meal import DayWritten, adding_meal, day_saved, write_day
from handlers.frames import Proposal, Reply
from handlers.session import Emit, Outgoing
from handlers.undo import Entity, UndoAction
from store.records.athlete import Goal, GoalIn, Injury, InjuryIn
from store.records.common import PastDate, at_ingest
from store.records.journal import JournalEntry, JournalEntryIn
from store.records.nutrition import MealIn
from store.records.sends import BenchmarkSend, BenchmarkSendIn
from store.repos.proposals import ProposalRepo, StoredProposal
from store.table import Table

log = logging.getLogger("v7.proposals")

LIFETIME = timedelta(days=1)


class ProposedMeal(MealIn):
    """A meal proposed for the climber to confirm: `/meal`'s meal and the day it was eaten."""

    date: PastDate

    def meal(self) -> MealIn:
        return MealIn.model_validate(self.model_dump(exclude={"date"}))


# kind → (input model, the undo entity, whether it counts as a weekly journal entry)
KINDS: dict[str, tuple[type[BaseModel], Entity, bool]] = {
    "session": (JournalEntryIn, "journal", True),
    "send": (BenchmarkSendIn, "send", False),
    "injury": (InjuryIn, "injury", False),
    "goal": (GoalIn, "goal", False),
    "meal": (ProposedMeal, "nutrition", False),
}

PROPOSE_TOOL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": sorted(KINDS)},
        "entry": {
            "type": "object",
            "description": "The entry's fields, camelCase, as the journal stores them "
            "(e.g. for a session: date, sessionType, duration, gradesCompleted, rpe, "
            "physicalCondition.soreness.fingers; for a meal: date, mealType, name, and only "
            "the calories, proteinG, carbsG, fatG the climber gave).",
        },
    },
    "required": ["kind", "entry"],
}


PROPOSE_TOOL = ToolSpec(
    name="propose_entry",
    description="Propose a journal entry from what the climber said, for them to confirm. "
    "Only when they describe something they did; never invent fields they did not give.",
    input_schema=PROPOSE_TOOL_SCHEMA,
)


class NoSuchProposal(HandlerError):
    code = "not_found"


_GONE = "no such proposal (it may have expired or been answered)"


@dataclass(frozen=True)
class ProposalStore:
    table: Table

    def validate(self, kind: str, entry: dict[str, Any], now: datetime | None = None) -> BaseModel:
        """The proposed entry as its input model, checked as input arriving at `now` (None: an
        entry that was checked when it was proposed). Raises `InvalidEntry` naming what is
        wrong."""
        if kind not in KINDS:
            raise InvalidEntry(f"cannot propose a {kind!r}; one of {', '.join(sorted(KINDS))}")
        model, _, _ = KINDS[kind]
        try:
            return model.model_validate(entry, context=None if now is None else at_ingest(now))
        except ValidationError as error:
            found = one_line(problems(error))
            raise InvalidEntry(f"the proposed {kind} is not valid: {found}") from None

    async def propose(
        self, caller: Caller, reply_to: str | None, kind: str, entry: dict[str, Any], now: datetime
    ) -> Proposal:
        data = self.validate(kind, entry, now)
        proposal_id = "p" + secrets.token_hex(8)
        item = data.model_dump(by_alias=True, mode="json", exclude_none=True)
        await ProposalRepo(self.table).put(caller.user_id, proposal_id, kind, item, now + LIFETIME)
        return Proposal(id=proposal_id, reply_to=reply_to, kind=kind, item=item)

    async def peek(self, caller: Caller, proposal_id: str, now: datetime) -> str:
        """The kind of the caller's proposal, which stays in place. Raises `NoSuchProposal` as
        `take` does."""
        if "#" in proposal_id:
            raise NoSuchProposal("no such proposal")
        stored = await ProposalRepo(self.table).get(caller.user_id, proposal_id, now)
        if stored is None:
            raise NoSuchProposal(_GONE)
        return stored.kind

    async def take(self, caller: Caller, proposal_id: str, now: datetime) -> tuple[str, BaseModel]:
        """Remove and return the caller's proposal. Raises `NoSuchProposal` for an unknown,
        expired, already answered, or another user's proposal."""
        stored = await self._take(caller, proposal_id, now)
        return stored.kind, self.validate(stored.kind, stored.entry)

    @asynccontextmanager
    async def claimed(
        self, caller: Caller, proposal_id: str, now: datetime
    ) -> AsyncIterator[tuple[str, BaseModel]]:
        """Take the caller's proposal for the block that writes it; if the block raises (the
        write failed), put it back as it was, so it can be confirmed again. Cancelled (the
        socket went away mid-write), it stays taken: whether the write landed is unknown, and
        a second copy of the entry would be worse than a lost proposal. Of concurrent claims of
        one proposal (two tabs), one gets it and the others raise `NoSuchProposal`, as `take`
        does."""
        stored = await self._take(caller, proposal_id, now)
        data = self.validate(stored.kind, stored.entry)
        try:
            yield stored.kind, data
        except Exception:
            await asyncio.shield(self._put_back(caller, proposal_id, stored))
            raise

    async def _take(self, caller: Caller, proposal_id: str, now: datetime) -> StoredProposal:
        if "#" in proposal_id:
            raise NoSuchProposal("no such proposal")
        stored = await ProposalRepo(self.table).take(caller.user_id, proposal_id, now)
        if stored is None:
            raise NoSuchProposal(_GONE)
        return stored

    async def _put_back(self, caller: Caller, proposal_id: str, stored: StoredProposal) -> None:
        try:
            await ProposalRepo(self.table).put_back(caller.user_id, proposal_id, stored)
        except Exception:  # the write's own error is the one the climber should see
            log.exception("a proposal whose write failed could not be put back")


Written = JournalEntry | BenchmarkSend | Injury | Goal | DayWritten


async def write_confirmed(repos: Repos, user_id: str, kind: str, data: BaseModel) -> Written:
    """Write a confirmed proposal exactly as the matching slash command would."""
    if isinstance(data, ProposedMeal):
        now = repos.table.clock()
        written = await write_day(
            repos.table, user_id, data.date, now, kind, adding_meal(data.meal())
        )
        if written is None:  # appending a meal always changes the day
            raise InvalidEntry("the meal could not be added")
        return written
    if isinstance(data, JournalEntryIn):
        return await repos.journal.create(user_id, data)
    if isinstance(data, BenchmarkSendIn):
        return await repos.sends.create(user_id, data)
    if isinstance(data, InjuryIn):
        return await repos.injuries.create(user_id, data)
    if isinstance(data, GoalIn):
        return await repos.goals.create(user_id, data)
    # KINDS and this chain name the same five models
    raise InvalidEntry(f"cannot write a {kind}")


async def confirmed(turn: Turn, kind: str, created: Written) -> None:
    """Make the written proposal undoable and tell every tab, as its slash command would."""
    if isinstance(created, DayWritten):
        await day_saved(turn, kind, created)
        return
    _, entity, _ = KINDS[kind]
    await turn.saved(
        UndoAction(kind, entity, created.id, "delete", created.version), created.to_wire()
    )


async def dismissed(emit: Emit, reply_to: str | None) -> None:
    await emit(Outgoing(Reply(reply_to=reply_to, text="Dismissed; nothing was written.")))
