"""Training plans: `USER#{id}` / `PLAN#{id}`, and at most one of them active.

A climber follows one plan at a time. Every write that leaves a plan active (creating one,
updating one, generating one) deactivates the climber's other active plans in the same
transaction, and that transaction also rewrites the activation item `ACTIVATION#PLAN`
conditioned on the version read. Two activations racing each other both read that item, so
only one of them commits; the other reads the plans again (now with the winner active) and
deactivates it in turn. Without that one shared item, two new plans activated at once would
each see no other active plan and both commit. The item holds nothing but its version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from store.cursor import decode_cursor, encode_cursor
from store.errors import ConditionFailed, InvalidCursor, TransactionCancelled
from store.records.training import TrainingPlan, TrainingPlanIn
from store.repos.base import (
    MAX_ATTEMPTS,
    Listing,
    backoff,
    check_id,
    to_item,
    user_pk,
)
from store.repos.entity import KeyedRepo
from store.table import VERSION, Absent, Item, Operation, Put, VersionIs

if TYPE_CHECKING:
    from store.table import Table

ACTIVATION = "ACTIVATION#PLAN"
"""Sort key of the item every activation rewrites (see the module doc); internal, never
exported."""

_NEWEST = "plans-newest"
"""The name a newest-first listing's cursors carry, so a cursor of another listing is refused."""
_CURSOR_KEYS = ("pk", "createdAt", "id")


class PlanRepo(KeyedRepo[TrainingPlan, TrainingPlanIn]):
    def __init__(self, table: Table) -> None:
        super().__init__(table, record=TrainingPlan, input=TrainingPlanIn, kind="PLAN")

    async def active(self, user_id: str) -> list[TrainingPlan]:
        """The user's active plans, most recently started first: at most one for plans written
        through this repository (more only in data written before the rule)."""
        plans = (await self.list(user_id)).items
        return sorted(
            (plan for plan in plans if plan.active), key=lambda p: p.start_date, reverse=True
        )

    async def newest_first(
        self, user_id: str, *, limit: int, cursor: str | None = None
    ) -> Listing[TrainingPlan]:
        """A page of the user's plans, the most recently created first (then by id). Pass the
        returned cursor back for the next page; plans created or deleted meanwhile never make
        a page repeat or skip one that was there before. Raises `InvalidCursor`."""
        pk = user_pk(user_id)
        plans = sorted((await self.list(user_id)).items, key=_newest_key, reverse=True)
        if cursor is not None:
            after = _after(decode_cursor(cursor, _NEWEST, pk, _CURSOR_KEYS))
            plans = [plan for plan in plans if _newest_key(plan) < after]
        page = plans[:limit]
        if len(plans) <= limit:
            return Listing(page, None)
        last = page[-1]
        key = {"pk": pk, "createdAt": last.created_at.isoformat(), "id": last.id}
        return Listing(page, encode_cursor(_NEWEST, pk, key))

    # --- keeping one plan active ----------------------------------------------------------

    async def insert(self, user_id: str, record: TrainingPlan) -> TrainingPlan:
        if not record.active:
            return await super().insert(user_id, record)
        stored, _ = await self.insert_active(user_id, record)
        return stored

    async def insert_active(
        self, user_id: str, record: TrainingPlan
    ) -> tuple[TrainingPlan, list[TrainingPlan]]:
        """Store `record` as the active plan (version 1) and return it with the plans the same
        transaction deactivated, as they were read (what an undo reactivates)."""
        pk = user_pk(user_id)
        check_id(record.id)
        active = record.model_copy(update={"active": True})
        put = Put(to_item(active, pk, self.sort_key(active)), Absent())
        others = await self._activate(pk, active.id, put, lambda current: current is None)
        return active.model_copy(update={"version": 1}), others

    async def _write(
        self, user_id: str, pk: str, old_sk: str, version: int, new: TrainingPlan
    ) -> TrainingPlan:
        if not new.active:
            return await super()._write(user_id, pk, old_sk, version, new)
        put = Put(to_item(new, pk, old_sk), VersionIs(version))
        await self._activate(
            pk, new.id, put, lambda current: current is not None and current[VERSION] == version
        )
        return new.model_copy(update={"version": version + 1})

    async def _activate(
        self, pk: str, plan_id: str, write: Put, still_valid: Callable[[Item | None], bool]
    ) -> list[TrainingPlan]:
        """Apply `write` (the plan `plan_id`, active) with every other active plan of the
        partition deactivated and the activation item rewritten, all in one transaction.

        A transaction refused because another writer got there first is tried again with what
        is there now, unless the plan itself is no longer as `write` expects (`still_valid` of
        its stored item is false): then `ConditionFailed`, nothing written. Returns the plans it
        deactivated, as read."""
        now = self.table.clock()
        for attempt in range(MAX_ATTEMPTS):
            marker = await self.table.get(pk, ACTIVATION)
            others = [
                plan
                for plan in (await self._page(pk, sk_prefix=f"{self.kind}#")).items
                if plan.active and plan.id != plan_id
            ]
            operations: list[Operation] = [
                Put(
                    {"pk": pk, "sk": ACTIVATION},
                    Absent() if marker is None else VersionIs(int(marker[VERSION])),
                ),
                write,
                *(self._deactivation(pk, plan, now) for plan in others),
            ]
            try:
                await self.table.transact(operations)
                return others
            except TransactionCancelled:
                if not still_valid(await self.table.get(pk, write.item["sk"])):
                    raise ConditionFailed(
                        pk, write.item["sk"], "changed by another writer"
                    ) from None
                await backoff(attempt)
        raise ConditionFailed(pk, ACTIVATION, "too much contention; gave up")

    def _deactivation(self, pk: str, plan: TrainingPlan, now: datetime) -> Put:
        """`plan` written back inactive, if it is still at the version read."""
        inactive = plan.model_copy(update={"active": False, "updated_at": now})
        return Put(to_item(inactive, pk, self.sort_key(plan)), VersionIs(plan.version))


def _newest_key(plan: TrainingPlan) -> tuple[datetime, str]:
    return plan.created_at, plan.id


def _after(key: dict[str, str]) -> tuple[datetime, str]:
    try:
        created = datetime.fromisoformat(key["createdAt"])
    except ValueError:
        raise InvalidCursor("the cursor is malformed") from None
    if created.tzinfo is None:
        raise InvalidCursor("the cursor is malformed")
    return created, key["id"]
