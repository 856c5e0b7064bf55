"""The offline coach and `/stats` use the same fuelling figures: the answer opens with what was
asked (enough? protein? water? around a session? weight?), quotes the computed targets with where
they came from, words every flag as a possibility, and never coaches weight loss."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from coaching.analytics import ClimberAnalytics, Period, Window, compute, render_text
from coaching.analytics.render import nutrition_lines, nutrition_target_lines
from coaching.intent import classify
from coaching.replies import compose
from store.records import JournalEntry, NutritionLog, NutritionProfile
from tests.coaching.builders import TODAY, food, inputs, session
from tests.coaching.test_answers import first_sentence
from tests.coaching.test_offline import ungrounded

WINDOW = Window(Period.DAYS_30, TODAY)


def climber(
    logs: list[NutritionLog], entries: Sequence[JournalEntry] = (), **fields: Any
) -> ClimberAnalytics:
    """Example 1's climber (68 kg, 170 cm, 30, female, moderate) with `fields` on top."""
    body = {
        "weight": 68,
        "heightCm": 170,
        "age": 30,
        "sex": "female",
        "activityLevel": "moderate",
    }
    profile = NutritionProfile.model_validate({**body, **fields})
    return compute(inputs(entries, logs=logs, nutrition=profile), WINDOW)


def ask(question: str, analytics: ClimberAnalytics) -> str:
    assert classify(question) == "nutrition", question
    text = compose(question, analytics, intent="nutrition")
    # The coach's context shows the targets' lines (how, notes) beside /stats's figures.
    shown_too = set(
        re.findall(
            r"\d[\d,]*(?:\.\d+)?", " ".join(nutrition_target_lines(analytics.nutrition.targets))
        )
    )
    assert ungrounded(text, analytics) - shown_too == set(), text
    assert len(text) <= 900
    assert not re.search(r"\b(?:diagnos\w*|you are under-fuelled|you're under-eating)\b", text)
    return text


def ago(*days: int) -> list[date]:
    return [TODAY - timedelta(days=day) for day in days]


EATING_WELL = [food(day, 2150, 120, 2500) for day in ago(1, 2, 3, 5)]
UNDER_FUELLED = [food(day, 1500, 70) for day in ago(1, 2, 4)]
TRAINING = [session(day, 90, 7) for day in ago(1, 2, 4)]


def test_enough_opens_with_the_verdict_and_the_target_it_came_from() -> None:
    text = ask("am I eating enough?", climber(EATING_WELL))
    # 2,150 / 2,220 = 96.8 %: example 1's target, computed from the profile.
    assert (
        first_sentence(text)
        == "Yes: you're eating about 2,150 kcal a day, 97 % of your 2,220 kcal target."
    )
    assert "- Your 2,220 kcal target is computed from your profile." in text


def test_an_under_fuelled_flag_is_a_possibility_and_no_weight_loss() -> None:
    text = ask("am I eating enough for my training?", climber(UNDER_FUELLED, TRAINING))
    assert first_sentence(text).startswith(
        "You may be under-eating for your training: 3 of 3 logged training days were under 80 % "
        "of your 2,220 kcal target."
    )
    assert "I won't set weight-loss targets" in text


def test_a_harder_week_on_less_food_is_raised() -> None:
    before = [food(day, 2400, 100) for day in ago(13, 11, 9, 8)]
    last = [food(day, 2200, 100) for day in ago(6, 4, 2, 1)]
    entries = [session(day, 60, 7) for day in ago(13, 11, 9)]
    entries += [session(day, 60, 6) for day in ago(6, 4, 2, 1)]
    analytics = climber(before + last, entries)
    text = ask("am I eating enough?", analytics)
    assert first_sentence(text) == (
        "You may be under-eating for your training: the last 7 days carried 1,440 AU of training "
        "against 1,260 AU the 7 before, while you ate 2,200 kcal a day against 2,400."
    )
    stats = render_text(analytics)
    assert (
        "Possible under-fuelling: the week to 2026-03-15 carried 1,440 AU of training, 14 % "
        in (stats)
    )


