"""`/meal`, `/water` and `/supplement`: added to the day's nutrition log (one item per user and
day).

`/meal lunch 650kcal protein 35 carbs 80 fat 20` (also `650 kcal`, `kcal 650`, `35g protein`;
the leftover words name the meal; what is not typed is not logged, never 0); `/water 500ml`
(also `0.5l`, `1.5 litres`, `2 glasses` of 250 ml, `1 bottle` of 500 ml; a bare number is
millilitres); `/supplement creatine 5g` (a name already on that day's log is not added twice).
All take a date word. A meal proposed from plain words is appended the same way when the
climber confirms it (`handlers/proposals.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError

from grammar.fields import invalid
from grammar.meal import USAGE, WATER_USAGE, meal_refused, parse_meal, parse_water
from grammar.nutrition import SUPPLEMENT_USAGE, parse_supplement
from handlers.commands.context import Turn
from handlers.undo import UndoAction
from store.errors import ConditionFailed
from store.records import Meal, MealIn, NutritionLog
from store.records.common import new_id
from store.repos import versioned
from store.table import Table

Change = Callable[[NutritionLog], NutritionLog | None]
"""What a write does to the day's log; None when it would change nothing."""

USAGES = {"meal": USAGE, "water": WATER_USAGE, "supplement": SUPPLEMENT_USAGE}


@dataclass(frozen=True)
class DayWritten:
    """A day's log as a write left it, and the log it replaced (None: the day had none)."""

    log: NutritionLog
    previous: NutritionLog | None

    @property
    def day(self) -> date:
        return self.log.date


async def write_day(
    table: Table, user_id: str, day: date, now: datetime, kind: str, change: Change
) -> DayWritten | None:
    """Apply `change` to the day's log (created empty if absent), retrying when another tab
    wrote the same day in between. None (nothing written) when `change` changes nothing.
    Raises `InvalidEntry` for a log the record refuses, `ConditionFailed` when the day keeps
    changing."""
    log = versioned.nutrition_log(table, day)
    for _ in range(5):
        current = await log.read(user_id)
        base = current or NutritionLog(date=day, updated_at=now)
        try:
            new = change(base)
            if new is None:
                return None
            stored = await log.write(
                user_id,
                NutritionLog.model_validate({**new.model_dump(), "updated_at": now}),
                None if current is None else current.version,
            )
        except ValidationError as error:
            if kind == "meal":
                raise meal_refused(error) from None
            raise invalid(error, USAGES.get(kind, USAGE)) from None
        except ConditionFailed:
            continue
        return DayWritten(stored, current)
    raise ConditionFailed(log.sk, day.isoformat(), "the day kept changing")


async def day_saved(turn: Turn, kind: str, written: DayWritten) -> str:
    """Remember how to put the day back as it was, and tell every tab (`saved` of `kind`)."""
    previous = None if written.previous is None else written.previous.to_wire()
    action = UndoAction(
        kind, "nutrition", written.day.isoformat(), "restore", written.log.version, previous
    )
    return await turn.saved(action, written.log.to_wire())


def adding_meal(meal_in: MealIn) -> Change:
    """The change that appends `meal_in` (with a fresh id) to a day."""
    meal = Meal.model_validate({**meal_in.model_dump(), "id": new_id()})
    return lambda log: log.model_copy(update={"meals": [*log.meals, meal]})


async def _update_day(turn: Turn, day: date, kind: str, change: Change) -> DayWritten | None:
    written = await write_day(turn.repos.table, turn.user_id, day, turn.now, kind, change)
    if written is not None:
        await day_saved(turn, kind, written)
    return written


async def run(turn: Turn, args: str) -> None:
    meal_in, day = parse_meal(args, turn.today)
    await _update_day(turn, day, "meal", adding_meal(meal_in))


async def run_water(turn: Turn, args: str) -> None:
    millilitres, day = parse_water(args, turn.today)
    await _update_day(
        turn,
        day,
        "water",
        lambda log: log.model_copy(update={"hydration_ml": log.hydration_ml + millilitres}),
    )


async def run_supplement(turn: Turn, args: str) -> None:
    name, day = parse_supplement(args, turn.today)

    def add(log: NutritionLog) -> NutritionLog | None:
        if name.casefold() in (taken.casefold() for taken in log.supplements):
            return None
        return log.model_copy(update={"supplements": [*log.supplements, name]})

    if await _update_day(turn, day, "supplement", add) is None:
        await turn.reply(f"{name} is already on your log for {day.isoformat()}: nothing added.")
