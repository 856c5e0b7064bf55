"""`/meal` and `/water`: added to the day's nutrition log (one item per user and day).

`/meal lunch 650kcal protein 35 carbs 80 fat 20` (also `650 kcal`, `kcal 650`, `35g protein`;
the leftover words name the meal); `/water 500ml` (also `0.5l`, `1.5 litres`, `2 glasses` of
250 ml, `1 bottle` of 500 ml; a bare number is millilitres). Both take a date word."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import ValidationError

from grammar.fields import invalid
from grammar.meal import USAGE, WATER_USAGE, parse_meal, parse_water
from handlers.commands.context import Turn
from handlers.undo import UndoAction
from store.errors import ConditionFailed
from store.records import Meal, NutritionLog
from store.records.common import new_id
from store.repos import versioned


async def _update_day(
    turn: Turn, day: date, kind: str, change: Callable[[NutritionLog], NutritionLog]
) -> None:
    """Apply `change` to the day's log (created empty if absent), retrying when another tab
    wrote the same day in between, and remember how to put the day back."""
    log = versioned.nutrition_log(turn.repos.table, day)
    for _ in range(5):
        current = await log.read(turn.user_id)
        base = current or NutritionLog(date=day, updated_at=turn.now)
        try:
            new = change(base)
            stored = await log.write(
                turn.user_id,
                NutritionLog.model_validate({**new.model_dump(), "updated_at": turn.now}),
                None if current is None else current.version,
            )
        except ValidationError as error:
            raise invalid(error, USAGE if kind == "meal" else WATER_USAGE) from None
        except ConditionFailed:
            continue
        previous = None if current is None else current.to_wire()
        action = UndoAction(kind, "nutrition", day.isoformat(), "restore", stored.version, previous)
        await turn.saved(action, stored.to_wire())
        return
    raise ConditionFailed(log.sk, day.isoformat(), "the day kept changing")


async def run(turn: Turn, args: str) -> None:
    meal_in, day = parse_meal(args, turn.today)
    meal = Meal.model_validate({**meal_in.model_dump(), "id": new_id()})
    await _update_day(
        turn, day, "meal", lambda log: log.model_copy(update={"meals": [*log.meals, meal]})
    )


async def run_water(turn: Turn, args: str) -> None:
    millilitres, day = parse_water(args, turn.today)
    await _update_day(
        turn,
        day,
        "water",
        lambda log: log.model_copy(update={"hydration_ml": log.hydration_ml + millilitres}),
    )
