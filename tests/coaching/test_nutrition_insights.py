"""Intake against the targets over a range: docs/nutrition.md's example 7 number by number, and
the conventions a climber reads the figures by (a day not logged is unknown, today is still
being eaten, under-fuelling is a possibility worth a look)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from coaching.nutrition.insights import NutritionInsights, nutrition_insights
from store.records import JournalEntry, NutritionLog, NutritionProfile
from tests.coaching.builders import TODAY, food, session, written

CLIMBER = NutritionProfile.model_validate(
    {
        "weight": 68,
        "heightCm": 170,
        "age": 30,
        "sex": "female",
        "activityLevel": "moderate",
        "goal": "maintain",
    }
)
"""Example 1's climber: 2,220 kcal a day, protein 109 g."""


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def meals(day: date, *given: dict[str, Any], water: float = 0) -> NutritionLog:
    """A day's log of meals with only the nutrients `given` (the rest not logged)."""
    body = [{"mealType": "snack", **meal} for meal in given]
    return NutritionLog.model_validate(
        {"updatedAt": written(day)["updatedAt"], "date": day, "meals": body, "hydrationMl": water}
    )


def insights(
    logs: list[NutritionLog],
    entries: Sequence[JournalEntry] = (),
    *,
    start: date | None = None,
) -> NutritionInsights:
    """The insights from `start` (the 7 days to today by default) to today."""
    return nutrition_insights(logs, CLIMBER, None, entries, start or ago(6), TODAY, TODAY)


def rows(facts: NutritionInsights) -> dict[str, tuple[float | None, int, float | None, int | None]]:
    """Per nutrient: the average, the days it was logged, the percent of target, days under."""
    return {r.nutrient: (r.average, r.days_logged, r.percent, r.days_under) for r in facts.rows}


def harder_week(
    before_kcal: float = 2400, last_kcal: float = 2200, before_days: tuple[int, ...] = ()
) -> tuple[list[NutritionLog], list[JournalEntry]]:
    """Example 7: three sessions at RPE 7 the week before, four at RPE 6 last week."""
    logged_before = before_days or (13, 11, 9, 8)
    logs = [food(ago(back), before_kcal, 100, 2000) for back in logged_before]
    logs += [food(ago(back), last_kcal, 100, 2000) for back in (6, 4, 2, 1)]
    entries = [session(ago(back), 60, 7) for back in (13, 11, 9)]
    entries += [session(ago(back), 60, 6) for back in (6, 4, 2, 1)]
    return logs, entries


def test_example_7_a_harder_week_on_less_food() -> None:
    logs, entries = harder_week()
    facts = insights(logs, entries, start=ago(13))
    assert facts.targets.values() == {
        "calories": 2220,
        "protein_g": 109,
        "carbs_g": 282,  # (3 + 2 × 0.57) × 68 = 281.52
        "fat_g": 73,  # (2,220 − 436 − 1,128) / 9 = 72.9
        "water_ml": 2650,  # 2,380 + 285 = 2,665
    }
    assert facts.targets.training.hours_per_day == 0.57  # 240 min / 60 / 7
    assert facts.days_logged == 8
    assert rows(facts) == {
        "calories": (2300, 8, 104, 4),  # 18,400 / 8; 2,300 / 2,220 = 103.6 %
        "protein_g": (100, 8, 92, 8),  # 100 / 109 = 91.7 %
        "carbs_g": (None, 0, None, 0),  # never logged
        "fat_g": (None, 0, None, 0),
        "water_ml": (2000, 8, 75, 8),  # 2,000 / 2,650 = 75.5 %
    }
    assert facts.protein_g_per_kg == 1.47  # 100 / 68
    assert facts.protein_range_g == (109.0, 150.0)  # 1.6 × 68 = 108.8, 2.2 × 68 = 149.6
    assert (facts.training_days_logged, facts.under_fuelled_training_days) == (7, 0)
    before, last = facts.weeks
    assert (before.start, before.end, last.start, last.end) == (ago(13), ago(7), ago(6), TODAY)
    assert (before.days_logged, before.average_calories, before.training_load) == (4, 2400, 1260)
    assert (last.days_logged, last.average_calories, last.training_load) == (4, 2200, 1440)
    assert facts.flags == [
        f"Possible under-fuelling: the week to {TODAY} carried 1,440 AU of training, 14 % more "
        "than the week before, while you ate 8 % less (2,200 vs 2,400 kcal a day). A harder "
        "week usually needs more food, not less."
    ]


def test_the_seven_day_summary_compares_with_the_week_before_it_shows() -> None:
    logs, entries = harder_week()
    facts = insights(logs, entries)  # the 7 days to today: the week before lies outside
    assert facts.days_logged == 4
    assert rows(facts)["calories"] == (2200, 4, 99, 4)  # 2,200 / 2,220 = 99.1 %
    assert len(facts.flags) == 1
    assert "1,440 AU of training, 14 % more" in facts.flags[0]


