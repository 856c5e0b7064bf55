"""`/nutrition/profile`, `/nutrition/logs` and `/nutrition/insights`: what the climber eats,
against targets computed in code (`coaching.nutrition`).

The profile works like the athlete profile: empty with `version` 0 until first saved, a PUT
with `version` 0 creates it. Both answer it with `daily`, the day's targets and how each was
reached. A day has at most one log, addressed by its date: POST creates a day's log (409 when
the day has one), PUT `/nutrition/logs/{date}` replaces it on the version last read. Totals are
always computed from the meals, never taken from a client; a nutrient a meal did not give is
left out ("not logged"), never 0.

Computed figures (`daily`, the insights) keep their nulls: a target that cannot be computed yet
or an average of a nutrient never logged is `null`, so every field the document promises is
there. Stored records leave out what was not given, as everywhere else.

Ranges (`?from=&to=`, inclusive) default to the 7 days to the climber's today (their own
calendar date, as in the chat) and span at most `MOST_DAYS` days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from starlette.responses import JSONResponse

from coaching.nutrition.insights import MOST_DAYS, WEEK_DAYS, NutritionInsights
from coaching.nutrition.targets import DailyTargets
from context.nutrition import nutrition_insights_for, nutrition_targets
from grammar.dates import local_today
from server.api import Call, Endpoint
from server.errors import ApiError
from server.routes.pages import CamelModel, Query, Update, expected_version, input_of
from store.errors import ConditionFailed
from store.records.nutrition import (
    NutritionLog,
    NutritionLogIn,
    NutritionProfile,
    NutritionProfileIn,
)
from store.repos.nutrition import NutritionLogRepo, NutritionProfileRepo

PROFILE = "/nutrition/profile"
LOGS = "/nutrition/logs"
ONE_LOG = f"{LOGS}/{{date}}"
TAGS = ("nutrition",)


class NutritionProfileUpdate(NutritionProfileIn, Update):
    """The whole nutrition profile plus the `version` it replaces (0: not saved yet)."""


class NutritionProfileWithTargets(NutritionProfile):
    """The nutrition profile (empty, with version 0, until first saved) and the daily targets
    computed from it, the athlete profile and the logged training."""

    daily: DailyTargets


class NutritionLogUpdate(NutritionLogIn, Update):
    """A whole day's log plus the `version` it replaces (0: the day has no log yet). Its
    `date` must be the path's."""


class NutritionLogList(CamelModel):
    """The logged days of the range, oldest first; a day without a log is absent."""

    items: list[NutritionLog]


