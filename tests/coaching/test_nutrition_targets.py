"""The daily targets: docs/nutrition.md's worked examples, number by number (computed there by
hand, not by running the code), and the rules as properties over any valid profile and
training."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching.nutrition.targets import ACTIVITY_FACTORS, DailyTargets, Source, daily_targets
from store.records import JournalEntry, NutritionProfile
from store.records.nutrition import ActivityLevel, NutritionGoal
from tests.coaching.builders import TODAY, session


def profile(**fields: Any) -> NutritionProfile:
    return NutritionProfile.model_validate(fields)


def woman_68(**fields: Any) -> NutritionProfile:
    """Examples 1 and 2: 68 kg, 170 cm, 30 years, moderate."""
    body = {"weight": 68, "heightCm": 170, "age": 30, "sex": "female"}
    return profile(**body, activityLevel="moderate", **fields)


def man_75() -> NutritionProfile:
    """Examples 3 and 3b: 75 kg, 180 cm, 25 years, very active, bulk."""
    body = {"weight": 75, "heightCm": 180, "age": 25, "sex": "male"}
    return profile(**body, activityLevel="very_active", goal="bulk")


def sessions(count: int, minutes: int) -> list[JournalEntry]:
    """`count` sessions on the last `count` days, today included."""
    return [session(TODAY - timedelta(days=back), minutes, 7) for back in range(count)]


def values(targets: DailyTargets) -> dict[str, float | None]:
    """Every target, the BMR and maintenance."""
    every: dict[str, float | None] = {str(k): v for k, v in targets.values().items()}
    return every | {"bmr": targets.bmr, "maintenance": targets.maintenance}


def known(value: float | None) -> float:
    """A figure the test's profile always gives."""
    assert value is not None
    return value


def energy(targets: DailyTargets) -> float:
    protein, carbs, fat = (known(targets.of(n).value) for n in ("protein_g", "carbs_g", "fat_g"))
    return 4 * protein + 4 * carbs + 9 * fat


# -- the worked examples ------------------------------------------------------------------------


def test_example_1_maintain_with_no_sessions_logged() -> None:
    targets = daily_targets(woman_68(goal="maintain"), None, [], TODAY)
    assert values(targets) == {
        "bmr": 1432,  # 680 + 1,062.5 − 150 − 161 = 1,431.5
        "maintenance": 2220,  # 1,432 × 1.55 = 2,219.6
        "calories": 2220,
        "protein_g": 109,  # 1.6 × 68 = 108.8
        "carbs_g": 336,  # (2,220 − 436 − 441) / 4 = 335.75, fat held at 20 %
        "fat_g": 49,  # 0.20 × 2,220 / 9 = 49.3
        "water_ml": 2900,  # 2,380 + 500 = 2,880
    }
    assert (targets.training.hours_per_day, targets.training.logged) == (1, False)
    assert energy(targets) == 2221
    assert {targets.of(n).source for n in ("calories", "protein_g", "water_ml")} == {"computed"}
    assert (targets.notes, targets.missing) == ([], [])
    assert "1,432 kcal (68 kg, 170 cm, 30 y, female) × 1.55 (moderate) = 2,220" in (
        targets.calories.how
    )
    assert "= 5 g/kg" in targets.carbs_g.how  # the training's carbs, before fat was held
    assert "20 % of 2,220 kcal / 9" in targets.fat_g.how
    assert "would be 19 % of energy, under 20 %" in targets.fat_g.how


def test_example_2_the_same_climber_on_a_cut() -> None:
    targets = daily_targets(woman_68(goal="cut"), None, [], TODAY)
    assert values(targets) == {
        "bmr": 1432,
        "maintenance": 2220,
        "calories": 2000,  # 2,220 − 222 = 1,998, rounded up
        "protein_g": 150,  # 2.2 × 68 = 149.6
        "carbs_g": 251,  # (2,000 − 600 − 396) / 4
        "fat_g": 44,  # 0.20 × 2,000 / 9 = 44.4
        "water_ml": 2900,
    }
    assert energy(targets) == 2000
    assert targets.notes == [
        "A cut here is a modest deficit: 220 kcal under maintenance, never under your BMR of "
        "1,432 kcal. I won't set a steeper one: under-fuelling costs strength and raises injury "
        "risk."
    ]
    assert "a cut takes 10 % (222 kcal)" in targets.calories.how
    assert "2,220 − 222 = 1,998, rounded up to 2,000 kcal" in targets.calories.how


