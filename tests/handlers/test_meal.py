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


async def test_a_meal_without_carbs_stores_them_as_not_logged(chat: Harness) -> None:
    saved = await chat.saved("/meal dinner 600kcal protein 40")
    [meal] = saved.item["meals"]
    assert "carbsG" not in meal  # absent on the wire: not logged, not 0
    assert "fatG" not in meal
    stored = await NutritionLogRepo(chat.table).get("alice", TODAY)
    assert stored.meals[0].carbs_g is None
    assert stored.totals.carbs_g is None
    assert stored.totals.meals_with == {"calories": 1, "proteinG": 1, "carbsG": 0, "fatG": 0}


async def test_a_meal_with_only_a_name_is_stored_without_numbers(chat: Harness) -> None:
    saved = await chat.saved("/meal lunch pasta")
    [meal] = saved.item["meals"]
    assert {key: value for key, value in meal.items() if key != "id"} == {
        "mealType": "lunch",
        "name": "pasta",
    }
    assert "calories" not in saved.item["totals"]  # the day's calories are not logged either


async def test_undo_takes_the_meal_back_off_the_day(chat: Harness) -> None:
    await chat.saved("/meal breakfast oats 400kcal")
    second = await chat.saved("/meal lunch pasta")
    await chat.saved(f"/undo {second.undo}")
    stored = await NutritionLogRepo(chat.table).get("alice", TODAY)
    assert [meal.name for meal in stored.meals] == ["oats"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/meal dinner 20000 kcal", "20,000 kcal is more than one meal holds"),
        ("/meal lunch 300kcal protein 100 carbs 50", "come to 600 kcal, more than the meal's 300"),
    ],
)
async def test_an_impossible_meal_is_refused_and_nothing_written(
    chat: Harness, text: str, expected: str
) -> None:
    error = await chat.error(text)
    assert error.code == "invalid_entry"
    assert expected in error.message
    assert "e.g. /meal lunch 650kcal" in error.message
    assert await chat.user_items() == []


async def test_a_supplement_is_added_to_the_days_log_once(chat: Harness) -> None:
    first = await chat.saved("/supplement creatine 5g")
    assert first.kind == "supplement"
    assert (first.item["date"], first.item["supplements"]) == ("2026-03-11", ["creatine 5g"])
    assert first.undo
    second = await chat.saved("/supplement vitamin D")
    assert second.item["supplements"] == ["creatine 5g", "vitamin D"]

    again = await chat.reply("/supplement Creatine 5g")
    assert again.text == "Creatine 5g is already on your log for 2026-03-11: nothing added."
    stored = await NutritionLogRepo(chat.table).get("alice", TODAY)
    assert (stored.supplements, stored.version) == (["creatine 5g", "vitamin D"], 2)


async def test_a_supplement_for_another_day_and_its_undo(chat: Harness) -> None:
    await chat.saved("/meal lunch pasta yesterday")
    saved = await chat.saved("/supp magnesium yesterday")
    assert saved.item["date"] == "2026-03-10"
    assert [meal["name"] for meal in saved.item["meals"]] == ["pasta"]  # the day keeps its meal
    await chat.saved(f"/undo {saved.undo}")
    stored = await NutritionLogRepo(chat.table).get("alice", date(2026, 3, 10))
    assert (stored.supplements, [meal.name for meal in stored.meals]) == ([], ["pasta"])


async def test_a_supplement_without_a_name_is_refused(chat: Harness) -> None:
    error = await chat.error("/supplement yesterday")
    assert error.code == "invalid_entry"
    assert error.message == "/supplement needs a name — e.g. /supplement creatine 5g"
    assert await chat.user_items() == []
