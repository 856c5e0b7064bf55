"""Nutrition in the summary (`/stats`, the coach's context): the insights of the last 7 days,
today and the 6 before (today's meals count as logged), against the daily targets.

The figures are `coaching.nutrition.insights`'s, so `/stats`, `GET /nutrition/insights`, the
coach's context and the offline coach's answers can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from coaching.nutrition.insights import WEEK_DAYS, NutritionInsights, nutrition_insights
from store.records.athlete import AthleteProfile
from store.records.journal import JournalEntry
from store.records.nutrition import NutritionLog, NutritionProfile

DAYS = WEEK_DAYS
READ_DAYS = 2 * WEEK_DAYS
"""Days of logs to read: the 7 shown and the 7 before, for the week-on-week comparison."""


def nutrition_facts(
    logs: Iterable[NutritionLog],
    profile: NutritionProfile | None,
    athlete: AthleteProfile | None,
    entries: Iterable[JournalEntry],
    today: date,
) -> NutritionInsights:
    start = today - timedelta(days=DAYS - 1)
    return nutrition_insights(logs, profile, athlete, entries, start, today, today)
