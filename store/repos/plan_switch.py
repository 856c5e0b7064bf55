"""Starting a training plan as the climber's one active plan, and taking that back.

A climber follows one plan at a time: `start` stores the new plan and deactivates every other
active plan in one transaction, so no reader ever sees two active plans or none in between;
`take_back` deletes the plan and reactivates the plan it deactivated, in one transaction too
(what `/undo` of `/plan new` does). Both rewrite `PlanRepo`'s activation item, so they never
race another activation into two active plans. Keys: `USER#{id}` / `PLAN#{id}`
(`store.repos.plans`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.errors import NotFound
from store.records.training import TrainingPlan, TrainingPlanIn
from store.repos.base import to_item, touch, user_pk
from store.repos.plans import ACTIVATION, PlanRepo
from store.table import VERSION, Absent, Delete, Operation, Put, VersionIs

if TYPE_CHECKING:
    from store.table import Table


@dataclass(frozen=True)
class Started:
    """The plan stored (version 1) and the plans it made inactive, as they were before."""

    plan: TrainingPlan
    deactivated: list[TrainingPlan]


class PlanSwitch:
    """Changes which of a user's plans is active, atomically."""

    def __init__(self, table: Table) -> None:
        self._table = table
        self._plans = PlanRepo(table)

    def _put(self, user_id: str, plan: TrainingPlan, *, active: bool) -> Put:
        """Rewrite `plan` with `active`, conditioned on the version read."""
        changed = plan.model_copy(update={"active": active, **touch(plan, self._table.clock())})
        item = to_item(changed, user_pk(user_id), self._plans.sort_key(changed))
        return Put(item, VersionIs(plan.version))

    async def start(self, user_id: str, data: TrainingPlanIn) -> Started:
        """Store `data` as a new active plan and deactivate the user's other active plans, in
        one transaction (`PlanRepo.insert_active`). `deactivated` are the plans that
        transaction made inactive."""
        plan = self._plans.build(data.model_copy(update={"active": True}))
        stored, deactivated = await self._plans.insert_active(user_id, plan)
        return Started(stored, deactivated)

    async def take_back(
        self, user_id: str, plan: TrainingPlan, reactivate: Sequence[str]
    ) -> list[str]:
        """Delete `plan` (still at its version) and make the plans `reactivate` (ids) active
        again, those that still exist and are inactive, in one transaction. Returns the ids
        reactivated. Raises `TransactionCancelled` when anything changed meanwhile (nothing
        written)."""
        pk = user_pk(user_id)
        marker = await self._table.get(pk, ACTIVATION)
        ops: list[Operation] = [
            Put(
                {"pk": pk, "sk": ACTIVATION},
                Absent() if marker is None else VersionIs(int(marker[VERSION])),
            ),
            Delete(pk, self._plans.sort_key(plan), VersionIs(plan.version)),
        ]
        back: list[str] = []
        for plan_id in reactivate[:1]:  # one plan is active at a time: the one it replaced
            try:
                previous = await self._plans.get(user_id, plan_id)
            except NotFound:
                continue  # deleted since: nothing to reactivate
            if not previous.active:
                ops.append(self._put(user_id, previous, active=True))
                back.append(plan_id)
        await self._table.transact(ops)
        return back
