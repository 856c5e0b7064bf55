"""`/training/plans` and `/training/generate-plan`: the climber's training plans.

A plan written by hand (`POST /training/plans`) needs no tier; a generated one follows the
tier's `plan_generation` (`quotas/features.py`: free none, pro standard, premium custom). Every
planned exercise must be one of the exercise library's. At most one plan is active: storing an
active plan (create, update or generate) deactivates the other one in the same write.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from starlette.responses import JSONResponse

from coaching.plans import Customisation, Emphasis
from coaching.plans.rules import LONGEST_CYCLE
from grammar.dates import local_today
from handlers.training_plans import check_exercises, generate_plan
from server.api import Call, Endpoint
from server.routes.pages import HistoryQuery, Page, Update, item_endpoints
from store.records.base import Record
from store.records.common import WEEKDAY_NAMES, Weekday
from store.records.training import TrainingPlan, TrainingPlanIn
from store.repos.plans import PlanRepo

PATH = "/training/plans"
TAGS = ("training",)
MOST_PHASE_WEEKS = LONGEST_CYCLE - 1
"""The three training phases' weeks together: a rest week always follows, and a cycle is at
most `LONGEST_CYCLE` weeks."""


class TrainingPlanUpdate(TrainingPlanIn, Update):
    """A whole training plan plus the `version` it replaces."""


class TrainingPlanPage(Page[TrainingPlan]):
    """A page of training plans, the most recently created first."""


PhaseWeeks = Annotated[int, Field(ge=1, le=12)]


class PlanCustomisation(Record):
    """A Premium climber's choices for a generated plan; at least one of them."""

    days: Annotated[list[Weekday], Field(min_length=1, max_length=7)] | None = Field(
        default=None, description="the weekdays to train, instead of the athlete profile's"
    )
    phase_weeks: Annotated[list[PhaseWeeks], Field(min_length=3, max_length=3)] | None = Field(
        default=None,
        description="weeks of skill and stamina, of strength and power, and of power "
        f"endurance (together at most {MOST_PHASE_WEEKS}); a rest week always follows",
    )
    emphasis: Emphasis | None = Field(
        default=None, description="what the plan leans toward: fingers, power, endurance, technique"
    )

    @field_validator("phase_weeks")
    @classmethod
    def _fits_a_cycle(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and sum(value) > MOST_PHASE_WEEKS:
            raise ValueError(
                f"the three phases come to {sum(value)} weeks; at most {MOST_PHASE_WEEKS} fit "
                f"a {LONGEST_CYCLE}-week cycle with its rest week"
            )
        return value

    @model_validator(mode="after")
    def _chooses_something(self) -> PlanCustomisation:
        if self.days is None and self.phase_weeks is None and self.emphasis is None:
            raise ValueError(
                "choose at least one of days, phaseWeeks and emphasis, or leave customisation "
                "out for the standard plan"
            )
        return self

    def choices(self) -> Customisation:
        """The generator's form: weekdays as numbers (0 = Monday), each once."""
        days = tuple(sorted({WEEKDAY_NAMES.index(day) for day in self.days})) if self.days else None
        weeks = self.phase_weeks
        return Customisation(
            days=days,
            phase_weeks=(weeks[0], weeks[1], weeks[2]) if weeks else None,
            emphasis=self.emphasis,
        )


class GeneratePlanRequest(Record):
    """What to generate: the standard plan, or (Premium) one with the climber's own choices."""

    customisation: PlanCustomisation | None = None
    activate: bool = Field(
        default=True, description="make it the active plan (the one active now is deactivated)"
    )


async def list_plans(call: Call[Any]) -> JSONResponse:
    query: HistoryQuery = call.query
    listing = await PlanRepo(call.services.table).newest_first(
        call.user.user_id, limit=query.limit, cursor=query.cursor
    )
    return TrainingPlanPage(items=listing.items, cursor=listing.cursor).response()


async def generate(call: Call[GeneratePlanRequest]) -> TrainingPlan:
    body: GeneratePlanRequest = call.body
    # The climber's own calendar date, as in the chat: a plan starts on their next Monday.
    today = local_today(call.services.clock(), call.user.timezone)
    started = await generate_plan(
        call.services.table,
        call.services.policy,
        call.user,
        today,
        customisation=body.customisation.choices() if body.customisation else None,
        activate=body.activate,
    )
    return started.plan


endpoints = [
    Endpoint("GET", PATH, list_plans,
             "Training plans, the most recently created first, a page at a time",
             query=HistoryQuery, response=TrainingPlanPage, tags=TAGS),
    *item_endpoints(path=PATH, noun="training plan", tag="training", repo=PlanRepo,
                    record=TrainingPlan, input=TrainingPlanIn, update=TrainingPlanUpdate,
                    check=check_exercises),
    Endpoint("POST", "/training/generate-plan", generate,
             "Generate a periodised plan from the climber's log, profile and goals, store it "
             "and answer it (Pro; Premium for `customisation`; otherwise 403 tier_required)",
             body=GeneratePlanRequest, response=TrainingPlan, status=201, tags=TAGS,
             errors=(403,)),
]  # fmt: skip