def test_protein_opens_with_the_protein_target_and_how_it_was_computed() -> None:
    text = ask("how much protein should I eat?", climber(EATING_WELL))
    assert first_sentence(text) == (
        "Aim for about 109 g of protein a day (1.6 g/kg × 68 kg, computed from your profile), "
        "spread over your meals."
    )
    assert "You're eating about 120 g of protein a day (1.76 g/kg), 110 % of your target." in text
    own = ask("how much protein should I eat?", climber(EATING_WELL, targets={"proteinG": 140}))
    assert first_sentence(own).startswith("Aim for about 140 g of protein a day (your own target)")


def test_water_and_around_a_session() -> None:
    analytics = climber(EATING_WELL)
    water = ask("how much water should I drink?", analytics)
    # 2,500 / 2,900 ml (example 1's water target) = 86.2 %.
    assert first_sentence(water).startswith(
        "You're drinking about 2,500 ml of water a day, 86 % of your 2,900 ml target"
    )
    before = ask("what should I eat before a board session?", analytics)
    assert first_sentence(before).startswith("Before a hard session, eat a carbohydrate-based meal")
    assert "Your carbs target is 336 g a day, computed from your profile and training." in before


@pytest.mark.parametrize(
    "question", ["how do I lose weight for climbing?", "should I eat less to get lighter?"]
)
def test_weight_loss_is_not_coached_and_a_cut_names_its_floor(question: str) -> None:
    text = ask(question, climber(EATING_WELL, goal="cut"))
    assert first_sentence(text) == (
        "I won't coach you to eat less or lose weight: I'll help you fuel your training."
    )
    assert (
        "A cut here is a modest deficit: 220 kcal under maintenance, never under your BMR of "
        "1,432 kcal." in text
    )
    maintain = ask(question, climber(EATING_WELL))
    assert "deficit" not in maintain


def test_nothing_logged_and_no_profile() -> None:
    analytics = compute(inputs(), WINDOW)
    text = ask("am I eating enough?", analytics)
    assert first_sentence(text).startswith("I can't judge your eating yet")
    assert "add your weight, height, age and sex to your nutrition profile" in text


def test_stats_and_the_coach_are_shown_the_same_figures() -> None:
    analytics = climber(UNDER_FUELLED, TRAINING, goal="cut")
    food_lines = nutrition_lines(analytics.nutrition)
    assert food_lines == [
        # 1,500 / 2,000 = 75 %; 70 / 150 = 46.7 %
        "Nutrition, 3 of 7 days logged (to today, 2026-03-15), a day: 1,500 kcal (75 % of 2,000; "
        "under on 3 days) · protein 70 g (47 % of 150; under on 3 days) (carbs and fat not "
        "logged)",
        "Protein 1.03 g/kg a day (1.6–2.2 g/kg for strength work: 109–150 g)",
        "Hydration: not logged (target 2,700 ml a day)",  # 2,380 + 500 × 0.64 h
        "(Targets computed from your profile and training: /nutrition shows how)",
        "Possible under-fuelling: 3 of 3 logged training days were under 80 % of your 2,000 kcal "
        "target. Many climbers under-eat for their training without noticing: worth checking "
        "you eat for the work you do.",
    ]
    assert "\n".join(food_lines) in render_text(analytics)
    targets = nutrition_target_lines(analytics.nutrition.targets)
    assert targets[0].startswith("Calories target 2,000 kcal, computed: Mifflin–St Jeor BMR 1,432")
    assert targets[-1] == (
        "Note: A cut here is a modest deficit: 220 kcal under maintenance, never under your BMR "
        "of 1,432 kcal. I won't set a steeper one: under-fuelling costs strength and raises "
        "injury risk."
    )
    assert "Training the targets are scaled to: 0.64 h a day, logged 2026-03-09 – 2026-03-15" in (
        targets
    )
