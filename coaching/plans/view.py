"""A stored plan as the climber follows it: this week, and today's session, as facts and words.

`plan_week(plan, today)` picks the week to show (the one holding `today`, or the plan's first
week while it has not started) and lays its days out with today's marked; `today_sentence`,
`day_line`, `exercise_text` and `week_lines` say them in words. Every figure is the plan's own
(minutes, sets, reps, hang and rest times, edge, intensity): nothing here estimates one. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from pydantic import Field

from coaching.analytics.common import Fact
from store.records.training import WEEKDAYS, DayPlan, DayType, PlannedExercise, TrainingPlan

WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHOWN_EXERCISES = 4
"""Exercises named in one line of text (the `data` carries them all)."""


class PlannedDay(Fact):
    """One day of the plan as it stands on the calendar."""

    date: date
    weekday: str
    """"monday" … "sunday"."""
    type: DayType
    focus: str = ""
    duration_minutes: int = 0
    intensity: str = "low"
    exercises: list[PlannedExercise] = Field(default_factory=list)
    reason: str = ""
    notes: str = ""

    @property
    def training(self) -> bool:
        return self.type is not DayType.REST


class PlanWeekView(Fact):
    """The week of the plan a climber is shown, and today's day when the plan covers today."""

    plan_id: str
    plan_name: str
    start: date
    end: date | None
    week_start: date
    week_number: int | None
    """1-based among the plan's listed weeks; None for a plan that only repeats one week."""
    weeks: int
    """How many weeks the plan lists (0: one repeating week)."""
    phase: str | None
    phase_purpose: str | None
    deload: bool
    target_load: int | None
    """The week's planned load in AU; None when the plan sets none."""
    status: str
    """"not_started" (today is before the plan), "running" or "ended"."""
    days: list[PlannedDay]
    today: PlannedDay | None
    """Today's planned day; None when the plan does not cover today."""


def current_plan(plans: Iterable[TrainingPlan]) -> TrainingPlan | None:
    """The climber's active plan: the most recently started active one (newest first on a
    tie), or None."""
    active = [plan for plan in plans if plan.active]
    return max(active, key=lambda plan: (plan.start_date, plan.created_at), default=None)


def planned_day(plan: TrainingPlan, day: date) -> PlannedDay:
    """What `plan` holds on `day` (a rest day outside the plan's dates)."""
    held = plan.day_plan(day) if plan.covers(day) else DayPlan()
    return PlannedDay(
        date=day,
        weekday=WEEKDAYS[day.weekday()],
        type=held.type,
        focus=held.focus,
        duration_minutes=held.duration_minutes,
        intensity=held.intensity.value,
        exercises=list(held.exercises),
        reason=held.reason,
        notes=held.notes,
    )


def plan_week(plan: TrainingPlan, today: date) -> PlanWeekView:
    """The week of `plan` to show on `today` (see the module doc)."""
    status = (
        "not_started"
        if today < plan.start_date
        else "ended"
        if plan.end_date is not None and today > plan.end_date
        else "running"
    )
    shown = plan.start_date if status == "not_started" else today
    if status == "ended" and plan.end_date is not None:
        shown = plan.end_date
    monday = shown - timedelta(days=shown.weekday())
    week = plan.week_of(monday)
    number = plan.weeks.index(week) + 1 if week is not None else None
    phase = plan.phases[week.phase] if week is not None and week.phase < len(plan.phases) else None
    days = [planned_day(plan, monday + timedelta(days=offset)) for offset in range(7)]
    return PlanWeekView(
        plan_id=plan.id,
        plan_name=plan.name,
        start=plan.start_date,
        end=plan.end_date,
        week_start=monday,
        week_number=number,
        weeks=len(plan.weeks),
        phase=phase.name if phase else None,
        phase_purpose=phase.purpose if phase else None,
        deload=week.deload if week is not None else False,
        target_load=week.target_load if week is not None and week.target_load else None,
        status=status,
        days=days,
        today=planned_day(plan, today) if status == "running" else None,
    )


