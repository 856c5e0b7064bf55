"""What nutrition targets and insights are computed from, read from the store in one wave.

`GET /nutrition/profile`, `GET /nutrition/insights` and the `/nutrition` chat command all read
through here, so the numbers a climber sees on a screen and in the chat can never disagree:
the nutrition profile, the athlete profile (weight, height and age stand in for missing ones),
the journal entries the targets' training and the week-on-week comparison need, and the logs.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from coaching.nutrition.insights import WEEK_DAYS, NutritionInsights, nutrition_insights
from coaching.nutrition.targets import RECENT_DAYS, DailyTargets, daily_targets
from store.records.nutrition import NutritionProfile
from store.repos import AthleteRepo, JournalRepo, NutritionLogRepo, NutritionProfileRepo
from store.table import Table

COMPARED_DAYS = 2 * WEEK_DAYS
"""The two 7-day windows to the end of a range that insights compare (intake and load)."""


async def nutrition_targets(
    table: Table, user_id: str, today: date
) -> tuple[NutritionProfile | None, DailyTargets]:
    """The climber's nutrition profile (None until they save one) and their daily targets on
    `today`, their own calendar date. Raises the store's errors; reads only."""
    profile, athlete, entries = await asyncio.gather(
        NutritionProfileRepo(table).find(user_id),
        AthleteRepo(table).find(user_id),
        JournalRepo(table).list(
            user_id, start=today - timedelta(days=RECENT_DAYS - 1), end=today, newest_first=False
        ),
    )
    return profile, daily_targets(profile, athlete, entries.items, today)


async def nutrition_insights_for(
    table: Table, user_id: str, start: date, end: date, today: date
) -> NutritionInsights:
    """Intake from `start` to `end` (inclusive) against the targets on `today`, the climber's
    own calendar date (`end` no later than it: the caller checks). Raises the store's errors;
    reads only."""
    # Logs: the range and the 14 days to `end` that the two weeks compare. Entries: those, and
    # the 28 days to `today` that the targets' training is computed from.
    compared = end - timedelta(days=COMPARED_DAYS - 1)
    logs_from = min(start, compared)
    entries_from = min(logs_from, today - timedelta(days=RECENT_DAYS - 1))
    logs, profile, athlete, entries = await asyncio.gather(
        NutritionLogRepo(table).list(user_id, start=logs_from, end=end, newest_first=False),
        NutritionProfileRepo(table).find(user_id),
        AthleteRepo(table).find(user_id),
        JournalRepo(table).list(
            user_id, start=entries_from, end=max(end, today), newest_first=False
        ),
    )
    return nutrition_insights(logs.items, profile, athlete, entries.items, start, end, today)
