"""Daily targets, computed in code from the nutrition profile and the logged training.

Each target is the climber's own when they set one, otherwise computed as follows (the worked
examples in docs/nutrition.md are computed by hand from these rules and tested):

- energy: Mifflin–St Jeor BMR × the activity factor (sedentary 1.2 … very active 1.9) is
  maintenance. Maintain and recomp eat at maintenance; bulk adds 10 % (at most 500 kcal); cut
  takes a modest 10 % (at most 500 kcal) and never goes below the BMR. A climber already under
  a BMI of 18.5 who asks for a cut is given maintenance (and a maintenance protein target).
  Rounded to 10 kcal: maintenance to the nearest 10, a cut or a bulk toward maintenance, so
  neither ever passes its 10 %, its 500 kcal or the BMR.
- protein: g/kg of body weight by goal, within 1.6–2.2 (maintain 1.6, bulk 1.8, recomp 2.0,
  cut 2.2, where more protein protects muscle in a deficit).
- carbs: scaled to the training, 3 g/kg plus 2 g/kg per hour of training a day (logged over
  the last 7 days, today included), at most 8 g/kg; with no session logged in the last 28
  days, the activity level's typical hours stand in.
- fat: what energy is left after protein and carbs, kept within 20–35 % of energy; when it is
  held at a bound, carbs take the difference, so the three always add up to the energy target.
- water: 35 ml/kg plus 500 ml per hour of training a day, rounded to 50 ml.

Every step is rounded (half away from zero) before the next is computed from it, as a climber
checking by hand would: the BMR and maintenance to 1 kcal, hours of training a day to 0.01 h,
grams to 1 g.

Never push weight loss: no computed target is below the BMR, and a target weight under a BMI of
18.5 is named as one the coach will not work toward.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from coaching.analytics.common import Fact, rounded
from store.records.athlete import AthleteProfile
from store.records.journal import JournalEntry, SessionType
from store.records.nutrition import ActivityLevel, NutritionGoal, NutritionProfile, Sex

ACTIVITY_FACTORS = {
    ActivityLevel.SEDENTARY: 1.2,
    ActivityLevel.LIGHT: 1.375,
    ActivityLevel.MODERATE: 1.55,
    ActivityLevel.ACTIVE: 1.725,
    ActivityLevel.VERY_ACTIVE: 1.9,
}
TYPICAL_HOURS = {
    ActivityLevel.SEDENTARY: 0.0,
    ActivityLevel.LIGHT: 0.5,
    ActivityLevel.MODERATE: 1.0,
    ActivityLevel.ACTIVE: 1.5,
    ActivityLevel.VERY_ACTIVE: 2.0,
}
"""Hours of training a day an activity level stands for, when no session is logged."""
PROTEIN_G_PER_KG = (1.6, 2.2)
PROTEIN_BY_GOAL = {
    NutritionGoal.MAINTAIN: 1.6,
    NutritionGoal.BULK: 1.8,
    NutritionGoal.RECOMP: 2.0,
    NutritionGoal.CUT: 2.2,
}
ENERGY_CHANGE = 0.10
"""A cut's deficit and a bulk's surplus, as a share of maintenance…"""
ENERGY_CHANGE_MOST = 500
"""…and at most this many kcal."""
CARBS_BASE_G_PER_KG = 3.0
CARBS_PER_HOUR_G_PER_KG = 2.0
CARBS_MOST_G_PER_KG = 8.0
FAT_SHARE = (0.20, 0.35)
WATER_ML_PER_KG = 35
WATER_ML_PER_HOUR = 500
LOW_BMI = 18.5
TRAINING_DAYS = 7
RECENT_DAYS = 28

Nutrient = Literal["calories", "protein_g", "carbs_g", "fat_g", "water_ml"]
NUTRIENTS: tuple[Nutrient, ...] = ("calories", "protein_g", "carbs_g", "fat_g", "water_ml")
UNITS: dict[Nutrient, str] = {
    "calories": "kcal",
    "protein_g": "g",
    "carbs_g": "g",
    "fat_g": "g",
    "water_ml": "ml",
}


class Source(StrEnum):
    YOURS = "yours"
    """Set by the climber."""
    COMPUTED = "computed"
    MISSING = "missing"
    """Cannot be computed until the profile says more (see `how`)."""


class Target(Fact):
    nutrient: Nutrient
    value: float | None
    unit: str
    source: Source
    how: str
    """How the value was computed, with the numbers (or what it still needs)."""


class Training(Fact):
    """The training the carbs and water targets are scaled to."""

    hours_per_day: float
    logged: bool
    """True when computed from logged sessions; False when the activity level stands in."""
    start: date
    end: date


class DailyTargets(Fact):
    """Every daily target with how it was reached, and what the coach says about them."""

    calories: Target
    protein_g: Target
    carbs_g: Target
    fat_g: Target
    water_ml: Target
    bmr: float | None
    maintenance: float | None
    training: Training
    notes: list[str]
    """Plain sentences: the cut floor, a target weight the coach won't work toward, a target
    of the climber's own under their BMR."""
    missing: list[str]
    """Profile fields that would let more targets be computed (wire names)."""

    def of(self, nutrient: Nutrient) -> Target:
        target: Target = getattr(self, nutrient)
        return target

    def values(self) -> dict[Nutrient, float | None]:
        return {nutrient: self.of(nutrient).value for nutrient in NUTRIENTS}


