"""Training plans: `USER#{id}` / `PLAN#{id}`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.records.training import TrainingPlan, TrainingPlanIn
from store.repos.entity import KeyedRepo

if TYPE_CHECKING:
    from store.table import Table


class PlanRepo(KeyedRepo[TrainingPlan, TrainingPlanIn]):
    def __init__(self, table: Table) -> None:
        super().__init__(table, record=TrainingPlan, input=TrainingPlanIn, kind="PLAN")

    async def active(self, user_id: str) -> list[TrainingPlan]:
        """The user's active plans, most recently started first."""
        plans = (await self.list(user_id)).items
        return sorted(
            (plan for plan in plans if plan.active), key=lambda p: p.start_date, reverse=True
        )
