"""Goals: `USER#{id}` / `GOAL#{id}`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.records.athlete import Goal, GoalIn, GoalStatus
from store.repos.entity import KeyedRepo

if TYPE_CHECKING:
    from store.table import Table


class GoalRepo(KeyedRepo[Goal, GoalIn]):
    def __init__(self, table: Table) -> None:
        super().__init__(table, record=Goal, input=GoalIn, kind="GOAL")

    async def add(self, user_id: str, data: GoalIn) -> Goal:
        """Store a new goal (alias of `create`)."""
        return await self.create(user_id, data)

    async def list_goals(self, user_id: str, status: GoalStatus | None = None) -> list[Goal]:
        """Every goal of the user (only those of `status` if given), oldest first."""
        goals = (await self.list(user_id)).items
        chosen = [goal for goal in goals if status is None or goal.status is status]
        return sorted(chosen, key=lambda goal: goal.created_at)

    async def mark_achieved(self, user_id: str, goal_id: str) -> Goal:
        """Mark the goal achieved now (idempotent: an achieved goal keeps its first date).
        Raises `NotFound`."""

        now = self.table.clock()

        def achieve(goal: Goal) -> Goal:
            if goal.status is GoalStatus.ACHIEVED:
                return goal
            return goal.model_copy(update={"status": GoalStatus.ACHIEVED, "achieved_at": now})

        return await self.modify(user_id, goal_id, achieve)
