"""Plan adherence: what the active training plan planned against what was logged.

Evaluated over the days of the period that the plan covers, up to yesterday (today counts only
once something is logged today, so an evening session is not a miss at noon). A planned day is
done when any non-rest session is logged that day, and done as planned when the session's type
fits the day's type (a "climb" day fits a gym, outdoor or board session).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from coaching.analytics.common import Fact, Window, days, rounded
from store.records.journal import JournalEntry, SessionType
from store.records.training import WEEKDAYS, DayPlan, DayType, TrainingPlan

FITS: dict[DayType, frozenset[SessionType]] = {
    DayType.STRENGTH: frozenset(
        {SessionType.TRAINING, SessionType.HANGBOARD, SessionType.BOARD, SessionType.GYM}
    ),
    DayType.POWER: frozenset(
        {SessionType.TRAINING, SessionType.BOARD, SessionType.GYM, SessionType.OUTDOOR}
    ),
    DayType.ENDURANCE: frozenset({SessionType.TRAINING, SessionType.GYM, SessionType.OUTDOOR}),
    DayType.TECHNIQUE: frozenset(
        {SessionType.GYM, SessionType.OUTDOOR, SessionType.BOARD, SessionType.TRAINING}
    ),
    DayType.CLIMB: frozenset({SessionType.GYM, SessionType.OUTDOOR, SessionType.BOARD}),
    DayType.BOARD: frozenset({SessionType.BOARD}),
    DayType.HANGBOARD: frozenset({SessionType.HANGBOARD}),
    DayType.MOBILITY: frozenset({SessionType.TRAINING}),
    DayType.CARDIO: frozenset({SessionType.TRAINING}),
}
"""Which logged sessions do a planned day's work ("as planned")."""

LOGGED_AS: dict[DayType, SessionType] = {
    DayType.STRENGTH: SessionType.TRAINING,
    DayType.POWER: SessionType.GYM,
    DayType.ENDURANCE: SessionType.GYM,
    DayType.TECHNIQUE: SessionType.GYM,
    DayType.CLIMB: SessionType.GYM,
    DayType.BOARD: SessionType.BOARD,
    DayType.HANGBOARD: SessionType.HANGBOARD,
    DayType.MOBILITY: SessionType.TRAINING,
    DayType.CARDIO: SessionType.TRAINING,
}
"""The session a planned day is logged as when the climber says they did it (`/plan done`):
one that `FITS` the day, so it counts as done as planned."""


class AdherenceRow(Fact):
    key: str
    """A weekday ("tuesday") or a day type ("hangboard")."""
    planned: int
    done: int
    as_planned: int


class AdherenceWeek(Fact):
    """One week of the plan: planned days against logged ones (days up to yesterday)."""

    week_start: date
    planned: int
    done: int
    as_planned: int
    planned_minutes: int
    logged_minutes: int


class AdherenceFacts(Fact):
    plan_id: str
    plan_name: str
    start: date
    end: date
    planned_days: int
    done_days: int
    as_planned_days: int
    percent: float | None
    as_planned_percent: float | None
    planned_minutes: int
    logged_minutes: int
    """Minutes logged on planned days."""
    extra_sessions: int
    """Sessions logged on the plan's rest days."""
    by_weekday: list[AdherenceRow]
    by_type: list[AdherenceRow]
    by_week: list[AdherenceWeek]
    """Each week of the period the plan covers, oldest first."""


def active_plan(plans: Iterable[TrainingPlan], window: Window) -> TrainingPlan | None:
    """The active plan that overlaps the window and started most recently."""
    overlapping = [
        plan
        for plan in plans
        if plan.active
        and plan.start_date <= window.today
        and (plan.end_date is None or plan.end_date >= window.start)
    ]
    return max(overlapping, key=lambda plan: (plan.start_date, plan.created_at), default=None)


def day_plan(plan: TrainingPlan, day: date) -> DayPlan:
    """What the plan holds on `day` (its week's day for a periodised plan)."""
    return plan.day_plan(day)


def adherence_facts(
    plans: Iterable[TrainingPlan], entries: Sequence[JournalEntry], window: Window
) -> AdherenceFacts | None:
    """Adherence to the active plan over the window; None without an active plan."""
    plan = active_plan(plans, window)
    if plan is None:
        return None
    logged: dict[date, list[JournalEntry]] = defaultdict(list)
    for entry in entries:
        if entry.session_type is not SessionType.REST:
            logged[entry.date].append(entry)
    start = max(plan.start_date, window.start)
    end = window.today if window.today in logged else window.today - timedelta(days=1)
    if plan.end_date is not None:
        end = min(end, plan.end_date)
    weekday_rows = {name: [0, 0, 0] for name in WEEKDAYS}
    week_rows: dict[date, list[int]] = {}
    type_rows: dict[DayType, list[int]] = defaultdict(lambda: [0, 0, 0])
    planned_minutes = logged_minutes = extra = 0
    for day in days(start, end):
        planned = day_plan(plan, day)
        sessions = logged.get(day, [])
        week = week_rows.setdefault(day - timedelta(days=day.weekday()), [0, 0, 0, 0, 0])
        if planned.type is DayType.REST:
            extra += len(sessions)
            continue
        fits = any(entry.session_type in FITS[planned.type] for entry in sessions)
        counts = (1, int(bool(sessions)), int(fits))
        for row in (weekday_rows[WEEKDAYS[day.weekday()]], type_rows[planned.type], week):
            for index, value in enumerate(counts):
                row[index] += value
        minutes = sum(entry.duration_minutes for entry in sessions)
        week[3] += planned.duration_minutes
        week[4] += minutes
        planned_minutes += planned.duration_minutes
        logged_minutes += minutes
    planned_days = sum(row[0] for row in weekday_rows.values())
    done = sum(row[1] for row in weekday_rows.values())
    fitted = sum(row[2] for row in weekday_rows.values())
    return AdherenceFacts(
        plan_id=plan.id,
        plan_name=plan.name,
        start=start,
        end=max(end, start - timedelta(days=1)),
        planned_days=planned_days,
        done_days=done,
        as_planned_days=fitted,
        percent=rounded(done / planned_days * 100) if planned_days else None,
        as_planned_percent=rounded(fitted / planned_days * 100) if planned_days else None,
        planned_minutes=planned_minutes,
        logged_minutes=logged_minutes,
        extra_sessions=extra,
        by_weekday=[
            AdherenceRow(key=name, planned=row[0], done=row[1], as_planned=row[2])
            for name, row in weekday_rows.items()
            if row[0]
        ],
        by_type=[
            AdherenceRow(key=kind.value, planned=row[0], done=row[1], as_planned=row[2])
            for kind, row in type_rows.items()
        ],
        by_week=[
            AdherenceWeek(
                week_start=monday,
                planned=row[0],
                done=row[1],
                as_planned=row[2],
                planned_minutes=row[3],
                logged_minutes=row[4],
            )
            for monday, row in sorted(week_rows.items())
        ],
    )