def test_example_3_a_very_active_bulk_with_ten_hours_logged() -> None:
    targets = daily_targets(man_75(), None, sessions(5, 120), TODAY)
    assert values(targets) == {
        "bmr": 1755,  # 750 + 1,125 − 125 + 5
        "maintenance": 3335,  # 1,755 × 1.9 = 3,334.5, half away from zero
        "calories": 3660,  # 3,335 + 333.5 = 3,668.5, rounded down
        "protein_g": 135,  # 1.8 × 75
        "carbs_g": 461,  # (3,660 − 540 − 1,278) / 4 = 460.5, fat held at 35 %
        "fat_g": 142,  # 0.35 × 3,660 / 9 = 142.3
        "water_ml": 3350,  # 2,625 + 715 = 3,340
    }
    training = targets.training
    assert (training.hours_per_day, training.logged) == (1.43, True)  # 600 min / 60 / 7
    assert (training.start, training.end) == (TODAY - timedelta(days=6), TODAY)
    assert energy(targets) == 3662
    assert targets.notes == []
    assert "= 5.86 g/kg × 75 kg" in targets.carbs_g.how  # 439.5 g from the training alone
    assert "the training alone gave 440 g" in targets.carbs_g.how
    assert "35 % of 3,660 kcal / 9" in targets.fat_g.how
    assert "a bulk adds 10 % (333.5 kcal): 3,335 + 333.5 = 3,668.5, rounded down to 3,660" in (
        targets.calories.how
    )


def test_example_3b_the_carbs_cap_with_21_hours_logged() -> None:
    targets = daily_targets(man_75(), None, sessions(7, 180), TODAY)
    assert targets.training.hours_per_day == 3  # 1,260 min / 60 / 7
    assert targets.values() == {
        "calories": 3660,
        "protein_g": 135,
        "carbs_g": 598,  # 600 g at the cap, then (3,660 − 540 − 729) / 4 = 597.75
        "fat_g": 81,  # 0.20 × 3,660 / 9 = 81.3
        "water_ml": 4150,  # 2,625 + 1,500 = 4,125
    }
    assert energy(targets) == 3661
    assert "= 9 g/kg, capped at 8 g/kg × 75 kg" in targets.carbs_g.how


def test_example_4_a_small_sedentary_climbers_cut_stays_above_the_bmr() -> None:
    body = {"weight": 45, "heightCm": 152, "age": 40, "sex": "female"}
    targets = daily_targets(profile(**body, activityLevel="sedentary", goal="cut"), None, [], TODAY)
    assert values(targets) == {
        "bmr": 1039,  # 450 + 950 − 200 − 161
        "maintenance": 1247,  # 1,039 × 1.2 = 1,246.8
        "calories": 1130,  # 1,247 − 124.7 = 1,122.3, above the BMR, rounded up
        "protein_g": 99,  # 2.2 × 45
        "carbs_g": 127,  # (1,130 − 396 − 225) / 4 = 127.25
        "fat_g": 25,  # 0.20 × 1,130 / 9 = 25.1
        "water_ml": 1600,  # 1,575, half up to 50
    }
    assert targets.training.hours_per_day == 0
    assert energy(targets) == 1129
    assert targets.notes[0].startswith(
        "A cut here is a modest deficit: 117 kcal under maintenance, never under your BMR of "
        "1,039 kcal."
    )


def test_example_5_under_a_bmi_of_18_5_a_cut_is_maintenance() -> None:
    body = {"weight": 50, "heightCm": 168, "age": 22, "sex": "female"}
    light = profile(**body, activityLevel="active", goal="cut", targetWeight=48)
    targets = daily_targets(light, None, [], TODAY)
    assert values(targets) == {
        "bmr": 1279,  # 500 + 1,050 − 110 − 161
        "maintenance": 2206,  # 1,279 × 1.725 = 2,206.275
        "calories": 2210,
        "protein_g": 80,  # 1.6 × 50, as for maintain
        "carbs_g": 300,  # (3 + 2 × 1.5) × 50
        "fat_g": 77,  # (2,210 − 320 − 1,200) / 9 = 76.7
        "water_ml": 2500,  # 1,750 + 750
    }
    assert energy(targets) == 2213
    assert targets.notes == [
        "Your BMI is 17.7, under 18.5: I've set maintenance, not a cut. Fuel your training.",
        "A target weight of 48 kg is under a BMI of 18.5 for your height (52.2 kg): I won't work "
        "toward it.",
    ]
    assert "no cut at a BMI of 17.7" in targets.calories.how
    assert "not a cut" in targets.protein_g.how


