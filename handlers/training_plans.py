"""Training plans written for a climber, once for every way in (the REST routes; a chat command
that generates or edits a plan calls the same): a plan generated from their own log under their
tier's plan generation, and a plan written by hand, checked against the exercise library before
it is stored.

Storing goes through `PlanRepo`, which keeps at most one plan active: a plan stored active
deactivates the climber's other active plan in the same transaction.
"""

from __future__ import annotations

from datetime import date

from coaching.plans import Customisation, GoalTarget, generate
from context.plans import plan_inputs, plan_library
from core.caller import Caller
from quotas.features import require_plan_generation
from quotas.policy import Policy
from store.records.training import TrainingPlanIn, require_known_exercises
from store.repos.plan_switch import PlanSwitch, Started
from store.repos.plans import PlanRepo
from store.table import Table


async def generate_plan(
    table: Table,
    policy: Policy,
    caller: Caller,
    today: date,
    *,
    customisation: Customisation | None = None,
    goal: GoalTarget | None = None,
    activate: bool = True,
) -> Started:
    """Generate and store the caller's plan starting from `today` (their own calendar date),
    made from their log, profile and goals (`goal`, when given, instead of their nearest active
    goal); active unless `activate` is false. Returns it (version 1) with the plans it made
    inactive, so a chat `/undo` can reactivate them.

    Raises `TierRequired` (nothing read or written) when the caller's tier does not generate
    plans, or does not customise them and `customisation` is given. A climber with no profile
    or no history still gets a plan: its `assumptions` say what it assumed."""
    require_plan_generation(policy, caller.tier, custom=customisation is not None)
    inputs = await plan_inputs(
        table,
        caller.user_id,
        today,
        zone=caller.timezone,
        customisation=customisation,
        goal=goal,
    )
    plan = generate(inputs, await plan_library(table))
    if activate:
        return await PlanSwitch(table).start(caller.user_id, plan)
    stored = await PlanRepo(table).create(caller.user_id, plan.model_copy(update={"active": False}))
    return Started(stored, [])


async def check_exercises(table: Table, plan: TrainingPlanIn) -> None:
    """Raise `pydantic.ValidationError` naming every planned exercise that is not in the
    exercise library (`weeks.0.days.monday.exercises.1.exerciseId`), before anything is
    written."""
    library = await plan_library(table)
    require_known_exercises(plan, {exercise.id for exercise in library})
