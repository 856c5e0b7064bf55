"""`/athlete/profile` and `/athlete/goals`: who the climber is and what they are aiming for.

Every user has an athlete profile: until they first save one, GET answers an empty profile with
`version` 0, and a PUT with `version` 0 creates it (a second creator racing the first gets 409).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import WithJsonSchema

from server.api import Call, Endpoint
from server.routes.pages import (
    CamelModel,
    Query,
    Update,
    expected_version,
    input_of,
    item_endpoints,
)
from store.records.athlete import AthleteProfile, AthleteProfileIn, Goal, GoalIn, GoalStatus
from store.repos.athlete import AthleteRepo
from store.repos.goals import GoalRepo

GOALS = "/athlete/goals"


class AthleteProfileUpdate(AthleteProfileIn, Update):
    """The whole athlete profile plus the `version` it replaces (0: not saved yet)."""


class GoalUpdate(GoalIn, Update):
    """A whole goal plus the `version` it replaces."""


class GoalQuery(Query):
    # The enum is spelled out inline: a query parameter's schema cannot refer to a component.
    status: Annotated[
        GoalStatus | None,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "enum": [status.value for status in GoalStatus]},
                    {"type": "null"},
                ]
            }
        ),
    ] = None


class GoalList(CamelModel):
    """Every goal of the climber (of one status if asked), oldest first."""

    items: list[Goal]


async def get_profile(call: Call[Any]) -> AthleteProfile:
    profile = await AthleteRepo(call.services.table).find(call.user.user_id)
    return profile if profile is not None else AthleteProfile()


async def put_profile(call: Call[AthleteProfileUpdate]) -> AthleteProfile:
    body: AthleteProfileUpdate = call.body
    version = expected_version(body)
    return await AthleteRepo(call.services.table).put(
        call.user.user_id, input_of(body, AthleteProfileIn), expected_version=version
    )


async def list_goals(call: Call[Any]) -> GoalList:
    query: GoalQuery = call.query
    goals = await GoalRepo(call.services.table).list_goals(call.user.user_id, query.status)
    return GoalList(items=goals)


endpoints = [
    Endpoint("GET", "/athlete/profile", get_profile,
             "The athlete profile (empty, with version 0, until first saved)",
             response=AthleteProfile, tags=("athlete",)),
    Endpoint("PUT", "/athlete/profile", put_profile,
             "Replace the athlete profile; the body carries every field plus `version` as last "
             "read, 0 to create it (stale → 409, nothing changes; missing → 428)",
             body=AthleteProfileUpdate, response=AthleteProfile, tags=("athlete",),
             errors=(409, 428)),
    Endpoint("GET", GOALS, list_goals, "Every goal, oldest first (`status` filters)",
             query=GoalQuery, response=GoalList, tags=("athlete",)),
    *item_endpoints(path=GOALS, noun="goal", tag="athlete", repo=GoalRepo, record=Goal,
                    input=GoalIn, update=GoalUpdate),
]  # fmt: skip
