"""Records for the analytics tests, built the way the repositories store them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from coaching.analytics import Inputs
from store.records import (
    AthleteProfile,
    BenchmarkSend,
    Goal,
    Injury,
    JournalEntry,
    NutritionLog,
    NutritionProfile,
    TrainingPlan,
)

TODAY = date(2026, 3, 15)
"""A Sunday: the last 7 days are one whole ISO week, Monday 9 to Sunday 15 March."""


def written(day: date, hour: int = 20) -> dict[str, datetime]:
    """The server timestamps of a record written on `day` (evening, UTC): what a repository
    stamps from its clock."""
    at = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return {"createdAt": at, "updatedAt": at}


def session(
    day: date,
    minutes: int = 60,
    rpe: float | None = 6,
    *,
    sent: Sequence[Any] = (),
    tried: Sequence[Any] = (),
    **fields: Any,
) -> JournalEntry:
    body: dict[str, Any] = {
        "date": day,
        "sessionType": "gym",
        "duration": minutes,
        "gradesCompleted": list(sent),
        "gradesAttempted": list(tried),
        **fields,
    }
    if rpe is not None:
        body["rpe"] = rpe
    return JournalEntry.model_validate({**written(day), **body})


def send(day: date, grade: str, **fields: Any) -> BenchmarkSend:
    return BenchmarkSend.model_validate({**written(day), "date": day, "grade": grade, **fields})


def goal(description: str, created: date, **fields: Any) -> Goal:
    created_at = written(created, 9)["createdAt"]
    return Goal.model_validate({"createdAt": created_at, "description": description, **fields})


def injury(onset: date, **fields: Any) -> Injury:
    body = {
        **written(onset),
        "type": "A2 pulley strain",
        "bodyPart": "ring finger",
        "date": onset,
        **fields,
    }
    return Injury.model_validate(body)


def food(day: date, calories: float, protein: float, water: float = 0) -> NutritionLog:
    meal = {"mealType": "lunch", "calories": calories, "proteinG": protein}
    return NutritionLog.model_validate(
        {"updatedAt": written(day)["updatedAt"], "date": day, "meals": [meal], "hydrationMl": water}
    )


def plan(start: date, days: dict[str, Any], **fields: Any) -> TrainingPlan:
    body = {**written(start), "name": "Block", "startDate": start, "weeklyStructure": days}
    body.update(fields)
    return TrainingPlan.model_validate(body)


def inputs(
    entries: Sequence[JournalEntry] = (),
    sends: Sequence[BenchmarkSend] = (),
    *,
    goals: Sequence[Goal] = (),
    injuries: Sequence[Injury] = (),
    plans: Sequence[TrainingPlan] = (),
    logs: Sequence[NutritionLog] = (),
    nutrition: NutritionProfile | None = None,
    athlete: AthleteProfile | None = None,
) -> Inputs:
    return Inputs(
        entries=list(entries),
        sends=list(sends),
        hardest=[],
        goals=list(goals),
        injuries=list(injuries),
        plans=list(plans),
        nutrition_logs=list(logs),
        nutrition_profile=nutrition,
        athlete=athlete,
    )
