"""What a training plan is generated from, read from the store for one climber.

One wave of reads (`context.reads`), the analytics computed in code over the last 30 days, the
athlete profile and goals: `coaching.plans.inputs_from` turns them into the generator's plain
inputs, so the plan only ever sees numbers computed from the climber's own log.
"""

from __future__ import annotations

from datetime import date

from coaching.analytics import Period, Window, compute
from coaching.plans import Customisation, GoalTarget, PlanInputs, inputs_from
from context.reads import read_inputs
from store.table import Table


async def plan_inputs(
    table: Table,
    user_id: str,
    today: date,
    *,
    zone: str | None = None,
    customisation: Customisation | None = None,
    goal: GoalTarget | None = None,
) -> PlanInputs:
    """The inputs of `user_id`'s plan generated on `today` (their own calendar date), aimed at
    `goal` when the climber named one (else their nearest active goal). Raises the store's
    errors; reads only."""
    window = Window(Period.DAYS_30, today, zone)
    inputs = await read_inputs(table, user_id, window)
    analytics = compute(inputs, window)
    return inputs_from(today, analytics, inputs.athlete, inputs.goals, customisation, goal)