def test_example_6_own_calories_and_protein_only_the_rest_computed() -> None:
    body = {"weight": 70, "heightCm": 175, "age": 35, "sex": "male", "activityLevel": "active"}
    own = profile(**body, targets={"calories": 2600, "proteinG": 140})
    targets = daily_targets(own, None, sessions(4, 90), TODAY)
    assert values(targets) == {
        "bmr": 1624,  # 700 + 1,093.75 − 175 + 5 = 1,623.75
        "maintenance": 2801,  # 1,624 × 1.725 = 2,801.4
        "calories": 2600,
        "protein_g": 140,
        "carbs_g": 330,  # (3 + 2 × 0.86) × 70 = 330.4
        "fat_g": 80,  # (2,600 − 560 − 1,320) / 9
        "water_ml": 2900,  # 2,450 + 430 = 2,880
    }
    assert targets.training.hours_per_day == 0.86  # 360 min / 60 / 7
    sources = {n: targets.of(n).source for n in ("calories", "protein_g", "carbs_g", "fat_g")}
    assert sources == {
        "calories": "yours",
        "protein_g": "yours",
        "carbs_g": "computed",
        "fat_g": "computed",
    }
    assert targets.calories.how == "your own target"
    assert energy(targets) == 2600
    assert targets.notes == []


def test_what_a_missing_field_leaves_missing() -> None:
    targets = daily_targets(profile(weight=60), None, [], TODAY)
    assert targets.missing == ["heightCm", "age", "sex"]
    assert targets.calories.source is Source.MISSING
    assert targets.fat_g.source is Source.MISSING  # fat needs the energy target
    assert (targets.protein_g.value, targets.water_ml.value) == (96, 2600)  # 1.6 × 60; 2,100 + 500


def test_an_own_calorie_target_under_the_bmr_is_named() -> None:
    targets = daily_targets(woman_68(targets={"calories": 1200}), None, [], TODAY)
    assert targets.calories.value == 1200
    assert targets.notes == [
        "Your own calorie target of 1,200 kcal is under your BMR of 1,432 kcal: that is too "
        "little to train on, and I won't coach toward it."
    ]


def test_at_the_profiles_extremes_carbs_bottom_out_at_zero() -> None:
    body = {"weight": 250, "heightCm": 100, "age": 100, "sex": "female"}
    targets = daily_targets(profile(**body, activityLevel="sedentary", goal="cut"), None, [], TODAY)
    assert targets.values() == {
        "calories": 2670,  # BMR 2,464 × 1.2 = 2,956.8 → 2,957; − 295.7 = 2,661.3, rounded up
        "protein_g": 550,  # 2.2 × 250 = 2,200 kcal
        "carbs_g": 0,  # (2,670 − 2,200 − 531) / 4 is under 0
        "fat_g": 59,  # 0.20 × 2,670 / 9 = 59.3
        "water_ml": 8750,
    }


# -- the rules, over any valid profile and training ---------------------------------------------


@st.composite
def profiles(draw: st.DrawFn) -> NutritionProfile:
    """Any valid profile from 140 cm up. Below that, at the record's extremes (100 cm, 250 kg,
    100 years, a cut), 2.2 g/kg of protein and the 20 % fat floor alone pass the energy target,
    carbs bottom out at 0 and the three cannot add up (docs/nutrition.md, "Limits")."""
    return profile(
        weight=draw(st.integers(250, 2500)) / 10,
        heightCm=draw(st.integers(280, 500)) / 2,
        age=draw(st.integers(14, 100)),
        sex=draw(st.sampled_from(["female", "male"])),
        activityLevel=draw(st.sampled_from(list(ActivityLevel))),
        goal=draw(st.sampled_from(list(NutritionGoal))),
    )


@st.composite
def trainings(draw: st.DrawFn) -> list[JournalEntry]:
    """Sessions over the last 28 days (rest days among them), some without an RPE."""
    count = draw(st.integers(0, 12))
    return [
        session(
            TODAY - timedelta(days=draw(st.integers(0, 27))),
            draw(st.integers(10, 300)),
            draw(st.none() | st.integers(1, 10)),
            sessionType=draw(st.sampled_from(["gym", "board", "outdoor", "rest"])),
        )
        for _ in range(count)
    ]


