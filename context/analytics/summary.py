"""`ClimberAnalytics`: every figure of one period, read from the store in one wave.

`assemble` issues every repository read at once (`asyncio.gather`) and then computes in memory
(`compute`, pure and O(n) over the items read). The same object is rendered as text for `/stats`,
serialised for `/analytics/*` and handed to the model as facts: the model never counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from context.analytics.adherence import AdherenceFacts, adherence_facts
from context.analytics.body import BodyFacts, body_facts
from context.analytics.common import Fact, Period, Window, rounded
from context.analytics.goals import GoalProgress, best_sends, goal_facts
from context.analytics.grades import GradeFacts, grade_facts, near_max_rungs, systems_for
from context.analytics.load import WARM_UP_DAYS, LoadFacts, load_facts
from context.analytics.nutrition import DAYS as NUTRITION_DAYS
from context.analytics.nutrition import NutritionFacts, nutrition_facts
from context.analytics.trends import Trends, trends
from store.grades import Discipline
from store.records import (
    AthleteProfile,
    BenchmarkSend,
    Goal,
    Injury,
    JournalEntry,
    NutritionLog,
    NutritionProfile,
    SessionType,
    TrainingPlan,
)
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

HARDEST_SENDS = 25
"""All-time hardest benchmark sends read per discipline for goal progress."""


class PeriodTotals(Fact):
    sessions: int
    minutes: int
    hours: float
    climbs: int
    attempts: int
    load: float


class ClimberAnalytics(Fact):
    period: Period
    start: date
    end: date
    totals: PeriodTotals
    grades: GradeFacts
    load: LoadFacts
    body: BodyFacts
    goals: list[GoalProgress]
    nutrition: NutritionFacts
    adherence: AdherenceFacts | None = None
    """None without an active training plan."""
    trends: Trends


@dataclass(frozen=True)
class Inputs:
    """Everything `compute` reads: sessions and sends from `history_start(window)` on."""

    entries: Sequence[JournalEntry]
    sends: Sequence[BenchmarkSend]
    hardest: Sequence[BenchmarkSend]
    goals: Sequence[Goal]
    injuries: Sequence[Injury]
    plans: Sequence[TrainingPlan]
    nutrition_logs: Sequence[NutritionLog]
    nutrition_profile: NutritionProfile | None
    athlete: AthleteProfile | None


def history_start(window: Window) -> date:
    """The first day read: the period's first whole week, the load warm-up, the trends'
    fortnight, whichever is earliest."""
    return min(window.first_week, window.today - timedelta(days=WARM_UP_DAYS - 1))


def compute(inputs: Inputs, window: Window) -> ClimberAnalytics:
    """The analytics of `window` from `inputs`. Pure; O(n) over the items."""
    entries, sends = inputs.entries, inputs.sends
    systems = systems_for(entries, sends)
    grades = grade_facts(entries, sends, window, systems)
    bests = best_sends(
        [e for e in entries if window.contains(e.date)],
        [*inputs.hardest, *(s for s in sends if window.contains(s.date))],
        systems,
    )
    in_period = [e for e in entries if window.contains(e.date)]
    active = [e for e in in_period if e.session_type is not SessionType.REST]
    minutes = sum(e.duration_minutes for e in active)
    return ClimberAnalytics(
        period=window.period,
        start=window.start,
        end=window.today,
        totals=PeriodTotals(
            sessions=len(active),
            minutes=minutes,
            hours=rounded(minutes / 60, 1),
            climbs=sum(ref.count for e in in_period for ref in e.grades_completed),
            attempts=sum(ref.count for e in in_period for ref in e.grades_attempted),
            load=rounded(sum(e.session_load or 0 for e in in_period)),
        ),
        grades=grades,
        load=load_facts(entries, window, near_max_rungs(grades), systems),
        body=body_facts(entries, inputs.injuries, window),
        goals=goal_facts(inputs.goals, bests, entries, window),
        nutrition=nutrition_facts(
            inputs.nutrition_logs,
            inputs.nutrition_profile,
            inputs.athlete,
            entries,
            window.today,
        ),
        adherence=adherence_facts(inputs.plans, entries, window),
        trends=trends(entries, sends, window.today, systems),
    )


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
            logs.list(user_id, start=today - timedelta(days=NUTRITION_DAYS), end=today),
        ),
        asyncio.gather(
            GoalRepo(table).list(user_id),
            InjuryRepo(table).list(user_id),
            PlanRepo(table).list(user_id),
            NutritionProfileRepo(table).find(user_id),
            AthleteRepo(table).find(user_id),
        ),
    )
    entries, recent_sends, hardest_boulders, hardest_routes, food = history
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
    )


async def assemble(table: Table, user_id: str, period: Period, today: date) -> ClimberAnalytics:
    """The climber's analytics for `period` ending `today` (the user id comes from the
    verified token). Raises the store's errors; cancel-safe (reads only)."""
    window = Window(period, today)
    return compute(await read_inputs(table, user_id, window), window)