def mifflin_st_jeor(weight_kg: float, height_cm: float, age: int, sex: Sex) -> float:
    """Basal metabolic rate in kcal/day (Mifflin et al. 1990)."""
    base = 10 * weight_kg + 6.25 * height_cm - 5 * age
    return base + (5 if sex is Sex.MALE else -161)


def _round(value: float, places: int = 0) -> float:
    """`value` rounded half away from zero as the decimal it stands for: a float product such
    as 3 + 2 × 1.43 (5.859999999999999) rounds as the 5.86 a climber computes by hand."""
    return rounded(round(value, 9), places)


def _tens(value: float, way: Literal["nearest", "up", "down"]) -> float:
    """`value` to 10 kcal: to the nearest, or toward maintenance for a cut (up) or a bulk."""
    steps = round(value / 10, 9)
    whole = {"nearest": _round(steps), "up": math.ceil(steps), "down": math.floor(steps)}[way]
    return float(whole * 10)


def _kcal(value: float) -> str:
    """Up to one decimal (a tenth of maintenance may end in .5), thousands separated."""
    return f"{_round(value, 1):,.1f}".removesuffix(".0")


def training_of(entries: Iterable[JournalEntry], activity: ActivityLevel, today: date) -> Training:
    """Hours of training a day over the 7 days to `today`, or the activity level's typical
    hours when nothing was logged in the last 28 days."""
    start = today - timedelta(days=TRAINING_DAYS - 1)
    sessions = [
        entry
        for entry in entries
        if entry.session_type is not SessionType.REST
        and today - timedelta(days=RECENT_DAYS - 1) <= entry.date <= today
    ]
    if not sessions:
        return Training(hours_per_day=TYPICAL_HOURS[activity], logged=False, start=start, end=today)
    minutes = sum(entry.duration_minutes for entry in sessions if entry.date >= start)
    return Training(
        hours_per_day=_round(minutes / 60 / TRAINING_DAYS, 2), logged=True, start=start, end=today
    )