def test_no_hard_week_flag_with_under_three_logged_days_in_a_week() -> None:
    logs, entries = harder_week(before_days=(13, 8))
    facts = insights(logs, entries, start=ago(13))
    assert facts.weeks[0].days_logged == 2
    assert facts.flags == []


def test_no_hard_week_flag_when_intake_rose() -> None:
    logs, entries = harder_week(last_kcal=2500)
    facts = insights(logs, entries, start=ago(13))
    assert facts.weeks[1].average_calories == 2500
    assert facts.flags == []


def test_todays_meals_so_far_do_not_make_a_week_look_leaner() -> None:
    logs, entries = harder_week(last_kcal=2400)
    logs.append(food(TODAY, 600, 30))  # breakfast so far
    facts = insights(logs, entries, start=ago(13))
    assert facts.weeks[1].average_calories == 2400  # the four finished days only
    assert facts.flags == []
    assert rows(facts)["calories"][0] == 2200  # (8 × 2,400 + 600) / 9 = 2,200: today counts


def test_averages_are_per_logged_day_and_a_nutrient_not_logged_is_not_zero() -> None:
    logs = [
        meals(ago(1), {"calories": 2000, "proteinG": 120}, water=2500),
        meals(ago(2), {"calories": 1000}),  # protein and water not logged that day
        meals(ago(3), {"calories": 600, "carbsG": 90}, {"calories": 900}),
    ]
    facts = insights(logs)
    assert facts.days_logged == 3
    assert rows(facts) == {
        "calories": (1500, 3, 68, 3),  # (2,000 + 1,000 + 1,500) / 3 = 1,500; 67.6 % of 2,220
        "protein_g": (120, 1, 110, 0),  # one day, 120 g: not (120 + 0 + 0) / 3
        "carbs_g": (90, 1, 27, 1),  # 90 / 336 (example 1's carbs) = 26.8 %
        "fat_g": (None, 0, None, 0),
        "water_ml": (2500, 1, 86, 1),  # 0 ml is "not logged": 2,500 / 2,900 = 86.2 %
    }
    days = {day.date: day for day in facts.days}
    assert (days[ago(2)].protein_g, days[ago(2)].water_ml) == (None, None)
    assert days[ago(4)].logged is False
    assert days[ago(4)].calories is None


def test_today_is_never_counted_under_a_target() -> None:
    facts = insights([food(TODAY, 650, 35), food(ago(1), 1500, 60)])
    assert rows(facts)["calories"] == (1075, 2, 48, 1)  # today counts in the average only
    assert rows(facts)["protein_g"] == (48, 2, 44, 1)  # (35 + 60) / 2 = 47.5


def test_under_fuelled_training_days_are_finished_rated_days_with_calories_logged() -> None:
    logs = [
        food(ago(1), 1500, 80),  # training, under 1,776 kcal (80 % of 2,220)
        food(ago(2), 2400, 110),  # training, well fuelled
        food(ago(3), 1200, 60),  # a rest day: low, but no training to fuel
        meals(ago(4), {"proteinG": 40}),  # training, calories not logged: not judged
        food(TODAY, 500, 20),  # training today, still eating
    ]
    entries = [session(ago(back), 90, 7) for back in (0, 1, 2, 4)]
    entries.append(session(ago(3), 30, None, sessionType="rest"))
    facts = insights(logs, entries)
    assert (facts.training_days_logged, facts.under_fuelled_training_days) == (2, 1)
    assert facts.flags[0] == (
        "Possible under-fuelling: 1 of 2 logged training days were under 80 % of your 2,220 kcal "
        "target. Many climbers under-eat for their training without noticing: worth checking "
        "you eat for the work you do."
    )
    one = insights([food(ago(1), 1500, 80)], [session(ago(1), 90, 7)])
    assert one.flags[0].startswith("Possible under-fuelling: 1 of 1 logged training day was under")


def test_a_range_reaching_before_the_first_log() -> None:
    logs = [food(ago(back), 2300, 110, 2600) for back in (2, 1)]
    facts = insights(logs, [session(ago(1), 60, 7)], start=ago(29))
    assert (facts.start, facts.end, len(facts.days)) == (ago(29), TODAY, 30)
    assert facts.days_logged == 2
    assert [day.date for day in facts.days if day.logged] == [ago(2), ago(1)]
    assert rows(facts)["calories"] == (2300, 2, 104, 0)  # 2,300 / 2,220 = 103.6 %
    assert facts.days[0].training_load == 0
    assert facts.days[-2].training_load == 420  # 60 min at RPE 7
    assert [week.days_logged for week in facts.weeks] == [0, 2]
    assert facts.flags == []


def test_without_a_profile_nothing_is_judged() -> None:
    facts = nutrition_insights(
        [food(ago(1), 900, 30)], None, None, [session(ago(1), 60, 7)], ago(6), TODAY, TODAY
    )
    assert facts.targets.calories.source == "missing"
    assert rows(facts)["calories"] == (900, 1, None, None)
    assert (facts.under_fuelled_training_days, facts.flags) == (0, [])
    assert (facts.weight_kg, facts.protein_g_per_kg, facts.protein_range_g) == (None, None, None)
