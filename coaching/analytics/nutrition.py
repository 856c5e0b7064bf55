"""Nutrition over the last 7 days, today and the 6 before (today's meals count as logged),
against targets.

Targets come from the nutrition profile; without them, energy is estimated with Mifflin–St Jeor
BMR × activity factor and protein at 1.6 g/kg (the low end of 1.6–2.2 g/kg for strength
athletes); carbs, fat and water then have no target. Averages are per logged day, so a day
without a log is unknown, not zero. Under-fuelling is flagged against logged training, never
as advice to lose weight, and only on days that are over: today, still being eaten, is never
called under-fuelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

from coaching.analytics.common import Fact, rounded
from store.records.athlete import AthleteProfile
from store.records.journal import JournalEntry, SessionType
from store.records.nutrition import ActivityLevel, NutritionLog, NutritionProfile, Sex

DAYS = 7
ACTIVITY_FACTORS = {
    ActivityLevel.SEDENTARY: 1.2,
    ActivityLevel.LIGHT: 1.375,
    ActivityLevel.MODERATE: 1.55,
    ActivityLevel.ACTIVE: 1.725,
    ActivityLevel.VERY_ACTIVE: 1.9,
}
PROTEIN_G_PER_KG = (1.6, 2.2)
UNDER_FUELLED = 0.8
"""A training day under this share of the calorie target counts as under-fuelled."""

Nutrient = Literal["calories", "protein_g", "carbs_g", "fat_g", "water_ml"]
NUTRIENTS: tuple[Nutrient, ...] = ("calories", "protein_g", "carbs_g", "fat_g", "water_ml")
UNITS = {"calories": "kcal", "protein_g": "g", "carbs_g": "g", "fat_g": "g", "water_ml": "ml"}


class Versus(Fact):
    nutrient: Nutrient
    unit: str
    average: float | None
    """Per logged day; None when nothing was logged."""
    target: float | None
    percent: float | None


class NutritionFacts(Fact):
    start: date
    end: date
    days_logged: int
    targets_source: Literal["profile", "estimated", "none"]
    estimate: str | None = None
    """How estimated targets were computed."""
    rows: list[Versus]
    weight_kg: float | None = None
    protein_g_per_kg: float | None = None
    protein_range_g: tuple[float, float] | None = None
    """1.6–2.2 g/kg of body weight."""
    training_days_logged: int
    """Logged days before today with a rated training session (today is still going)."""
    under_fuelled_training_days: int
    """Of those, days under 80 % of the calorie target."""


def mifflin_st_jeor(weight_kg: float, height_cm: float, age: int, sex: Sex) -> float:
    """Basal metabolic rate in kcal/day."""
    base = 10 * weight_kg + 6.25 * height_cm - 5 * age
    return base + (5 if sex is Sex.MALE else -161)


def targets_of(
    profile: NutritionProfile | None,
) -> tuple[dict[Nutrient, float | None], Literal["profile", "estimated", "none"], str | None]:
    """The daily targets, where they came from, and how an estimate was made."""
    if profile is None:
        return dict.fromkeys(NUTRIENTS), "none", None
    if profile.targets is not None:
        t = profile.targets
        given: dict[Nutrient, float | None] = {
            "calories": t.calories,
            "protein_g": t.protein_g,
            "carbs_g": t.carbs_g,
            "fat_g": t.fat_g,
            "water_ml": t.water_ml,
        }
        return given, "profile", None
    bmr = mifflin_st_jeor(profile.weight_kg, profile.height_cm, profile.age, profile.sex)
    factor = ACTIVITY_FACTORS[profile.activity_level]
    estimated: dict[Nutrient, float | None] = dict.fromkeys(NUTRIENTS)
    estimated["calories"] = rounded(bmr * factor)
    estimated["protein_g"] = rounded(PROTEIN_G_PER_KG[0] * profile.weight_kg)
    how = (
        f"Mifflin–St Jeor BMR {bmr:,.0f} kcal × {factor} ({profile.activity_level.value}); "
        f"protein {PROTEIN_G_PER_KG[0]} g/kg"
    )
    return estimated, "estimated", how


def nutrition_facts(
    logs: Iterable[NutritionLog],
    profile: NutritionProfile | None,
    athlete: AthleteProfile | None,
    entries: Iterable[JournalEntry],
    today: date,
) -> NutritionFacts:
    end = today
    start = end - timedelta(days=DAYS - 1)
    days = {log.date: log for log in logs if start <= log.date <= end}
    targets, source, how = targets_of(profile)
    sums: dict[Nutrient, float] = dict.fromkeys(NUTRIENTS, 0.0)
    for log in days.values():
        sums["calories"] += log.totals.calories
        sums["protein_g"] += log.totals.protein_g
        sums["carbs_g"] += log.totals.carbs_g
        sums["fat_g"] += log.totals.fat_g
        sums["water_ml"] += log.hydration_ml
    count = len(days)
    rows = []
    for nutrient in NUTRIENTS:
        average = sums[nutrient] / count if count else None
        target = targets[nutrient]
        percent = None if average is None or not target else rounded(average / target * 100)
        rows.append(
            Versus(
                nutrient=nutrient,
                unit=UNITS[nutrient],
                average=None if average is None else rounded(average),
                target=target,
                percent=percent,
            )
        )
    weight = profile.weight_kg if profile else athlete.weight_kg if athlete else None
    protein = rows[1].average
    trained = {
        entry.date
        for entry in entries
        if entry.rpe is not None and entry.session_type is not SessionType.REST
    }
    training_logged = [day for day in days if day in trained and day < today]
    calories = targets["calories"]
    under = sum(
        1
        for day in training_logged
        if calories and days[day].totals.calories < UNDER_FUELLED * calories
    )
    return NutritionFacts(
        start=start,
        end=end,
        days_logged=count,
        targets_source=source,
        estimate=how,
        rows=rows,
        weight_kg=weight,
        protein_g_per_kg=None if not weight or protein is None else rounded(protein / weight, 2),
        protein_range_g=None
        if weight is None
        else (rounded(PROTEIN_G_PER_KG[0] * weight), rounded(PROTEIN_G_PER_KG[1] * weight)),
        training_days_logged=len(training_logged),
        under_fuelled_training_days=under,
    )
