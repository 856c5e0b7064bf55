"""`/meal` and `/water` add to the day's nutrition log."""

from __future__ import annotations

from datetime import date

import pytest

from grammar.meal import parse_meal, parse_water
from store.repos import NutritionLogRepo
from tests.handlers.conftest import Harness

TODAY = date(2026, 3, 11)


async def test_meal_example(chat: Harness) -> None:
    saved = await chat.saved("/meal lunch 650kcal protein 35 carbs 80 fat 20")
    assert saved.kind == "meal"
    assert saved.item["date"] == "2026-03-11"
    [meal] = saved.item["meals"]
    assert meal["mealType"] == "lunch"
    assert (meal["calories"], meal["proteinG"], meal["carbsG"], meal["fatG"]) == (650, 35, 80, 20)
    assert saved.item["totals"]["calories"] == 650
    stored = await NutritionLogRepo(chat.table).get("alice", TODAY)
    assert stored.to_wire() == saved.item


async def test_meals_append_to_the_same_day(chat: Harness) -> None:
    await chat.saved("/meal breakfast 400 kcal 20g protein oats")
    second = await chat.saved("/meal dinner kcal 800 protein 50")
    assert [m["mealType"] for m in second.item["meals"]] == ["breakfast", "dinner"]
    assert second.item["meals"][0]["name"] == "oats"
    assert second.item["totals"]["calories"] == 1200
    assert second.item["totals"]["proteinG"] == 70


def test_meal_spellings() -> None:
    meal, day = parse_meal("pre-workout banana 105cal carbs 27g 07:30 yesterday", TODAY)
    assert meal.meal_type.value == "pre_workout"
    assert (meal.name, meal.calories, meal.carbs_g) == ("banana", 105, 27)
    assert meal.time is not None
    assert meal.time.isoformat() == "07:30:00"
    assert day == date(2026, 3, 10)
    assert parse_meal("650 calories", TODAY)[0].meal_type.value == "snack"


@pytest.mark.parametrize(
    ("text", "millilitres"),
    [
        ("500ml", 500),
        ("500 ml", 500),
        ("0.5l", 500),
        ("1.5 litres", 1500),
        ("2 glasses", 500),
        ("1 bottle", 500),
        ("750", 750),
    ],
)
def test_water_spellings(text: str, millilitres: float) -> None:
    assert parse_water(text, TODAY) == (millilitres, TODAY)


async def test_water_adds_up_on_the_days_log(chat: Harness) -> None:
    first = await chat.saved("/water 500ml")
    second = await chat.saved("/water 0.5l")
    assert first.kind == second.kind == "water"
    assert second.item["hydrationMl"] == 1000
    stored = await NutritionLogRepo(chat.table).get("alice", TODAY)
    assert stored.hydration_ml == 1000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/meal", "/meal needs a meal"),
        ("/meal lunch protein", "'protein' needs grams"),
        ("/meal lunch 25:00", "not a time of day"),
        ("/water", "/water needs an amount like 500ml"),
        ("/water lots", "did not understand 'lots'"),
        ("/water 500ml 2026-03-20", "in the future"),
    ],
)
async def test_wrong_meal_or_water_is_refused(chat: Harness, text: str, expected: str) -> None:
    error = await chat.error(text)
    assert error.code == "invalid_entry"
    assert expected in error.message
    assert await chat.user_items() == []
