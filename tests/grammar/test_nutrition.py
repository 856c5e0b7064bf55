"""`/nutrition` and `/supplement` as climbers type them: what each word sets, the units it
takes, what stays as it was, and refusals that name the field and show the usage."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.errors import InvalidEntry
from grammar.nutrition import USAGE, parse_changes, parse_supplement, shows
from store.records.nutrition import NutritionProfile

TODAY = date(2026, 3, 11)


def stored(**fields: object) -> NutritionProfile:
    """A profile as the store holds it."""
    return NutritionProfile.model_validate(
        {"version": 3, "updatedAt": datetime(2026, 3, 1, tzinfo=UTC), **fields}
    )


def test_the_usage_example_sets_each_field_it_names() -> None:
    profile = parse_changes(USAGE.removeprefix("/nutrition ")).applied_to(None)
    assert profile.weight_kg == 68
    assert profile.target_weight_kg == 66
    assert profile.activity_level.value == "moderate"
    assert profile.goal.value == "maintain"
    assert profile.dietary_restrictions == ["vegetarian"]
    assert profile.targets is None  # nothing of the climber's own: every target is computed


def test_body_fields_in_the_units_climbers_use() -> None:
    profile = parse_changes("weight 150 lb height 1.7m age 30 sex F").applied_to(None)
    assert (profile.weight_kg, profile.height_cm, profile.age) == (68.0, 170.0, 30)
    assert profile.sex is not None
    assert profile.sex.value == "female"
    assert parse_changes("target weight 60 kg").fields == {"targetWeight": 60.0}
    assert parse_changes("goal weight 60kg").fields == {"targetWeight": 60.0}


@pytest.mark.parametrize(
    ("words", "level"),
    [
        ("sedentary", "sedentary"),
        ("light", "light"),
        ("lightly active", "light"),
        ("moderate", "moderate"),
        ("active", "active"),
        ("very active", "very_active"),
        ("very-active", "very_active"),
    ],
)
def test_activity_levels(words: str, level: str) -> None:
    assert parse_changes(f"activity {words}").fields == {"activityLevel": level}


@pytest.mark.parametrize(
    ("word", "goal"),
    [("maintain", "maintain"), ("cut", "cut"), ("bulk", "bulk"), ("recomp", "recomp")],
)
def test_the_four_goals(word: str, goal: str) -> None:
    assert parse_changes(f"goal {word}").applied_to(None).goal.value == goal
    assert parse_changes(word).fields == {"goal": goal}  # the goal alone says it too


def test_own_targets_with_their_units() -> None:
    changes = parse_changes("calories 2400 protein 130g carbs 300g fat 70g water 3l")
    assert changes.targets == {
        "calories": 2400,
        "proteinG": 130,
        "carbsG": 300,
        "fatG": 70,
        "waterMl": 3000,
    }
    assert parse_changes("water 3000ml").targets == {"waterMl": 3000}
    assert parse_changes("water 2.5").targets == {"waterMl": 2500}  # a bare small number: litres
    assert parse_changes("water 2500").targets == {"waterMl": 2500}


def test_fields_not_named_stay_as_they_were() -> None:
    current = stored(
        weight=70,
        heightCm=172,
        goal="bulk",
        dietaryRestrictions=["vegan"],
        targets={"calories": 2600, "proteinG": 140},
    )
    profile = parse_changes("weight 68kg protein 150g gluten free").applied_to(current)
    assert (profile.weight_kg, profile.height_cm, profile.goal.value) == (68, 172, "bulk")
    assert profile.dietary_restrictions == ["vegan", "gluten-free"]
    assert profile.targets is not None
    assert (profile.targets.calories, profile.targets.protein_g) == (2600, 150)


def test_auto_drops_the_climbers_own_targets() -> None:
    current = stored(targets={"calories": 2600, "proteinG": 140})
    one = parse_changes("protein auto").applied_to(current)
    assert one.targets is not None
    assert (one.targets.calories, one.targets.protein_g) == (2600, None)
    assert parse_changes("targets auto").applied_to(current).targets is None
    again = parse_changes("targets auto water 3l").applied_to(current)
    assert again.targets is not None
    assert (again.targets.calories, again.targets.water_ml) == (None, 3000)


def test_dietary_words_are_added_once_and_diet_none_clears_them() -> None:
    current = stored(dietaryRestrictions=["vegetarian"])
    changes = parse_changes("vegetarian dairy-free halal kosher pescatarian vegan")
    assert changes.applied_to(current).dietary_restrictions == [
        "vegetarian",
        "dairy-free",
        "halal",
        "kosher",
        "pescatarian",
        "vegan",
    ]
    assert parse_changes("diet none").applied_to(current).dietary_restrictions == []


@pytest.mark.parametrize("args", ["", "show", "targets", "  Today "])
def test_words_that_only_show(args: str) -> None:
    assert shows(args)


def test_setting_is_not_showing() -> None:
    assert not shows("weight 68kg")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("weight 5kg", "Weight 5 kg: must be at least 25 kg"),
        ("age 200", "Age 200: must be at most 100 years"),
        ("height 40cm", "Height 40 cm: must be at least 100 cm"),
        ("calories 300", "Calories 300: must be at least 500 kcal"),
        ("water 30l", "Water 30 l: must be at most 15000 ml"),
        ("goal shred", "Goal: 'shred' is not one of maintain, cut, bulk, recomp"),
        ("activity couch", "Activity: 'couch' is not one of sedentary, light, moderate"),
        ("sex robot", "Sex: 'robot' is not one of female, male"),
        ("weight heavy", "'weight' needs a number"),
        ("weight 68 stone", "did not understand 'stone'"),
        ("height 5ft", "Height 5ft: unknown unit 'ft'"),
        ("paleo", "/nutrition did not understand 'paleo'"),
    ],
)
def test_bad_values_name_the_field_and_show_the_usage(args: str, expected: str) -> None:
    with pytest.raises(InvalidEntry) as refused:
        parse_changes(args)
    assert expected in refused.value.message
    if "unknown unit" not in expected:
        assert refused.value.message.endswith(f"e.g. {USAGE}")


def test_a_supplement_is_its_words_and_a_date() -> None:
    assert parse_supplement("creatine 5g", TODAY) == ("creatine 5g", TODAY)
    assert parse_supplement("vitamin D yesterday", TODAY) == ("vitamin D", date(2026, 3, 10))
    assert parse_supplement("2026-03-01 magnesium", TODAY) == ("magnesium", date(2026, 3, 1))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", "/supplement needs a name"),
        ("yesterday", "/supplement needs a name"),
        ("creatine 2026-04-01", "in the future"),
        ("creatine 2026-02-30", "not a calendar date"),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_a_bad_supplement_is_refused(args: str, expected: str) -> None:
    with pytest.raises(InvalidEntry) as refused:
        parse_supplement(args, TODAY)
    assert expected in refused.value.message