class RangeQuery(Query):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD` (inclusive); by default the 7 days to today."""

    start: date | None = Field(
        default=None, alias="from", description="first day, inclusive (default: 6 days before `to`)"
    )
    end: date | None = Field(
        default=None, alias="to", description="last day, inclusive (default: your today)"
    )


class LogsQuery(RangeQuery):
    """`?date=YYYY-MM-DD` for one day, or a range `?from=&to=`."""

    day: date | None = Field(default=None, alias="date", description="one day, instead of a range")

    @field_validator("day")
    @classmethod
    def _not_with_a_range(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and (info.data.get("start") or info.data.get("end")):
            raise ValueError("ask for one `date`, or a range with `from` and `to`, not both")
        return value


def refused(field: str, reason: str) -> ValidationError:
    """A 422 naming `field` (a query parameter, a path part or a body field) and the reason,
    in the form every field error takes (`server.errors.invalid_body`)."""
    return ValidationError.from_exception_data(
        "nutrition",
        [
            InitErrorDetails(
                type=PydanticCustomError("invalid_nutrition", "{reason}", {"reason": reason}),
                loc=(field,),
                input=None,
            )
        ],
    )


def days_asked(query: RangeQuery, today: date, *, until_today: bool) -> tuple[date, date]:
    """The first and last day `query` asks for, by default the 7 days to `today`. Raises a
    `ValidationError` (422) for a range backwards or longer than `MOST_DAYS`, and with
    `until_today` for a day after `today`."""
    end = query.end or today
    start = query.start or end - timedelta(days=WEEK_DAYS - 1)
    if until_today:
        for field, day in (("from", start), ("to", end)):
            if day > today:
                raise refused(field, f"{day.isoformat()} is in the future (today is {today})")
    if start > end:
        raise refused("from", f"{start.isoformat()} is after `to` ({end.isoformat()})")
    days = (end - start).days + 1
    if days > MOST_DAYS:
        raise refused(
            "to",
            f"{start.isoformat()} to {end.isoformat()} is {days} days; ask for at most "
            f"{MOST_DAYS} days at a time",
        )
    return start, end


def path_day(call: Call[Any]) -> date:
    """The `{date}` of the path; a 422 naming `date` when it is not a calendar date."""
    text = call.path("date")
    try:
        return date.fromisoformat(text)
    except ValueError:
        reason = f"{text!r} is not a calendar date; write it like 2026-03-14"
        raise refused("date", reason) from None


def today_of(call: Call[Any]) -> date:
    # The climber's own calendar date, as in the chat.
    return local_today(call.services.clock(), call.user.timezone)


def computed(facts: BaseModel) -> dict[str, Any]:
    """`facts` on the wire with its nulls (see the module's docstring)."""
    return facts.model_dump(mode="json", by_alias=True)


async def with_targets(call: Call[Any]) -> JSONResponse:
    """The profile as stored (or the empty one) and `daily`, its targets today."""
    profile, daily = await nutrition_targets(call.services.table, call.user.user_id, today_of(call))
    shown = profile if profile is not None else NutritionProfile()
    return JSONResponse({**shown.to_wire(), "daily": computed(daily)})


async def put_profile(call: Call[NutritionProfileUpdate]) -> JSONResponse:
    body: NutritionProfileUpdate = call.body
    version = expected_version(body)
    await NutritionProfileRepo(call.services.table).put(
        call.user.user_id, input_of(body, NutritionProfileIn), expected_version=version
    )
    # Read back with what the targets need, so the profile and its targets are one state.
    return await with_targets(call)


async def list_logs(call: Call[Any]) -> NutritionLogList:
    query: LogsQuery = call.query
    if query.day is not None:
        start = end = query.day
    else:
        start, end = days_asked(query, today_of(call), until_today=False)
    listing = await NutritionLogRepo(call.services.table).list(
        call.user.user_id, start=start, end=end, newest_first=False
    )
    return NutritionLogList(items=listing.items)


async def create_log(call: Call[NutritionLogIn]) -> NutritionLog:
    data: NutritionLogIn = call.body
    try:
        return await NutritionLogRepo(call.services.table).put(
            call.user.user_id, data, expected_version=0
        )
    except ConditionFailed:
        day = data.date.isoformat()
        raise ApiError(
            409,
            "conflict",
            f"{day} already has a log: change it with PUT {LOGS}/{day} and the `version` "
            "you last read",
        ) from None


async def get_log(call: Call[Any]) -> NutritionLog:
    return await NutritionLogRepo(call.services.table).get(call.user.user_id, path_day(call))


async def put_log(call: Call[NutritionLogUpdate]) -> NutritionLog:
    body: NutritionLogUpdate = call.body
    day = path_day(call)
    version = expected_version(body)
    data = input_of(body, NutritionLogIn)
    if data.date != day:
        raise refused(
            "date",
            f"{data.date.isoformat()} is not the day in the path ({day.isoformat()}); move a "
            "log by deleting it and logging the other day",
        )
    return await NutritionLogRepo(call.services.table).put(
        call.user.user_id, data, expected_version=version
    )


async def delete_log(call: Call[Any]) -> None:
    await NutritionLogRepo(call.services.table).delete(call.user.user_id, path_day(call))


async def insights(call: Call[Any]) -> JSONResponse:
    today = today_of(call)
    start, end = days_asked(call.query, today, until_today=True)
    found = await nutrition_insights_for(call.services.table, call.user.user_id, start, end, today)
    return JSONResponse(computed(found))


endpoints = [
    Endpoint("GET", PROFILE, with_targets,
             "The nutrition profile (empty, with version 0, until first saved) with `daily`, "
             "today's targets and how each was reached",
             response=NutritionProfileWithTargets, tags=TAGS),
    Endpoint("PUT", PROFILE, put_profile,
             "Replace the nutrition profile; the body carries every field plus `version` as "
             "last read, 0 to create it (stale → 409, nothing changes; missing → 428). Answers "
             "the profile with `daily`, as GET does",
             body=NutritionProfileUpdate, response=NutritionProfileWithTargets, tags=TAGS,
             errors=(409, 428)),
    Endpoint("GET", LOGS, list_logs,
             "The logged days of `date`, or of `from`..`to` (inclusive, at most "
             f"{MOST_DAYS} days; default the 7 days to today), oldest first",
             query=LogsQuery, response=NutritionLogList, tags=TAGS),
    Endpoint("POST", LOGS, create_log,
             "Log a day (meals get ids, totals are computed); 409 when the day has a log "
             "already: replace it with PUT",
             body=NutritionLogIn, response=NutritionLog, status=201, tags=TAGS, errors=(409,)),
    Endpoint("GET", ONE_LOG, get_log, "One day's log (404 when nothing was logged that day)",
             response=NutritionLog, tags=TAGS),
    Endpoint("PUT", ONE_LOG, put_log,
             "Replace a day's log; the body carries every field (its `date` the path's) plus "
             "`version` as last read, 0 to create it (stale → 409, nothing changes; missing → "
             "428)",
             body=NutritionLogUpdate, response=NutritionLog, tags=TAGS, errors=(409, 428)),
    Endpoint("DELETE", ONE_LOG, delete_log, "Delete a day's log (a second delete → 404)",
             tags=TAGS),
    Endpoint("GET", "/nutrition/insights", insights,
             "Intake over `from`..`to` (inclusive, at most "
             f"{MOST_DAYS} days, not after today; default the 7 days to today) against the "
             "daily targets, with possible under-fuelling against the logged training",
             query=RangeQuery, response=NutritionInsights, tags=TAGS),
]  # fmt: skip
