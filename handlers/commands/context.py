"""What a command runs with: the repositories, the undo log, the caller, "now" and "today".

Commands are plain async functions `run(turn, args)`; everything they touch comes through the
`Turn`, so tests drive them against a real table with a fixed clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from core.caller import Caller
from handlers.frames import Reply, Saved, Say
from handlers.session import Allowances, Emit, Outgoing
from handlers.undo import UndoAction, UndoLog
from quotas.policy import Policy
from store.repos import AthleteRepo, GoalRepo, InjuryRepo, JournalRepo, SendRepo, UserRepo
from store.repos.history_view import HistoryViewRepo
from store.repos.versioned import fingerprint
from store.table import Table


@dataclass(frozen=True)
class Repos:
    """The repositories the commands write through, all on one table.

    Daily nutrition logs are written here with a condition on the version read
    (`store.repos.versioned`), because an undo must know exactly which version it
    reverts to; the undo log lives in the same table.
    """

    table: Table
    journal: JournalRepo
    sends: SendRepo
    injuries: InjuryRepo
    goals: GoalRepo
    athlete: AthleteRepo
    users: UserRepo
    history_views: HistoryViewRepo

    @classmethod
    def on(cls, table: Table) -> Repos:
        return cls(
            table=table,
            journal=JournalRepo(table),
            sends=SendRepo(table),
            injuries=InjuryRepo(table),
            goals=GoalRepo(table),
            athlete=AthleteRepo(table),
            users=UserRepo(table),
            history_views=HistoryViewRepo(table),
        )


@dataclass
class Turn:
    """One slash command being served."""

    caller: Caller
    say: Say
    repos: Repos
    undo: UndoLog
    now: datetime
    today: date
    emit: Emit
    allowances: Allowances | None = None
    """The climber's tier limits (None: nothing is counted), for commands that give a
    journal entry back (`/undo`)."""
    policy: Policy | None = None
    """What each tier includes (`quotas/tiers.toml`), for commands that need a feature of a
    tier (`/plan new`)."""

    @property
    def user_id(self) -> str:
        return self.caller.user_id

    async def saved(self, action: UndoAction, item: dict[str, Any]) -> str:
        """Remember how to undo the write just made and tell every tab of the user. `item` is
        the record as the write left it (its fingerprint goes in the undo entry) unless the
        action already says what the write left (`after`, e.g. `GONE` for a delete)."""
        if not action.after:
            action = replace(action, after=fingerprint(item))
        token = await self.undo.remember(self.user_id, action, self.now)
        frame = Saved(reply_to=self.say.id, kind=action.kind, item=item, undo=token)
        await self.emit(Outgoing(frame, to_all=True))
        return token

    async def reply(self, text: str, data: dict[str, Any] | None = None) -> None:
        """Answer the asking socket only (listings, help, warnings)."""
        await self.emit(Outgoing(Reply(reply_to=self.say.id, text=text, data=data)))
