"""Injuries: `USER#{id}` / `INJURY#{date}#{id}` (onset date), pointer `REF#INJURY#{id}`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from store.records.athlete import Injury, InjuryIn
from store.repos.entity import DatedRepo

if TYPE_CHECKING:
    from store.table import Table


class InjuryRepo(DatedRepo[Injury, InjuryIn]):
    def __init__(self, table: Table) -> None:
        super().__init__(table, record=Injury, input=InjuryIn, kind="INJURY")

    async def add(self, user_id: str, data: InjuryIn) -> Injury:
        """Store a new injury (alias of `create`)."""
        return await self.create(user_id, data)

    async def list_open(self, user_id: str) -> list[Injury]:
        """Injuries not yet recovered, most recent onset first."""
        listing = await self.list(user_id, newest_first=True)
        items = list(listing.items)
        cursor = listing.cursor
        while cursor is not None:
            listing = await self.list(user_id, newest_first=True, cursor=cursor)
            items.extend(listing.items)
            cursor = listing.cursor
        return [injury for injury in items if not injury.recovered]

    async def mark_recovered(self, user_id: str, injury_id: str, on: date) -> Injury:
        """Mark the injury recovered on `on` (the climber's own calendar date). Raises
        `NotFound`, and `pydantic.ValidationError` if `on` is before the onset."""
        return await self.update(user_id, injury_id, {"recovered": True, "recoveredDate": on})
