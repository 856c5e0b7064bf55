"""Nutrition over the last 7 days (today included) against targets."""

from __future__ import annotations

from datetime import timedelta

from coaching.analytics import Period, Window, compute, render_text
from coaching.nutrition.targets import mifflin_st_jeor
from store.records import AthleteProfile, NutritionProfile
from store.records.nutrition import Sex
from tests.coaching.builders import TODAY, food, inputs, session

WINDOW = Window(Period.DAYS_30, TODAY)
TARGETS = {"calories": 2800, "proteinG": 120, "carbsG": 400, "fatG": 80, "waterMl": 3000}


def profile(**fields: object) -> NutritionProfile:
    body = {"weight": 68, "heightCm": 176, "age": 29, "sex": "male", "activityLevel": "active"}
    return NutritionProfile.model_validate({**body, **fields})


def test_seven_days_against_the_profiles_targets() -> None:
    # Issue 13 changes the window: the 7 days are today and the 6 before (today used to be
    # left out, so a meal logged today counted nowhere).
    logs = [food(TODAY - timedelta(days=back), 2520, 108, 2700) for back in range(0, 7)]
    logs.append(food(TODAY - timedelta(days=7), 5000, 300))  # before the 7 days
    facts = compute(inputs(logs=logs, nutrition=profile(targets=TARGETS)), WINDOW).nutrition
    assert (facts.start, facts.end) == (TODAY - timedelta(days=6), TODAY)
    assert facts.days_logged == 7
    assert facts.targets.calories.source == "yours"
    rows = {row.nutrient: row for row in facts.rows}
    assert (rows["calories"].average, rows["calories"].percent) == (2520, 90)
    assert (rows["protein_g"].average, rows["protein_g"].percent) == (108, 90)
    assert (rows["water_ml"].average, rows["water_ml"].percent) == (2700, 90)
    assert facts.protein_g_per_kg == 1.59  # 108 g / 68 kg
    assert facts.protein_range_g == (109, 150)


def test_averages_are_per_logged_day_and_under_fuelled_training_days_are_counted() -> None:
    logs = [
        food(TODAY - timedelta(days=1), 2000, 100),  # a training day under 80 % of 2,800
        food(TODAY - timedelta(days=2), 3000, 140),  # a training day well fuelled
        food(TODAY - timedelta(days=3), 2000, 90),  # a rest day
    ]
    entries = [session(TODAY - timedelta(days=1)), session(TODAY - timedelta(days=2))]
    analytics = compute(inputs(entries, logs=logs, nutrition=profile(targets=TARGETS)), WINDOW)
    facts = analytics.nutrition
    assert facts.days_logged == 3
    assert facts.rows[0].average == 2333  # (2000 + 3000 + 2000) / 3
    assert (facts.training_days_logged, facts.under_fuelled_training_days) == (2, 1)
    text = render_text(analytics)
    assert "1 of 2 logged training days were under 80 % of your 2,800 kcal target" in text
    assert "lose" not in text.lower()


def test_todays_meal_counts_but_today_is_never_called_under_fuelled() -> None:
    logs = [
        food(TODAY, 650, 35),  # lunch so far, on a training day
        food(TODAY - timedelta(days=1), 2000, 100),  # a training day under 80 % of 2,800
    ]
    entries = [session(TODAY), session(TODAY - timedelta(days=1))]
    analytics = compute(inputs(entries, logs=logs, nutrition=profile(targets=TARGETS)), WINDOW)
    facts = analytics.nutrition
    assert facts.days_logged == 2
    assert facts.rows[0].average == 1325  # (650 + 2000) / 2
    # Today is still being eaten: only yesterday is judged.
    assert (facts.training_days_logged, facts.under_fuelled_training_days) == (1, 1)
    text = render_text(analytics)
    assert "Nutrition, 2 of 7 days logged (to today, 2026-03-15), a day: 1,325 kcal" in text
    assert "1 of 1 logged training day was under 80 % of your 2,800 kcal target" in text
    only_today = compute(inputs(logs=[food(TODAY, 650, 35)]), WINDOW).nutrition
    assert only_today.days_logged == 1
    assert only_today.rows[0].average == 650


def test_targets_are_estimated_with_mifflin_st_jeor_when_missing() -> None:
    assert mifflin_st_jeor(68, 176, 29, Sex.MALE) == 1640  # 680 + 1,100 - 145 + 5
    assert mifflin_st_jeor(60, 165, 30, Sex.FEMALE) == 1320.25  # 600 + 1,031.25 - 150 - 161
    logs = [food(TODAY - timedelta(days=1), 2829, 109)]
    facts = compute(inputs(logs=logs, nutrition=profile()), WINDOW).nutrition
    assert facts.targets.calories.source == "computed"
    rows = {row.nutrient: row for row in facts.rows}
    assert rows["calories"].target == 2830  # 1,640 × 1.725 (active) = 2,829, to 10 kcal
    assert rows["calories"].percent == 100
    assert rows["protein_g"].target == 109  # 1.6 g/kg × 68 kg (maintain)
    assert "Mifflin–St Jeor" in facts.targets.calories.how


def test_nothing_logged_and_no_profile() -> None:
    athlete = AthleteProfile.model_validate({"weight": 70})
    analytics = compute(inputs(athlete=athlete), WINDOW)
    facts = analytics.nutrition
    assert (facts.days_logged, facts.weight_kg) == (0, 70)
    assert facts.targets.calories.source == "missing"  # no height, age or sex yet
    assert all(row.average is None and row.percent is None for row in facts.rows)
    assert facts.protein_g_per_kg is None
    assert "Nutrition: nothing logged" in render_text(analytics)
