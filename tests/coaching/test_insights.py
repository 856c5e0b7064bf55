"""Computed insights over a few climbers' histories: what changed, what to watch, one thing to
try; every figure from the facts each insight names, and no comparison with a baseline the
climber has not logged yet."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from coaching.analytics import ClimberAnalytics, Inputs, Period, Window, compute
from coaching.analytics.common import shown
from coaching.insights import Insight, insights_for, render
from store.records import AthleteProfile, NutritionProfile, TrainingPlan
from store.records.reference import Exercise
from store.seed import load_reference
from tests.coaching.builders import TODAY, food, injury, inputs, plan, session

WINDOW = Window(Period.DAYS_90, TODAY)
LIBRARY: list[Exercise] = list(load_reference().exercises)
BOULDERER = AthleteProfile.model_validate({"yearsClimbing": 5, "weaknesses": ["slopers"]})

# Wording every insight may use that is not a figure of the climber's: the comparison windows,
# the 0–10 soreness scale, the 4-week baseline, and command examples.
FIXED = re.compile(r"last 7 days|the 7 before|/10|4-week|/log [^)]*|/injury recovered N")
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def days_ago(*days: int) -> list[date]:
    return [TODAY - timedelta(days=day) for day in days]


def steady(weeks: int = 6, grades: tuple[str, ...] = ("V4", "V5")) -> list[Any]:
    """Three 60-minute RPE 6 sessions a week for `weeks` weeks, ending 7 days ago."""
    back = [7 + 7 * week + offset for week in range(weeks) for offset in (0, 2, 4)]
    return [session(day, 60, 6, sent=list(grades)) for day in days_ago(*sorted(back, reverse=True))]


def run(
    given: Inputs,
    *,
    active: TrainingPlan | None = None,
    athlete: AthleteProfile | None = None,
) -> tuple[ClimberAnalytics, list[Insight]]:
    analytics = compute(given, WINDOW)
    found = insights_for(analytics, plan=active, library=LIBRARY, athlete=athlete)
    return analytics, found


def numbers_of(value: Any) -> set[float]:
    """Every figure a fact's value can be read as: itself, as `shown` prints it, and the numbers
    inside a text (a date, a grade)."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, int | float):
        texts = {shown(value), shown(value, 1), shown(value, 2)}
    else:
        texts = {str(value)}
    return {float(n.replace(",", "")) for text in texts for n in NUMBER.findall(text)}


def resolve(wire: Any, path: str) -> Any:
    node = wire
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def check(analytics: ClimberAnalytics, found: list[Insight]) -> None:
    """What every climber's insights keep to: 2–4 of them, changed before watch before the one
    suggestion, every figure one of the insight's facts, and every analytics fact exactly the
    analytics' own value."""
    assert 2 <= len(found) <= 4, render(found)
    kinds = [insight.kind for insight in found]
    assert kinds[-1] == "suggestion"
    assert kinds.count("suggestion") == 1
    order = {"changed": 0, "watch": 1, "suggestion": 2}
    assert kinds == sorted(kinds, key=order.__getitem__)
    wire = analytics.to_wire()
    for insight in found:
        allowed = {n for value in insight.facts.values() for n in numbers_of(value)}
        said = FIXED.sub("", f"{insight.title} {insight.text}")
        figures = {float(n.replace(",", "")) for n in NUMBER.findall(said)}
        assert figures <= allowed, (insight.title, figures - allowed)
        for path, value in insight.facts.items():
            if path.split(".")[0] not in ("rule", "plan", "exercise"):
                assert resolve(wire, path) == value, path


def titles(found: list[Insight]) -> list[str]:
    return [insight.title for insight in found]


def test_a_climber_with_nothing_logged_learns_what_the_coach_will_tell() -> None:
    analytics, found = run(inputs())
    check(analytics, found)
    assert [insight.kind for insight in found] == ["watch", "suggestion"]
    assert found[0].title == "Load baseline"
    assert "after 21 days of logs" in found[0].text


