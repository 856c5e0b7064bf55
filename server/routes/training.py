"""`/training/*`: the climber's training plans, as the web UI's plan view reads them.

A minimal slice of the resource (the full one adds create, update and delete):

`GET /training/plans` — every plan of the caller, newest first, in one page (`cursor` null); the
active plan is the item with `active: true`.
`POST /training/generate-plan` — Pro and Premium (`plan_generation` in `quotas/tiers.toml`): a
plan generated in code (`coaching.plans`) from the climber's own log, profile and goals, on
their own "today", saved as their active plan (earlier plans stop being active). Free answers
403 `tier_required` and nothing is written.
"""

from __future__ import annotations

from typing import Any

from coaching.plans import generate
from context.plans import plan_inputs
from grammar.dates import local_today
from server.api import Call, Endpoint
from server.errors import ApiError
from server.routes.pages import Page
from store.records.reference import Exercise
from store.records.training import TrainingPlan
from store.repos.plans import PlanRepo
from store.repos.reference import ReferenceRepo
from store.seed import load_reference
from store.table import Table

TAGS = ("training",)
NEEDS_PRO = "Generated training plans come with Pro and Premium; you're on {tier}."
"""The 403's message: who may, and the caller's tier. The web UI lists what Pro adds under it."""


class PlanPage(Page[TrainingPlan]):
    """The caller's plans, newest first (`cursor` is always null: one page holds them all)."""


async def list_plans(call: Call[Any]) -> Any:
    plans = (await PlanRepo(call.services.table).list(call.user.user_id)).items
    # Plans made in the same instant (a fixed clock) list the active one first: generating a
    # plan makes it the active one.
    newest_first = sorted(
        plans, key=lambda plan: (plan.created_at, plan.active, plan.start_date), reverse=True
    )
    return PlanPage(items=newest_first, cursor=None).response()


async def exercise_library(table: Table) -> list[Exercise]:
    """The exercise library as seeded (`v7 store seed`); a table with none seeded uses the
    packaged one, so a fresh server still generates plans with exercises."""
    seeded = await ReferenceRepo(table).list_exercises()
    return seeded or list(load_reference().exercises)


async def generate_plan(call: Call[Any]) -> TrainingPlan:
    caller = call.user
    policy = call.services.allowances.quotas.policy.tier(caller.tier)
    if policy.plan_generation == "none":
        message = NEEDS_PRO.format(tier=caller.tier.title())
        raise ApiError(403, "tier_required", message, extra={"required": "pro"})
    table = call.services.table
    today = local_today(call.services.clock(), caller.timezone)
    inputs = await plan_inputs(table, caller.user_id, today, zone=caller.timezone)
    plans = PlanRepo(table)
    earlier = await plans.active(caller.user_id)
    # Saved before the earlier plans stop being active: a failure in between leaves two active
    # plans (readers take the newest), never none.
    plan = await plans.create(caller.user_id, generate(inputs, await exercise_library(table)))
    for old in earlier:
        await plans.update(caller.user_id, old.id, {"active": False})
    return plan


endpoints = [
    Endpoint("GET", "/training/plans", list_plans,
             "Every training plan, newest first (the active one has `active: true`)",
             response=PlanPage, tags=TAGS),
    Endpoint("POST", "/training/generate-plan", generate_plan,
             "Generate a periodised plan from the climber's own data and make it their active "
             "plan (Pro and Premium; Free → 403 tier_required)",
             response=TrainingPlan, status=201, tags=TAGS, errors=(403,)),
]  # fmt: skip
