"""Nutrition: the profile at `USER#{id}` / `NUTRITION`, one log per day at `NUTRITION#{date}`.

Every change to a day is a read-modify-write conditioned on the version read and retried on
conflict, so concurrent meal appends to the same day all land (none is lost). A whole day written
by a client (`put`) is conditioned on the version the client read instead, and never retried: a
change made meanwhile is a conflict for the client to see, not something to overwrite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from store.errors import NotFound
from store.records.nutrition import (
    Meal,
    MealIn,
    NutritionLog,
    NutritionLogIn,
    NutritionProfile,
    NutritionProfileIn,
)
from store.repos.base import Listing, day_range, from_item, read_modify_write, to_item, user_pk
from store.repos.singleton import SingletonRepo
from store.table import Absent, Item, VersionIs

if TYPE_CHECKING:
    from store.table import Table

KIND = "NUTRITION"


class NutritionProfileRepo(SingletonRepo[NutritionProfile, NutritionProfileIn]):
    def __init__(self, table: Table) -> None:
        super().__init__(table, record=NutritionProfile, input=NutritionProfileIn, sk=KIND)


def log_key(day: date) -> str:
    return f"{KIND}#{day.isoformat()}"


def new_log(data: NutritionLogIn, now: datetime) -> NutritionLog:
    """The stored form of a whole day a client sent at `now`: its meals get fresh ids and the
    totals are computed from them (a client never sends totals)."""
    return NutritionLog.model_validate({**data.model_dump(by_alias=True), "updatedAt": now})


class NutritionLogRepo:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def get(self, user_id: str, day: date) -> NutritionLog:
        """The log of `day`; raises `NotFound` if nothing was logged that day."""
        item = await self.table.get(user_pk(user_id), log_key(day))
        if item is None:
            raise NotFound(f"nothing logged on {day.isoformat()}")
        return from_item(NutritionLog, item)

    async def list(
        self,
        user_id: str,
        *,
        start: date | None = None,
        end: date | None = None,
        newest_first: bool = True,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Listing[NutritionLog]:
        """Logs of days `start`..`end` (inclusive, either open), newest or oldest first."""
        low, high = day_range(KIND, start, end)
        page = await self.table.query(
            user_pk(user_id),
            sk_from=low,
            sk_to=high,
            descending=newest_first,
            limit=limit,
            cursor=cursor,
        )
        return Listing([from_item(NutritionLog, item) for item in page.items], page.cursor)

    async def upsert(self, user_id: str, data: NutritionLogIn) -> NutritionLog:
        """Create or replace the whole log of `data.date` (meals get fresh ids)."""
        fresh = new_log(data, self.table.clock())
        return await self._change(user_id, data.date, lambda _current: fresh)

    async def put(
        self, user_id: str, data: NutritionLogIn, *, expected_version: int
    ) -> NutritionLog:
        """Create or replace the whole log of `data.date` (meals get fresh ids) if it is still
        at `expected_version`: 0 means the day must have no log yet.

        Raises `ConditionFailed` when the day is at another version (or already has a log, for
        0); nothing changes then.
        """
        pk, sk = user_pk(user_id), log_key(data.date)
        condition = Absent() if expected_version == 0 else VersionIs(expected_version)
        item = to_item(new_log(data, self.table.clock()), pk, sk)
        return from_item(NutritionLog, await self.table.put(item, condition=condition))

    async def add_meal(self, user_id: str, day: date, meal: MealIn) -> NutritionLog:
        """Append `meal` to the log of `day`, creating the log if needed; returns the day.
        Safe under concurrency. The day is the caller's to check (see `at_ingest`)."""
        new = Meal.model_validate(meal.model_dump(by_alias=True))

        def append(current: NutritionLog | None) -> NutritionLog:
            if current is None:
                return NutritionLog.model_validate(
                    {"date": day, "meals": [new], "updatedAt": self.table.clock()}
                )
            return current.model_copy(update={"meals": [*current.meals, new]})

        return await self._change(user_id, day, append)

    async def remove_meal(self, user_id: str, day: date, meal_id: str) -> NutritionLog:
        """Remove one meal from the day. Raises `NotFound` for a missing day or meal."""

        def remove(current: NutritionLog | None) -> NutritionLog:
            if current is None or all(meal.id != meal_id for meal in current.meals):
                raise NotFound(f"no meal {meal_id} on {day.isoformat()}")
            kept = [meal for meal in current.meals if meal.id != meal_id]
            return current.model_copy(update={"meals": kept})

        return await self._change(user_id, day, remove)

    async def delete(self, user_id: str, day: date) -> None:
        """Delete the log of `day`; raises `NotFound` if there is none."""
        if await self.table.delete(user_pk(user_id), log_key(day)) is None:
            raise NotFound(f"nothing logged on {day.isoformat()}")

    async def _change(
        self,
        user_id: str,
        day: date,
        change: Callable[[NutritionLog | None], NutritionLog],
    ) -> NutritionLog:
        pk, sk = user_pk(user_id), log_key(day)

        def on_item(item: Item | None) -> Item:
            current = None if item is None else from_item(NutritionLog, item)
            new = change(current)
            # Re-validate: recomputes totals from the meals and refreshes the timestamp.
            body = new.model_dump(by_alias=True, exclude={"updated_at", "totals"})
            body["updatedAt"] = self.table.clock()
            return to_item(NutritionLog.model_validate(body), pk, sk)

        return from_item(NutritionLog, await read_modify_write(self.table, pk, sk, on_item))