def test_a_new_climber_gets_no_load_warning_however_hard_the_first_week() -> None:
    first_week = [session(day, 120, 8, sent=["V3", "V4"]) for day in days_ago(4, 2, 0)]
    analytics, found = run(inputs(first_week))
    check(analytics, found)
    assert analytics.load.jump.band is None  # too little history to compare with
    text = render(found)
    assert "above your" not in text
    assert "rising" not in text.lower()
    assert titles(found)[:2] == ["Your first sessions", "Load baseline"]
    assert found[0].text.startswith("3 sessions logged since Wed 11 Mar, 2,880 AU")
    assert "start on 1 April, three weeks after your first log" in found[1].text
    assert "V3" in found[2].text  # the drill's grades: below the climber's max (V4)


def test_a_new_top_grade_and_rising_finger_soreness() -> None:
    history = steady()
    history.append(
        session(
            TODAY - timedelta(days=2),
            60,
            7,
            sent=["V6"],
            physicalCondition={"soreness": {"fingers": 6}},
        )
    )
    analytics, found = run(inputs(history), athlete=BOULDERER)
    check(analytics, found)
    assert found[0].title == "V6, a new top grade"
    assert found[0].text == (
        "You sent V6 (boulder, indoor) on Fri 13 Mar: your hardest in 90 days, up from V5 in "
        "the weeks before."
    )
    assert "Finger soreness going up" in titles(found)
    soreness = next(i for i in found if i.title == "Finger soreness going up")
    assert soreness.text.startswith("6/10 on average in the last 7 days, 0/10 the 7 before")
    # Something hurts more: the suggestion is an easy session, not a drill at the limit.
    assert found[-1].title == "Active recovery climbing"


def test_the_first_sends_are_not_a_new_top_grade() -> None:
    analytics, found = run(inputs([session(day, sent=["V5"]) for day in days_ago(3, 1)]))
    check(analytics, found)
    assert not any("top grade" in title for title in titles(found))


def test_an_injured_climber_is_told_the_return_dates_and_gets_nothing_it_rules_out() -> None:
    hurt = injury(TODAY - timedelta(days=10), severity=2)  # ring finger A2, grade II
    analytics, found = run(inputs(steady(), injuries=[hurt]), athlete=BOULDERER)
    check(analytics, found)
    watch = next(insight for insight in found if insight.kind == "watch")
    assert watch.title == "Ring finger A2 pulley strain (grade II)"
    assert watch.text.startswith(
        "No climbing on it yet: easy climbing from Thu 2 Apr, full climbing from Thu 16 Apr."
    )
    assert watch.facts["body.openInjuries.0.caps.easyClimbingFrom"] == "2026-04-02"
    exercise = next(e for e in LIBRARY if e.id == found[-1].facts["exercise.id"])
    assert "open-finger-injury" not in exercise.contraindications
    assert "while your injury heals" in found[-1].text


def test_an_ungraded_injury_past_its_expected_date_says_to_see_someone_if_it_still_hurts() -> None:
    shoulder = injury(
        TODAY - timedelta(days=30),
        type="strain",
        bodyPart="shoulder",
        side="left",
        expectedDurationDays=14,
    )
    analytics, found = run(inputs(steady(), injuries=[shoulder]))
    check(analytics, found)
    watch = next(insight for insight in found if insight.kind == "watch")
    assert watch.title == "Left shoulder strain"
    assert watch.text.startswith("You expected to be back by Fri 27 Feb and it is still open")
    assert "physiotherapist" in watch.text


def test_load_rising_fast_once_there_is_a_baseline() -> None:
    hard_week = [session(day, 150, 9) for day in days_ago(3, 2, 1, 0)]
    analytics, found = run(inputs(steady() + hard_week))
    check(analytics, found)
    load = next(insight for insight in found if insight.title == "Load rising fast")
    assert load.text.startswith(
        "5,400 AU in the last 7 days is 150 % above your 4-week average of 2,160 AU a week."
    )
    assert found[0].title == "More sessions this week"
    assert found[0].text == (
        "4 sessions in the last 7 days, 3 the 7 before; load 5,400 AU, against 1,080 AU."
    )


