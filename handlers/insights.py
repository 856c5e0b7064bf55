"""The climber's computed insights, once for every way in (`POST /chat/generate-insights` and
`/insights` in the chat): one wave of reads, the analytics computed in code, and
`coaching.insights` on top. Computed offline, so they cost no AI message.
"""

from __future__ import annotations

import asyncio
from datetime import date

from coaching.analytics import Window, compute
from coaching.insights import PERIOD, Insight, insights_for
from coaching.plans.view import current_plan
from context.plans import plan_library
from context.reads import read_inputs
from core.caller import Caller
from store.table import Table


async def climber_insights(table: Table, caller: Caller, today: date) -> list[Insight]:
    """2–4 insights for `caller` on `today` (their own calendar date, in their time zone): the
    analytics of the last `PERIOD`, their active plan and the exercise library, read at once.
    Raises the store's errors; reads only."""
    window = Window(PERIOD, today, caller.timezone)
    inputs, library = await asyncio.gather(
        read_inputs(table, caller.user_id, window), plan_library(table)
    )
    analytics = compute(inputs, window)
    return insights_for(
        analytics,
        plan=current_plan(inputs.plans),
        library=library,
        athlete=inputs.athlete,
        goals=inputs.goals,
    )
