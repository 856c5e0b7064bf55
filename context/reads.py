"""Reading a climber's records for the analytics, from the store in one wave.

`assemble` issues every repository read at once (`asyncio.gather`) and then computes in memory
(`compute`, pure and O(n) over the items read). The same object is rendered as text for `/stats`,
serialised for `/analytics/*` and handed to the model as facts: the model never counts."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from coaching.analytics.common import Period, Window
from coaching.analytics.nutrition import READ_DAYS as NUTRITION_DAYS
from coaching.analytics.summary import (
    HARDEST_SENDS,
    ClimberAnalytics,
    Inputs,
    compute,
    history_start,
)
from store.grades import Discipline
from store.repos import (
    AthleteRepo,
    GoalRepo,
    InjuryRepo,
    JournalRepo,
    NutritionLogRepo,
    NutritionProfileRepo,
    PlanRepo,
    SendRepo,
)
from store.table import Table


async def read_inputs(table: Table, user_id: str, window: Window) -> Inputs:
    """Every read `compute` needs, issued concurrently (one wave). Raises the store's errors;
    cancel-safe (reads only)."""
    first = history_start(window)
    today = window.today
    journal, sends = JournalRepo(table), SendRepo(table)
    logs = NutritionLogRepo(table)
    # Two typed groups gathered together: still one wave, every read in flight at once.
    history, (goals, injuries, plans, nutrition, athlete) = await asyncio.gather(
        asyncio.gather(
            journal.list(user_id, start=first, end=today, newest_first=False),
            sends.list(user_id, start=first, end=today, newest_first=False),
            sends.list_by_grade(user_id, Discipline.BOULDER, limit=HARDEST_SENDS),
            sends.list_by_grade(user_id, Discipline.ROUTE, limit=HARDEST_SENDS),
            logs.list(user_id, start=today - timedelta(days=NUTRITION_DAYS - 1), end=today),
            journal.first_day(user_id),
        ),
        asyncio.gather(
            GoalRepo(table).list(user_id),
            InjuryRepo(table).list(user_id),
            PlanRepo(table).list(user_id),
            NutritionProfileRepo(table).find(user_id),
            AthleteRepo(table).find(user_id),
        ),
    )
    entries, recent_sends, hardest_boulders, hardest_routes, food, first_log = history
    return Inputs(
        entries=entries.items,
        sends=recent_sends.items,
        hardest=[*hardest_boulders.items, *hardest_routes.items],
        goals=goals.items,
        injuries=injuries.items,
        plans=plans.items,
        nutrition_logs=food.items,
        nutrition_profile=nutrition,
        athlete=athlete,
        first_log=first_log,
    )


async def assemble(
    table: Table, user_id: str, period: Period, today: date, zone: str | None = None
) -> ClimberAnalytics:
    """The climber's analytics for `period` ending `today`, their date in their time zone `zone`
    (None: UTC); the user id comes from the verified token. Raises the store's errors;
    cancel-safe (reads only)."""
    window = Window(period, today, zone)
    return compute(await read_inputs(table, user_id, window), window)
