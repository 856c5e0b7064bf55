"""Nutrition: the profile that targets are computed from, and one log per day of meals.

A meal's calories and macros are each optional: one the climber did not give is "not logged"
(absent on the wire, `None` here), never 0, so a day's carbs are not understated by a meal that
only had its calories logged. The day's totals sum what was logged and say per nutrient how
many meals gave it.
"""

from __future__ import annotations

from datetime import time as Time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from store.records.base import Record
from store.records.common import (
    Notes,
    PastDate,
    ShortText,
    ShortTextList,
    Stored,
    UtcDateTime,
    new_id,
)

MEAL_MOST_KCAL = 5000
"""More than any honest single meal; a typo such as 20,000 kcal is refused, not stored."""
MEAL_MOST_GRAMS = 1000
KCAL_PER_GRAM = {"protein_g": 4, "carbs_g": 4, "fat_g": 9}
MACRO_SLACK = 1.2
"""Labels round and climbers estimate: macros may come to 20 % (plus 25 kcal) over the meal's
calories before they are refused as inconsistent."""

MealKcal = Annotated[float, Field(ge=0, le=MEAL_MOST_KCAL)]
MealGrams = Annotated[float, Field(ge=0, le=MEAL_MOST_GRAMS)]
DayKcal = Annotated[float, Field(ge=500, le=8000)]
DayGrams = Annotated[float, Field(ge=0, le=1500)]
DayMl = Annotated[float, Field(ge=0, le=15000)]
Kilograms = Annotated[float, Field(ge=25, le=250)]


class Sex(StrEnum):
    """Biological sex, used only by the Mifflin–St Jeor equation."""

    FEMALE = "female"
    MALE = "male"


class ActivityLevel(StrEnum):
    SEDENTARY = "sedentary"
    LIGHT = "light"
    MODERATE = "moderate"
    ACTIVE = "active"
    VERY_ACTIVE = "very_active"


class NutritionGoal(StrEnum):
    """The seed's goals. A cut is never steeper than a modest deficit (see
    `coaching.nutrition.targets`)."""

    MAINTAIN = "maintain"
    CUT = "cut"
    BULK = "bulk"
    RECOMP = "recomp"


LEGACY_GOALS = {"performance": "maintain", "gain": "bulk", "lose": "cut"}
"""Goals stored before the seed's names were adopted, read as their seed equivalent."""


class Targets(Record):
    """The climber's own daily targets; each one set here replaces the computed one."""

    calories: DayKcal | None = None
    protein_g: DayGrams | None = None
    carbs_g: DayGrams | None = None
    fat_g: DayGrams | None = None
    water_ml: DayMl | None = None


class NutritionProfileIn(Record):
    """What targets are computed from. Every field may be left out; targets that need a
    missing one say so instead of guessing."""

    weight_kg: Kilograms | None = None
    target_weight_kg: Kilograms | None = None
    height_cm: Annotated[float, Field(ge=100, le=250)] | None = None
    age: Annotated[int, Field(ge=14, le=100)] | None = None
    sex: Sex | None = None
    activity_level: ActivityLevel = ActivityLevel.MODERATE
    goal: NutritionGoal = NutritionGoal.MAINTAIN
    dietary_restrictions: ShortTextList = Field(default_factory=list)
    targets: Targets | None = None

    @field_validator("goal", mode="before")
    @classmethod
    def _seed_goal_names(cls, value: Any) -> Any:
        return LEGACY_GOALS.get(value, value) if isinstance(value, str) else value


class NutritionProfile(NutritionProfileIn, Stored):
    updated_at: UtcDateTime | None = None
    """When it was last written; None for the empty profile of a climber who never saved one."""


class MealType(StrEnum):
    BREAKFAST = "breakfast"
    LUNCH = "lunch"
    DINNER = "dinner"
    SNACK = "snack"
    PRE_WORKOUT = "pre_workout"
    POST_WORKOUT = "post_workout"


class MealIn(Record):
    meal_type: MealType
    name: Annotated[str, Field(max_length=200)] | None = None
    time: Time | None = None
    calories: MealKcal | None = None
    protein_g: MealGrams | None = None
    carbs_g: MealGrams | None = None
    fat_g: MealGrams | None = None
    notes: Annotated[str, Field(max_length=1000)] | None = None

    @model_validator(mode="after")
    def _macros_fit_the_calories(self) -> MealIn:
        if self.calories is None:
            return self
        given = {name: getattr(self, name) for name in KCAL_PER_GRAM}
        energy = sum(KCAL_PER_GRAM[name] * grams for name, grams in given.items() if grams)
        if energy > self.calories * MACRO_SLACK + 25:
            parts = ", ".join(
                f"{name.removesuffix('_g')} {grams:g} g" for name, grams in given.items() if grams
            )
            raise ValueError(
                f"the macros ({parts}) come to {energy:,.0f} kcal, more than the meal's "
                f"{self.calories:,.0f} kcal: check the numbers"
            )
        return self


class Meal(MealIn):
    id: str = Field(default_factory=new_id)


NUTRIENT_FIELDS = ("calories", "protein_g", "carbs_g", "fat_g")


class Totals(Record):
    """Sums over a day's meals; always computed, never accepted from input. A nutrient no meal
    gave is None (not logged), not 0; `meals_with` counts, per nutrient, the meals that gave it."""

    calories: float | None = None
    protein_g: float | None = None
    carbs_g: float | None = None
    fat_g: float | None = None
    meals: int = 0
    meals_with: dict[str, int] = Field(default_factory=dict)


def meal_totals(meals: list[Any]) -> Totals:
    """The totals of `meals` (validated `MealIn`s)."""
    sums: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for name in NUTRIENT_FIELDS:
        given = [getattr(meal, name) for meal in meals if getattr(meal, name) is not None]
        sums[name] = sum(given) if given else None
        counts[to_camel(name)] = len(given)
    return Totals(**sums, meals=len(meals), meals_with=counts)


class _DayFields(Record):
    date: PastDate
    hydration_ml: Annotated[float, Field(ge=0, le=20000)] = 0
    supplements: Annotated[list[ShortText], Field(max_length=50)] = Field(default_factory=list)
    notes: Notes | None = None


class NutritionLogIn(_DayFields):
    meals: Annotated[list[MealIn], Field(max_length=100)] = Field(default_factory=list)


class NutritionLog(_DayFields, Stored):
    """A stored day. Its meals carry ids (so one can be removed) and `totals` is recomputed
    whenever the record is validated."""

    meals: Annotated[list[Meal], Field(max_length=100)] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)
    updated_at: UtcDateTime

    @model_validator(mode="after")
    def _compute_totals(self) -> NutritionLog:
        # Bypass validate_assignment: assigning through pydantic would re-run this validator.
        object.__setattr__(self, "totals", meal_totals(self.meals))
        return self