def daily_targets(
    profile: NutritionProfile | None,
    athlete: AthleteProfile | None,
    entries: Iterable[JournalEntry],
    today: date,
) -> DailyTargets:
    """The targets for `profile` (age, weight and height fall back to the athlete profile)."""
    profile = profile or NutritionProfile()
    weight = profile.weight_kg or (athlete.weight_kg if athlete else None)
    height = profile.height_cm or (athlete.height_cm if athlete else None)
    age = profile.age or (athlete.age if athlete else None)
    activity, sex = profile.activity_level, profile.sex
    own = profile.targets
    training = training_of(entries, activity, today)
    notes: list[str] = []
    missing = [
        name
        for name, value in (("weight", weight), ("heightCm", height), ("age", age))
        if value is None
    ] + (["sex"] if sex is None else [])

    body = None
    bmr = maintenance = None
    if weight is not None and height is not None and age is not None and sex is not None:
        body = f"{weight:g} kg, {height:g} cm, {age} y, {sex.value}"
        bmr = _round(mifflin_st_jeor(weight, height, age, sex))
        maintenance = _round(bmr * ACTIVITY_FACTORS[activity])
    bmi = weight / (height / 100) ** 2 if weight and height else None
    # A climber already under a BMI of 18.5 is not put in a deficit: they eat as for maintain.
    thin = profile.goal is NutritionGoal.CUT and bmi is not None and bmi < LOW_BMI
    goal = NutritionGoal.MAINTAIN if thin else profile.goal

    def chosen(nutrient: Nutrient) -> Target | None:
        value = getattr(own, nutrient) if own is not None else None
        if value is None:
            return None
        return Target(
            nutrient=nutrient, value=value, unit=UNITS[nutrient], source=Source.YOURS,
            how="your own target",
        )  # fmt: skip

    calories = chosen("calories") or _energy(
        body, bmr, maintenance, activity, profile.goal, bmi, notes
    )
    protein = chosen("protein_g") or _protein(weight, goal, thin)
    carbs = chosen("carbs_g") or _carbs(weight, training, activity)
    fat = chosen("fat_g")
    if fat is None:
        fat, carbs = _fat(calories.value, protein.value, carbs)
    water = chosen("water_ml") or _water(weight, training)

    own_calories = calories.value if calories.source is Source.YOURS else None
    if own_calories is not None and bmr is not None and own_calories < bmr:
        notes.append(
            f"Your own calorie target of {own_calories:,.0f} kcal is under your BMR of "
            f"{bmr:,.0f} kcal: that is too little to train on, and I won't coach toward it."
        )
    if profile.target_weight_kg is not None and height is not None:
        lowest = _round(LOW_BMI * (height / 100) ** 2, 1)
        if profile.target_weight_kg < lowest:
            notes.append(
                f"A target weight of {profile.target_weight_kg:g} kg is under a BMI of "
                f"{LOW_BMI} for your height ({lowest:g} kg): I won't work toward it."
            )
    return DailyTargets(
        calories=calories, protein_g=protein, carbs_g=carbs, fat_g=fat, water_ml=water,
        bmr=bmr, maintenance=maintenance, training=training, notes=notes, missing=missing,
    )  # fmt: skip


def _missing(nutrient: Nutrient, needs: str) -> Target:
    return Target(
        nutrient=nutrient, value=None, unit=UNITS[nutrient], source=Source.MISSING,
        how=f"needs {needs}",
    )  # fmt: skip


def _computed(nutrient: Nutrient, value: float, how: str) -> Target:
    return Target(
        nutrient=nutrient, value=value, unit=UNITS[nutrient], source=Source.COMPUTED, how=how
    )


def _energy(
    body: str | None,
    bmr: float | None,
    maintenance: float | None,
    activity: ActivityLevel,
    goal: NutritionGoal,
    bmi: float | None,
    notes: list[str],
) -> Target:
    if body is None or bmr is None or maintenance is None:
        return _missing("calories", "weight, height, age and sex (Mifflin–St Jeor)")
    factor = ACTIVITY_FACTORS[activity]
    how = (
        f"Mifflin–St Jeor BMR {bmr:,.0f} kcal ({body}) × {factor:g} "
        f"({activity.value.replace('_', ' ')}) = {maintenance:,.0f} kcal to maintain; "
    )
    tenth = ENERGY_CHANGE * maintenance
    change = min(tenth, ENERGY_CHANGE_MOST)
    share = (
        f"10 % ({_kcal(change)} kcal)"
        if tenth <= ENERGY_CHANGE_MOST
        else f"{ENERGY_CHANGE_MOST} kcal (10 % would be {_kcal(tenth)})"
    )
    way = ""
    if goal is NutritionGoal.CUT and bmi is not None and bmi < LOW_BMI:
        value = _tens(maintenance, "nearest")
        how += f"no cut at a BMI of {_round(bmi, 1):.1f} (under {LOW_BMI}): maintenance"
        notes.append(
            f"Your BMI is {_round(bmi, 1):.1f}, under {LOW_BMI}: I've set maintenance, not a cut. "
            "Fuel your training."
        )
    elif goal is NutritionGoal.CUT:
        less = maintenance - change
        value, way = _tens(max(less, bmr), "up"), "up "
        how += f"a cut takes {share}, never under the BMR: {maintenance:,.0f} − {_kcal(change)}"
        how += f" = {_kcal(less)}" + (f", under the BMR, so {bmr:,.0f}" if less < bmr else "")
        notes.append(
            f"A cut here is a modest deficit: {maintenance - value:,.0f} kcal under maintenance, "
            f"never under your BMR of {bmr:,.0f} kcal. I won't set a steeper one: under-fuelling "
            "costs strength and raises injury risk."
        )
    elif goal is NutritionGoal.BULK:
        more = maintenance + change
        value, way = _tens(more, "down"), "down "
        how += f"a bulk adds {share}: {maintenance:,.0f} + {_kcal(change)} = {_kcal(more)}"
    else:
        value = _tens(maintenance, "nearest")
        how += f"{goal.value} eats at maintenance"
    return _computed("calories", value, how + f", rounded {way}to {value:,.0f} kcal")


