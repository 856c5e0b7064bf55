"""`/meal`'s grammar: what is typed is stored, what is not typed is "not logged" (None, never
0), and a meal no one eats is refused with a clear message."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import InvalidEntry
from grammar.meal import USAGE, parse_meal

TODAY = date(2026, 3, 11)


def test_the_usage_example_keeps_every_number() -> None:
    meal, day = parse_meal(USAGE.removeprefix("/meal "), TODAY)
    assert meal.meal_type.value == "lunch"
    assert (meal.calories, meal.protein_g, meal.carbs_g, meal.fat_g) == (650, 35, 80, 20)
    assert day == TODAY


def test_a_meal_without_carbs_or_fat_leaves_them_not_logged() -> None:
    meal, _ = parse_meal("dinner 600kcal protein 40", TODAY)
    assert (meal.calories, meal.protein_g) == (600, 40)
    assert meal.carbs_g is None
    assert meal.fat_g is None


def test_a_meal_with_only_a_name_has_no_numbers() -> None:
    meal, _ = parse_meal("lunch pasta", TODAY)
    assert (meal.meal_type.value, meal.name) == ("lunch", "pasta")
    assert (meal.calories, meal.protein_g, meal.carbs_g, meal.fat_g) == (None,) * 4
    assert meal.model_dump(by_alias=True, exclude_none=True) == {
        "mealType": "lunch",
        "name": "pasta",
    }


@pytest.mark.parametrize(
    ("args", "calories"),
    [
        ("650kcal", 650),
        ("650 kcal", 650),
        ("kcal 650", 650),
        ("650 calories", 650),
        ("650cal", 650),
        ("1,200 kcal", 1200),
        ("1,200kcal", 1200),
        ("450.5 kcal", 450.5),
    ],
)
def test_calorie_spellings(args: str, calories: float) -> None:
    assert parse_meal(f"dinner {args}", TODAY)[0].calories == calories


def test_every_older_spelling_still_works() -> None:
    meal, day = parse_meal("pre-workout banana 105cal carbs 27g 07:30 yesterday", TODAY)
    assert (meal.meal_type.value, meal.name, meal.calories, meal.carbs_g) == (
        "pre_workout",
        "banana",
        105,
        27,
    )
    assert meal.time is not None
    assert meal.time.isoformat() == "07:30:00"
    assert day == date(2026, 3, 10)
    oats, _ = parse_meal("breakfast 400 kcal 20g protein oats", TODAY)
    assert (oats.name, oats.protein_g, oats.carbs_g) == ("oats", 20, None)
    assert parse_meal("650 calories", TODAY)[0].meal_type.value == "snack"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            "dinner 20,000 kcal",
            "20,000 kcal is more than one meal holds (at most 5,000 kcal): check the number",
        ),
        (
            "lunch 300kcal protein 100",
            "The macros (protein 100 g) come to 400 kcal, more than the meal's 300 kcal: "
            "check the numbers",
        ),
        ("", "/meal needs a meal"),
        ("lunch protein", "'protein' needs grams"),
        ("lunch 25:00", "not a time of day"),
        ("lunch 2026-03-12", "in the future"),
    ],
)
def test_an_impossible_meal_is_refused_clearly(args: str, expected: str) -> None:
    with pytest.raises(InvalidEntry) as refused:
        parse_meal(args, TODAY)
    assert expected in refused.value.message
