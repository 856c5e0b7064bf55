"""A whole day's nutrition log written on the version the client read
(`NutritionLogRepo.put`), on every engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from store.errors import ConditionFailed, NotFound
from store.records import NutritionLogIn
from store.repos import NutritionLogRepo
from store.table import Table

ALICE = "alice-0001"
BOB = "bob-0002"
DAY = date(2026, 3, 15)


def day_in(**fields: Any) -> NutritionLogIn:
    meals = [
        {"mealType": "breakfast", "calories": 500, "proteinG": 30, "carbsG": 60},
        {"mealType": "lunch", "calories": 700, "proteinG": 40},
    ]
    return NutritionLogIn.model_validate(
        {"date": DAY.isoformat(), "meals": meals, "hydrationMl": 1500, **fields}
    )


async def test_version_zero_creates_the_day_and_only_once(table: Table) -> None:
    logs = NutritionLogRepo(table)
    created = await logs.put(ALICE, day_in(), expected_version=0)
    assert created.version == 1
    assert [meal.meal_type for meal in created.meals] == ["breakfast", "lunch"]
    assert all(meal.id for meal in created.meals)
    # Totals come from the meals; carbs only from the meal that gave them.
    assert (created.totals.calories, created.totals.protein_g) == (1200, 70)
    assert created.totals.carbs_g == 60
    assert created.totals.meals_with["carbsG"] == 1
    with pytest.raises(ConditionFailed):
        await logs.put(ALICE, day_in(hydrationMl=3000), expected_version=0)
    assert await logs.get(ALICE, DAY) == created


async def test_a_replace_needs_the_version_last_read(table: Table) -> None:
    logs = NutritionLogRepo(table)
    first = await logs.put(ALICE, day_in(), expected_version=0)
    replaced = await logs.put(ALICE, day_in(meals=[], hydrationMl=2500), expected_version=1)
    assert replaced.version == 2
    assert replaced.meals == []
    assert replaced.totals.calories is None
    assert replaced.hydration_ml == 2500
    with pytest.raises(ConditionFailed):
        await logs.put(ALICE, day_in(), expected_version=first.version)
    assert await logs.get(ALICE, DAY) == replaced


async def test_a_version_for_a_day_never_logged_is_a_conflict(table: Table) -> None:
    with pytest.raises(ConditionFailed):
        await NutritionLogRepo(table).put(ALICE, day_in(), expected_version=3)
    with pytest.raises(NotFound):
        await NutritionLogRepo(table).get(ALICE, DAY)


async def test_each_climber_has_their_own_day(table: Table) -> None:
    logs = NutritionLogRepo(table)
    await logs.put(ALICE, day_in(), expected_version=0)
    bobs = await logs.put(BOB, day_in(hydrationMl=800), expected_version=0)
    assert bobs.version == 1
    assert (await logs.get(ALICE, DAY)).hydration_ml == 1500
    listed = await logs.list(BOB, start=DAY, end=DAY)
    assert [log.hydration_ml for log in listed.items] == [800]
