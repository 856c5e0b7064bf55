"""Entries proposed by the coach (the model's tool use, or the offline parser), written only when
the climber confirms them.

A proposal is validated when it is made (an invalid one is never shown), kept for a day in the
caller's own partition (`store.repos.proposals`), and written on `confirm` through the
same repositories, journal allowance and undo log as a slash command. The user id always comes
from the verified caller: nothing the model says can address another climber.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from core.caller import Caller
from core.errors import HandlerError, InvalidEntry
from core.model import ToolSpec
from core.validation import one_line, problems
from handlers.commands.context import Repos, Turn
from handlers.frames import Proposal, Reply
from handlers.session import Emit, Outgoing
from handlers.undo import Entity, UndoAction
from store.records.athlete import Goal, GoalIn, Injury, InjuryIn
from store.records.common import at_ingest
from store.records.journal import JournalEntry, JournalEntryIn
from store.records.sends import BenchmarkSend, BenchmarkSendIn
from store.repos.proposals import ProposalRepo
from store.table import Table

LIFETIME = timedelta(days=1)

# kind → (input model, the undo entity, whether it counts as a weekly journal entry)
KINDS: dict[str, tuple[type[BaseModel], Entity, bool]] = {
    "session": (JournalEntryIn, "journal", True),
    "send": (BenchmarkSendIn, "send", False),
    "injury": (InjuryIn, "injury", False),
    "goal": (GoalIn, "goal", False),
}

PROPOSE_TOOL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": sorted(KINDS)},
        "entry": {
            "type": "object",
            "description": "The entry's fields, camelCase, as the journal stores them "
            "(e.g. for a session: date, sessionType, durationMinutes, gradesCompleted, rpe, "
            "physicalCondition.soreness.fingers).",
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

    async def take(self, caller: Caller, proposal_id: str, now: datetime) -> tuple[str, BaseModel]:
        """Remove and return the caller's proposal. Raises `NoSuchProposal` for an unknown,
        expired, already answered, or another user's proposal."""
        if "#" in proposal_id:
            raise NoSuchProposal("no such proposal")
        stored = await ProposalRepo(self.table).take(caller.user_id, proposal_id, now)
        if stored is None:
            raise NoSuchProposal("no such proposal (it may have expired or been answered)")
        return stored.kind, self.validate(stored.kind, stored.entry)


async def write_confirmed(turn: Turn, kind: str, data: BaseModel) -> None:
    """Write a confirmed proposal exactly as the matching slash command would."""
    repos: Repos = turn.repos
    created: JournalEntry | BenchmarkSend | Injury | Goal
    if isinstance(data, JournalEntryIn):
        created = await repos.journal.create(turn.user_id, data)
    elif isinstance(data, BenchmarkSendIn):
        created = await repos.sends.create(turn.user_id, data)
    elif isinstance(data, InjuryIn):
        created = await repos.injuries.create(turn.user_id, data)
    elif isinstance(data, GoalIn):
        created = await repos.goals.create(turn.user_id, data)
    else:  # KINDS and this chain name the same four models
        raise InvalidEntry(f"cannot write a {kind}")
    _, entity, _ = KINDS[kind]
    await turn.saved(
        UndoAction(kind, entity, created.id, "delete", created.version), created.to_wire()
    )


async def dismissed(emit: Emit, reply_to: str | None) -> None:
    await emit(Outgoing(Reply(reply_to=reply_to, text="Dismissed; nothing was written.")))
