"""Nutrition: the profile that targets are computed from, and one log per day of meals."""

from __future__ import annotations

from datetime import time as Time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from store.records.base import Record
from store.records.common import (
    PastDate,
    ShortText,
    ShortTextList,
    Stored,
    UtcDateTime,
    new_id,
)

Grams = Annotated[float, Field(ge=0, le=5000)]


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
    MAINTAIN = "maintain"
    PERFORMANCE = "performance"
    GAIN = "gain"
    LOSE = "lose"


class Targets(Record):
    calories: Annotated[float, Field(ge=0, le=20000)]
    protein_g: Grams
    carbs_g: Grams
    fat_g: Grams
    water_ml: Annotated[float, Field(ge=0, le=20000)]


class NutritionProfileIn(Record):
    weight_kg: Annotated[float, Field(ge=25, le=250)]
    target_weight_kg: Annotated[float, Field(ge=25, le=250)] | None = None
    height_cm: Annotated[float, Field(ge=100, le=250)]
    age: Annotated[int, Field(ge=10, le=100)]
    sex: Sex
    activity_level: ActivityLevel = ActivityLevel.MODERATE
    goal: NutritionGoal = NutritionGoal.PERFORMANCE
    dietary_restrictions: ShortTextList = Field(default_factory=list)
    targets: Targets | None = None


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
    calories: Annotated[float, Field(ge=0, le=20000)] = 0
    protein_g: Grams = 0
    carbs_g: Grams = 0
    fat_g: Grams = 0


class Meal(MealIn):
    id: str = Field(default_factory=new_id)


class Totals(Record):
    """Sums over a day's meals; always computed, never accepted from input."""

    calories: float = 0
    protein_g: float = 0
    carbs_g: float = 0
    fat_g: float = 0


def meal_totals(meals: list[Any]) -> Totals:
    """The totals of `meals` (validated `MealIn`s)."""
    return Totals(
        calories=sum(meal.calories for meal in meals),
        protein_g=sum(meal.protein_g for meal in meals),
        carbs_g=sum(meal.carbs_g for meal in meals),
        fat_g=sum(meal.fat_g for meal in meals),
    )


class _DayFields(Record):
    date: PastDate
    hydration_ml: Annotated[float, Field(ge=0, le=20000)] = 0
    supplements: Annotated[list[ShortText], Field(max_length=50)] = Field(default_factory=list)


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