def test_under_fuelled_training_days() -> None:
    profile = NutritionProfile.model_validate(
        {
            "weight": 60,
            "heightCm": 170,
            "age": 30,
            "sex": "female",
            "activityLevel": "active",
            "targets": {
                "calories": 2400,
                "proteinG": 110,
                "carbsG": 300,
                "fatG": 80,
                "waterMl": 2500,
            },
        }
    )
    trained = [session(day, 60, 6) for day in days_ago(5, 4, 2)]
    meals = [food(day, 1500, 60) for day in days_ago(5, 4)] + [food(TODAY - timedelta(2), 2300, 90)]
    analytics, found = run(inputs(steady() + trained, logs=meals, nutrition=profile))
    check(analytics, found)
    fuel = next(insight for insight in found if insight.title == "Under-fuelled training days")
    assert fuel.text.startswith(
        "On 2 of the 3 training days with food logged from Mon 9 Mar to Sun 15 Mar, you ate "
        "under 80 % of your 2,400 kcal target."
    )


def test_a_harder_week_on_less_food() -> None:
    """docs/nutrition.md's hard-week rule: 10 % more load, 5 % less food, as a possibility."""
    profile = NutritionProfile.model_validate(
        {"weight": 68, "heightCm": 170, "age": 30, "sex": "female", "activityLevel": "moderate"}
    )
    harder = [session(day, 60, 7) for day in days_ago(6, 4, 2, 1)]  # 1,680 AU against 1,080
    meals = [food(day, 2400, 100) for day in days_ago(13, 11, 9, 8)]
    meals += [food(day, 2200, 100) for day in days_ago(6, 4, 2, 1)]  # over 80 % of 2,220
    analytics, found = run(inputs(steady() + harder, logs=meals, nutrition=profile))
    check(analytics, found)
    assert analytics.nutrition.under_fuelled_training_days == 0
    fuel = next(insight for insight in found if insight.title == "A harder week on less food")
    assert fuel.kind == "watch"
    assert fuel.text == (
        "The last 7 days carried 1,680 AU of training against 1,080 AU the 7 before, while you "
        "ate 2,200 kcal a day against 2,400. Possibly under-fuelled: eating enough for the work "
        "is what lets the training pay off."
    )


def test_the_suggestion_is_the_plans_next_session_when_there_is_one() -> None:
    days = {
        "monday": {
            "type": "strength",
            "duration": 60,
            "intensity": "high",
            "focus": "max hangs",
            "exercises": [
                {
                    "exerciseId": "max-hangs",
                    "name": "Max hangs",
                    "sets": 3,
                    "reps": 1,
                    "hangSeconds": 10,
                    "restSeconds": 180,
                    "edgeMm": 20,
                }
            ],
        }
    }
    block = plan(TODAY - timedelta(days=6), days)
    analytics, found = run(inputs(steady(), plans=[block]), active=block)
    check(analytics, found)
    assert found[-1].title == "Your next planned session"
    assert found[-1].text == (
        "Next in your plan (Mon 16 Mar): strength, 60 min, high — max hangs. Start with Max "
        "hangs: 3 × 1, 10 s hangs, 180 s rest, 20 mm edge."
    )


def test_a_quiet_fortnight_is_said_and_the_suggestion_suits_the_climbers_weakness() -> None:
    analytics, found = run(
        inputs([session(TODAY - timedelta(days=40), sent=["V6"])]), athlete=BOULDERER
    )
    check(analytics, found)
    assert found[0].title == "A quiet fortnight"
    assert "a weakness in your profile" in found[-1].text


@pytest.mark.parametrize(
    "given",
    [
        inputs(),
        inputs(steady()),
        inputs(steady(), injuries=[injury(TODAY - timedelta(days=3), severity=3)]),
    ],
)
def test_same_inputs_same_insights(given: Inputs) -> None:
    assert run(given)[1] == run(given)[1]


def test_at_most_four_with_the_most_important_of_each_kind_kept() -> None:
    hard_week = [
        session(day, 150, 9, sent=["V6"], physicalCondition={"soreness": {"fingers": 7, "back": 5}})
        for day in days_ago(3, 2, 1, 0)
    ]
    hurt = injury(TODAY - timedelta(days=10), severity=1)
    analytics, found = run(inputs(steady() + hard_week, injuries=[hurt]))
    check(analytics, found)
    assert len(found) == 4
    assert found[0].title == "V6, a new top grade"
    assert found[1].title == "Ring finger A2 pulley strain (grade I)"  # an injury before load
    assert found[2].title == "Load rising fast"
