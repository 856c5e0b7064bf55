"""`ClimberAnalytics`: every figure of one period, read from the store in one wave.

`assemble` issues every repository read at once (`asyncio.gather`) and then computes in memory
(`compute`, pure and O(n) over the items read). The same object is rendered as text for `/stats`,
serialised for `/analytics/*` and handed to the model as facts: the model never counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from coaching.analytics.adherence import AdherenceFacts, adherence_facts
from coaching.analytics.body import BodyFacts, body_facts
from coaching.analytics.common import Fact, Period, Window, rounded
from coaching.analytics.goals import GoalProgress, best_sends, goal_facts
from coaching.analytics.grades import GradeFacts, grade_facts, near_max_rungs, systems_for
from coaching.analytics.history import HistoryDepth, history_depth
from coaching.analytics.load import WARM_UP_DAYS, LoadFacts, load_facts
from coaching.analytics.nutrition import nutrition_facts
from coaching.analytics.trends import Trends, trends
from coaching.nutrition.insights import NutritionInsights
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

HARDEST_SENDS = 25
"""All-time hardest benchmark sends read per discipline for goal progress."""


class PeriodTotals(Fact):
    sessions: int
    minutes: int
    hours: float
    climbs: int
    attempts: int
    load: float


class Withheld(Fact):
    """What the basic view (`coaching.analytics.levels`) leaves out, and what upgrading adds."""

    parts: list[str]
    """The advanced figures left out, in words."""
    message: str
    """One sentence for the climber: which tier adds what."""
    tier: str | None
    """The lowest tier with advanced analytics (None if no tier has them)."""


class ClimberAnalytics(Fact):
    period: Period
    start: date
    end: date
    history: HistoryDepth
    """How long the climber has logged: whether load comparisons can be made yet."""
    totals: PeriodTotals
    grades: GradeFacts
    load: LoadFacts
    body: BodyFacts
    goals: list[GoalProgress]
    nutrition: NutritionInsights
    adherence: AdherenceFacts | None = None
    """None without an active training plan."""
    trends: Trends
    withheld: Withheld | None = None
    """Set in the basic view (`coaching.analytics.levels`): what the climber's tier leaves out
    and what upgrading adds. None: every figure is here."""


@dataclass(frozen=True)
class Inputs:
    """Everything `compute` reads: sessions and sends from `history_start(window)` on, and the
    date of the climber's first session of all time (`first_log`, None when unknown: then the
    earliest of `entries` stands for it)."""

    entries: Sequence[JournalEntry]
    sends: Sequence[BenchmarkSend]
    hardest: Sequence[BenchmarkSend]
    goals: Sequence[Goal]
    injuries: Sequence[Injury]
    plans: Sequence[TrainingPlan]
    nutrition_logs: Sequence[NutritionLog]
    nutrition_profile: NutritionProfile | None
    athlete: AthleteProfile | None
    first_log: date | None = None


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
    known = [day for day in (inputs.first_log, *(e.date for e in entries)) if day is not None]
    history = history_depth(min(known, default=None), window.today)
    return ClimberAnalytics(
        period=window.period,
        start=window.start,
        end=window.today,
        history=history,
        totals=PeriodTotals(
            sessions=len(active),
            minutes=minutes,
            hours=rounded(minutes / 60, 1),
            climbs=sum(ref.count for e in in_period for ref in e.grades_completed),
            attempts=sum(ref.count for e in in_period for ref in e.grades_attempted),
            load=rounded(sum(e.session_load or 0 for e in in_period)),
        ),
        grades=grades,
        load=load_facts(entries, window, near_max_rungs(grades), systems, history),
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
        trends=trends(entries, sends, window.today, systems, history),
    )


def history_start(window: Window) -> date:
    """The first day read: the period's first whole week, the load warm-up, the trends'
    fortnight, whichever is earliest."""
    return min(window.first_week, window.today - timedelta(days=WARM_UP_DAYS - 1))
