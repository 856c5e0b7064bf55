"""What a training plan is generated from, read from the store: one climber's inputs, and the
exercise library.

One wave of reads (`context.reads`), the analytics computed in code over the last 30 days, the
athlete profile and goals: `coaching.plans.inputs_from` turns them into the generator's plain
inputs, so the plan only ever sees numbers computed from the climber's own log.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from coaching.analytics import Period, Window, compute
from coaching.plans import Customisation, GoalTarget, PlanInputs, inputs_from
from context.reads import read_inputs
from store.records.reference import Exercise
from store.repos.reference import ReferenceRepo
from store.seed import load_reference
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


async def plan_library(table: Table) -> list[Exercise]:
    """The exercise library plans are made from and checked against, in id order: the table's
    (`v7 store seed`), or the packaged one while the table has none seeded, so a fresh install
    can plan. The same order either way, so the same climber gets the same plan."""
    seeded = await ReferenceRepo(table).list_exercises()
    return seeded or list(_packaged_exercises())


@cache
def _packaged_exercises() -> tuple[Exercise, ...]:
    # Parsed once per process: the packaged files never change while it runs.
    return tuple(sorted(load_reference().exercises, key=lambda exercise: exercise.id))