def exercise_text(exercise: PlannedExercise) -> str:
    """ "Max hangs: 3 sets × 10 s hangs, 180 s rest, 20 mm edge, 80 %": the plan's dose."""
    parts = []
    if exercise.sets and exercise.reps:
        parts.append(f"{exercise.sets} × {exercise.reps}")
    elif exercise.sets:
        parts.append(f"{exercise.sets} sets" if exercise.sets != 1 else "1 set")
    if exercise.hang_seconds:
        parts.append(f"{exercise.hang_seconds} s hangs")
    if exercise.duration_minutes:
        parts.append(f"{exercise.duration_minutes} min")
    if exercise.rest_seconds:
        parts.append(f"{exercise.rest_seconds} s rest")
    if exercise.edge_mm:
        parts.append(f"{exercise.edge_mm} mm edge")
    if exercise.intensity_percent:
        parts.append(f"{exercise.intensity_percent} %")
    if exercise.grade_target:
        parts.append(f"at {exercise.grade_target}")
    return f"{exercise.name}: {', '.join(parts)}" if parts else exercise.name


def day_what(day: PlannedDay, *, intensity: bool = True) -> str:
    """ "a power day (limit bouldering), 75 min at high intensity" (without `intensity`, the
    words up to the minutes)."""
    focus = f" ({day.focus})" if day.focus else ""
    minutes = f", {day.duration_minutes} min" if day.duration_minutes else ""
    kind = day.type.value
    said = f"{_article(kind)} {kind} day{focus}{minutes}"
    return f"{said} at {day.intensity} intensity" if intensity else said


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def today_sentence(view: PlanWeekView) -> str:
    """ "Today (Friday) is a power day (limit bouldering), 75 min at high intensity.", a rest
    day, or where today stands against the plan's dates."""
    if view.status == "not_started":
        return f"Your plan starts {_day(view.start)}; nothing is planned today."
    if view.status == "ended" and view.end is not None:
        return f"Your plan ended {_day(view.end)}."
    day = view.today
    if day is None:  # a running plan always has today
        return ""
    name = day.weekday.capitalize()
    if not day.training:
        return f"Today ({name}) is a rest day in your plan."
    return f"Today ({name}) is {day_what(day)}."


def day_line(day: PlannedDay) -> str:
    """One day of the week: "Fri 13 Mar: power, 75 min, high — limit bouldering"."""
    when = _day(day.date)
    if not day.training:
        return f"{when}: rest"
    focus = f" — {day.focus}" if day.focus else ""
    return f"{when}: {day.type.value}, {day.duration_minutes} min, {day.intensity}{focus}"


def exercise_lines(day: PlannedDay) -> list[str]:
    """Today's exercises, the first `SHOWN_EXERCISES`, one a line."""
    shown = [f"- {exercise_text(exercise)}" for exercise in day.exercises[:SHOWN_EXERCISES]]
    more = len(day.exercises) - SHOWN_EXERCISES
    if more > 0:
        shown.append(f"- and {more} more")
    return shown


def week_heading(view: PlanWeekView) -> str:
    """ "Week 3 of 10 (Strength and power), deload, target 1,200 AU"."""
    head = f"Week of {_day(view.week_start)}"
    if view.week_number is not None:
        head = f"Week {view.week_number} of {view.weeks} ({_day(view.week_start)})"
    extras = []
    if view.phase:
        extras.append(view.phase)
    if view.deload:
        extras.append("deload week")
    if view.target_load is not None:
        extras.append(f"target load {view.target_load:,} AU")
    return head + (": " + ", ".join(extras) if extras else "")


def week_lines(view: PlanWeekView) -> list[str]:
    """The week, one line a day, today's marked."""
    return [
        day_line(day) + (" (today)" if view.today and day.date == view.today.date else "")
        for day in view.days
    ]


def _day(day: date) -> str:
    return f"{WEEKDAY_SHORT[day.weekday()]} {day.day} {day.strftime('%b')}"
