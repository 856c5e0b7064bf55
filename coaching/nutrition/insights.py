"""Intake over a range of days against the daily targets and the logged training.

Conventions: a day without a log is unknown, not zero, so averages are per logged day; a
nutrient no meal of a day gave is unknown for that day (a day with calories but no carbs logged
does not count as 0 g of carbs), and so is water on a day whose log says 0 ml (the record's
default: nobody drinks nothing). Averages include today's meals so far; "days under target"
count finished days only: today, still being eaten, is never called under. Under-fuelling is
flagged against the logged training (coaching.md: "flag under-fuelling against logged load;
never push weight loss") and worded as a possibility to look at, never as a diagnosis:

- a finished training day (a rated, non-rest session) whose logged calories are under 80 % of
  the calorie target is an under-fuelled training day;
- a hard week with falling intake: the 7 days to the end of the range carry at least 10 % more
  training load (session RPE × minutes) than the 7 before, while the average calories of their
  finished logged days fell by at least 5 % (each week needs 3 such days to be compared).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from coaching.analytics.common import Fact, rounded, shown
from coaching.nutrition.targets import (
    NUTRIENTS,
    PROTEIN_G_PER_KG,
    UNITS,
    DailyTargets,
    Nutrient,
    daily_targets,
)
from core.text import plural
from store.records.athlete import AthleteProfile
from store.records.journal import JournalEntry, SessionType
from store.records.nutrition import NutritionLog, NutritionProfile

UNDER_FUELLED = 0.8
"""A training day under this share of the calorie target counts as under-fuelled."""
HARD_WEEK = 1.10
FALLING_INTAKE = 0.95
WEEK_DAYS = 7
WEEK_LOGGED_DAYS = 3
MOST_DAYS = 366
"""The longest range one request may ask for."""


class Versus(Fact):
    nutrient: Nutrient
    unit: str
    average: float | None
    """Per day it was logged; None when it never was."""
    days_logged: int
    target: float | None
    percent: float | None
    days_under: int | None
    """Finished logged days under the target; None without a target."""


class Day(Fact):
    """One day of the range: what was logged (None: not logged) and the training load."""

    date: date
    logged: bool
    calories: float | None = None
    protein_g: float | None = None
    carbs_g: float | None = None
    fat_g: float | None = None
    water_ml: float | None = None
    training_minutes: int
    training_load: float
    """Session RPE × minutes, in AU; sessions without an RPE add nothing."""


class Week(Fact):
    start: date
    end: date
    days_logged: int
    """Finished days whose calories were logged: what `average_calories` is over."""
    average_calories: float | None
    training_load: float


class NutritionInsights(Fact):
    start: date
    end: date
    days_logged: int
    targets: DailyTargets
    rows: list[Versus]
    weight_kg: float | None
    protein_g_per_kg: float | None
    protein_range_g: tuple[float, float] | None
    """1.6–2.2 g/kg of body weight."""
    training_days_logged: int
    """Finished days with a rated training session and their calories logged."""
    under_fuelled_training_days: int
    """Of those, days under 80 % of the calorie target."""
    weeks: list[Week]
    """The last two 7-day windows to `end` (the earlier may reach before `start`)."""
    flags: list[str]
    """Possible under-fuelling, in plain words."""
    days: list[Day]


def _value(log: NutritionLog, nutrient: Nutrient) -> float | None:
    if nutrient == "water_ml":
        return log.hydration_ml or None
    value: float | None = getattr(log.totals, nutrient)
    return value


def nutrition_insights(
    logs: Iterable[NutritionLog],
    profile: NutritionProfile | None,
    athlete: AthleteProfile | None,
    entries: Iterable[JournalEntry],
    start: date,
    end: date,
    today: date,
) -> NutritionInsights:
    """Intake from `start` to `end` (inclusive) against the targets as of `today`.

    `logs` and `entries` may reach outside the range; pass at least the 13 days before `end`
    (for the week-on-week comparison) and the 28 before `today` (for the targets' training).
    """
    entries = list(entries)
    targets = daily_targets(profile, athlete, entries, today)
    goals = targets.values()
    by_day = {log.date: log for log in logs}
    in_range = {day: log for day, log in by_day.items() if start <= day <= end}
    rows = [_versus(nutrient, in_range, goals[nutrient], today) for nutrient in NUTRIENTS]

    minutes: dict[date, int] = {}
    load: dict[date, float] = {}
    rated: set[date] = set()
    for entry in entries:
        if entry.session_type is SessionType.REST:
            continue
        minutes[entry.date] = minutes.get(entry.date, 0) + entry.duration_minutes
        load[entry.date] = load.get(entry.date, 0.0) + (entry.session_load or 0.0)
        if entry.rpe is not None:
            rated.add(entry.date)

    days = []
    day = start
    while day <= end:
        log = in_range.get(day)
        values = {n: None if log is None else _value(log, n) for n in NUTRIENTS}
        days.append(
            Day(
                date=day,
                logged=log is not None,
                **values,
                training_minutes=minutes.get(day, 0),
                training_load=rounded(load.get(day, 0.0)),
            )
        )
        day += timedelta(days=1)

    calories = goals["calories"]
    trained = [
        d
        for d, log in in_range.items()
        if d in rated and d < today and log.totals.calories is not None
    ]
    under = [d for d in trained if calories and _calories(in_range[d]) < UNDER_FUELLED * calories]
    weeks = [_week(end - timedelta(days=WEEK_DAYS * back), by_day, load, today) for back in (1, 0)]
    flags = []
    if under and calories:
        were = "was" if len(trained) == 1 else "were"
        flags.append(
            f"Possible under-fuelling: {len(under)} of "
            f"{plural(len(trained), 'logged training day')} {were} under "
            f"{shown(UNDER_FUELLED * 100)} % of your {shown(calories)} kcal target. Many "
            "climbers under-eat for their training without noticing: worth checking you eat for "
            "the work you do."
        )
    flag = _hard_week_flag(weeks[0], weeks[1])
    if flag:
        flags.append(flag)

    profile_weight = profile.weight_kg if profile else None
    weight = profile_weight or (athlete.weight_kg if athlete else None)
    protein = rows[1].average
    low, high = PROTEIN_G_PER_KG
    return NutritionInsights(
        start=start, end=end, days_logged=len(in_range), targets=targets, rows=rows,
        weight_kg=weight,
        protein_g_per_kg=None if not weight or protein is None else rounded(protein / weight, 2),
        protein_range_g=None if weight is None else (rounded(low * weight), rounded(high * weight)),
        training_days_logged=len(trained), under_fuelled_training_days=len(under),
        weeks=weeks, flags=flags, days=days,
    )  # fmt: skip


def _versus(
    nutrient: Nutrient, logs: dict[date, NutritionLog], target: float | None, today: date
) -> Versus:
    given = {
        day: value for day, log in logs.items() if (value := _value(log, nutrient)) is not None
    }
    average = sum(given.values()) / len(given) if given else None
    under = None
    if target:
        under = sum(1 for day, value in given.items() if day < today and value < target)
    return Versus(
        nutrient=nutrient,
        unit=UNITS[nutrient],
        average=None if average is None else rounded(average),
        days_logged=len(given),
        target=target,
        percent=None if average is None or not target else rounded(average / target * 100),
        days_under=under,
    )


def _calories(log: NutritionLog) -> float:
    return log.totals.calories or 0.0


def _week(end: date, logs: dict[date, NutritionLog], load: dict[date, float], today: date) -> Week:
    start = end - timedelta(days=WEEK_DAYS - 1)
    span = [start + timedelta(days=offset) for offset in range(WEEK_DAYS)]
    # Today's meals so far would pull the week's average down: finished days only.
    eaten = [
        calories
        for day in span
        if day in logs and day < today and (calories := logs[day].totals.calories) is not None
    ]
    return Week(
        start=start,
        end=end,
        days_logged=len(eaten),
        average_calories=rounded(sum(eaten) / len(eaten)) if eaten else None,
        training_load=rounded(sum(load.get(day, 0.0) for day in span)),
    )


def hard_week(before: Week, this: Week) -> bool:
    """Whether `this` week carried at least 10 % more training load than the week `before`
    while its average calories fell by at least 5 % (each over at least 3 finished logged
    days): the one rule behind the hard-week flag and the insight that repeats it."""
    if (
        before.average_calories is None
        or this.average_calories is None
        or min(before.days_logged, this.days_logged) < WEEK_LOGGED_DAYS
        or before.training_load <= 0
    ):
        return False
    harder = this.training_load >= HARD_WEEK * before.training_load
    return harder and this.average_calories <= FALLING_INTAKE * before.average_calories


def _hard_week_flag(before: Week, this: Week) -> str | None:
    if not hard_week(before, this) or not before.average_calories or not this.average_calories:
        return None
    load_up = (this.training_load / before.training_load - 1) * 100
    intake_down = (1 - this.average_calories / before.average_calories) * 100
    return (
        f"Possible under-fuelling: the week to {this.end} carried {shown(this.training_load)} AU "
        f"of training, {shown(load_up)} % more than the week before, while you ate "
        f"{shown(intake_down)} % less ({shown(this.average_calories)} vs "
        f"{shown(before.average_calories)} kcal a day). A harder week usually needs more food, "
        "not less."
    )