def _protein(weight: float | None, goal: NutritionGoal, thin: bool) -> Target:
    if weight is None:
        return _missing("protein_g", "your weight")
    per_kg = PROTEIN_BY_GOAL[goal]
    low, high = PROTEIN_G_PER_KG
    why = f"{goal.value}, not a cut, at a BMI under {LOW_BMI}" if thin else goal.value
    return _computed(
        "protein_g", _round(per_kg * weight),
        f"{per_kg:g} g/kg × {weight:g} kg ({why}; {low:g}–{high:g} g/kg for strength athletes)",
    )  # fmt: skip


def _training_words(training: Training, activity: ActivityLevel) -> str:
    hours = f"{training.hours_per_day:g} h of training a day"
    if training.logged:
        return f"{hours} (logged {training.start} – {training.end})"
    level = activity.value.replace("_", " ")
    return f"{hours} (typical of {level}: no session logged in {RECENT_DAYS} days)"


def _carbs(weight: float | None, training: Training, activity: ActivityLevel) -> Target:
    if weight is None:
        return _missing("carbs_g", "your weight")
    scaled = _round(CARBS_BASE_G_PER_KG + CARBS_PER_HOUR_G_PER_KG * training.hours_per_day, 2)
    per_kg = min(scaled, CARBS_MOST_G_PER_KG)
    how = (
        f"{CARBS_BASE_G_PER_KG:g} g/kg + {CARBS_PER_HOUR_G_PER_KG:g} g/kg × "
        f"{_training_words(training, activity)} = {scaled:g} g/kg"
    )
    if per_kg < scaled:
        how += f", capped at {CARBS_MOST_G_PER_KG:g} g/kg"
    return _computed("carbs_g", _round(per_kg * weight), how + f" × {weight:g} kg")


def _fat(calories: float | None, protein: float | None, carbs: Target) -> tuple[Target, Target]:
    """Fat from the energy left, kept within 20–35 % of energy; carbs (when computed) take the
    difference when fat is held at a bound."""
    if calories is None or protein is None or carbs.value is None:
        return _missing("fat_g", "the energy, protein and carbs targets"), carbs
    left = calories - 4 * protein - 4 * carbs.value
    low, high = (share * calories for share in FAT_SHARE)
    rest = f"({calories:,.0f} − 4 × {protein:g} g protein − 4 × {carbs.value:g} g carbs) / 9"
    if low <= left <= high:
        part = f"{left / calories * 100:.0f} % of energy (20–35 %)"
        return _computed("fat_g", _round(left / 9), f"{rest}, {part}"), carbs
    share = FAT_SHARE[0] if left < low else FAT_SHARE[1]
    side = "under 20" if left < low else "over 35"
    fat = _round(max(share * calories, 0) / 9)
    fat_target = _computed(
        "fat_g", fat,
        f"{share * 100:.0f} % of {calories:,.0f} kcal / 9: {rest} would be "
        f"{left / calories * 100:.0f} % of energy, {side} %",
    )  # fmt: skip
    if carbs.source is Source.YOURS:
        return fat_target, carbs
    refitted = _round(max(calories - 4 * protein - 9 * fat, 0) / 4)
    carbs_target = _computed(
        "carbs_g", refitted,
        f"({calories:,.0f} − 4 × {protein:g} g protein − 9 × {fat:g} g fat) / 4, so energy adds "
        f"up; the training alone gave {carbs.value:g} g: {carbs.how}",
    )  # fmt: skip
    return fat_target, carbs_target


def _water(weight: float | None, training: Training) -> Target:
    if weight is None:
        return _missing("water_ml", "your weight")
    value = _round((WATER_ML_PER_KG * weight + WATER_ML_PER_HOUR * training.hours_per_day) / 50)
    how = (
        f"{WATER_ML_PER_KG} ml/kg × {weight:g} kg + {WATER_ML_PER_HOUR} ml × "
        f"{training.hours_per_day:g} h of training a day, rounded to 50 ml"
    )
    return _computed("water_ml", value * 50, how)