CHECKS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CHECKS
@given(profiles(), trainings())
def test_energy_follows_the_goal_and_never_goes_under_the_bmr(
    climber: NutritionProfile, entries: list[JournalEntry]
) -> None:
    targets = daily_targets(climber, None, entries, TODAY)
    calories, bmr = known(targets.calories.value), known(targets.bmr)
    maintenance = known(targets.maintenance)
    assert calories >= bmr
    assert calories % 10 == 0
    change = calories - maintenance
    most = min(0.1 * maintenance, 500)
    weight, height = known(climber.weight_kg), known(climber.height_cm)
    thin = weight / (height / 100) ** 2 < 18.5
    if climber.goal is NutritionGoal.CUT and not thin:
        assert -most <= change <= 0
    elif climber.goal is NutritionGoal.BULK:
        assert 0 <= change <= most
    else:
        assert abs(change) <= 5  # maintenance, to the nearest 10 kcal


@CHECKS
@given(profiles(), trainings())
def test_macros_keep_to_their_ranges_and_add_up_to_the_energy(
    climber: NutritionProfile, entries: list[JournalEntry]
) -> None:
    targets = daily_targets(climber, None, entries, TODAY)
    calories, protein, fat = (
        known(targets.of(n).value) for n in ("calories", "protein_g", "fat_g")
    )
    weight = known(climber.weight_kg)
    assert 1.6 * weight - 0.5 <= protein <= 2.2 * weight + 0.5  # 1 g rounding
    assert 0.20 * calories - 9 <= 9 * fat <= 0.35 * calories + 9  # 1 g rounding
    assert abs(energy(targets) - calories) <= 15


@CHECKS
@given(profiles(), trainings(), st.integers(30, 300))
def test_water_grows_with_training(
    climber: NutritionProfile, entries: list[JournalEntry], minutes: int
) -> None:
    before = daily_targets(climber, None, entries, TODAY)
    more = [*entries, session(TODAY, minutes, 7)]
    after = daily_targets(climber, None, more, TODAY)
    rise = after.training.hours_per_day - before.training.hours_per_day
    water_before, water_after = known(before.water_ml.value), known(after.water_ml.value)
    if before.training.logged:  # else the activity level's typical hours stood in
        assert rise >= 0
        assert water_after >= water_before
        if rise >= 0.1:  # 50 ml or more: at least one step of 50 ml
            assert water_after >= water_before + 50
    # 14 h more in the week is 2 h a day more: 1,000 ml.
    busier = daily_targets(climber, None, [*more, session(TODAY, 840, 7)], TODAY)
    assert busier.water_ml.value == water_after + 1000


@CHECKS
@given(profiles(), trainings())
def test_every_computed_target_shows_its_inputs(
    climber: NutritionProfile, entries: list[JournalEntry]
) -> None:
    targets = daily_targets(climber, None, entries, TODAY)
    weight, height, age = known(climber.weight_kg), known(climber.height_cm), climber.age
    hours = f"{targets.training.hours_per_day:g} h"
    protein, fat = known(targets.protein_g.value), known(targets.fat_g.value)
    calories = known(targets.calories.value)
    factor = ACTIVITY_FACTORS[climber.activity_level]
    inputs = {
        "calories": [
            f"{weight:g} kg",
            f"{height:g} cm",
            f"{age} y",
            f"BMR {known(targets.bmr):,.0f} kcal",
            f"× {factor:g}",
            f"= {known(targets.maintenance):,.0f} kcal to maintain",
        ],
        "protein_g": [f"{weight:g} kg"],
        "carbs_g": [f"{weight:g} kg", hours],
        "fat_g": [f"{calories:,.0f} − 4 × {protein:g} g protein"],
        "water_ml": [f"{weight:g} kg", hours],
    }
    if targets.carbs_g.how.startswith("("):  # carbs took the difference when fat was held
        inputs["carbs_g"] += [f"{calories:,.0f} − 4 × {protein:g} g protein", f"{fat:g} g fat"]
    for nutrient, numbers in inputs.items():
        target = targets.of(nutrient)  # type: ignore[arg-type]
        assert target.source is Source.COMPUTED
        for number in numbers:
            assert number in target.how, (nutrient, number, target.how)


def test_the_day_does_not_matter() -> None:
    """The same profile and training, a year and a leap day apart, give the same targets."""
    here = daily_targets(man_75(), None, sessions(5, 120), TODAY)
    other_day = date(2028, 2, 29)
    moved = [session(other_day - (TODAY - e.date), 120, 7) for e in sessions(5, 120)]
    there = daily_targets(man_75(), None, moved, other_day)
    assert here.values() == there.values()
