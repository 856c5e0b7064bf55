"""`/analytics/*`: the climber's analytics (computed in `coaching.analytics`) over REST.

`GET /analytics/summary?period=30d|90d|1y` — the whole `ClimberAnalytics`.
`GET /analytics/progress?metric=max_grade|weekly_load|sessions|volume|pyramid&period=…` — the
series one chart draws. `GET /analytics/trends` — the last 7 days against the 7 before.
The period defaults to 30d; anything else is a 422. "Today" is the caller's local date (their
profile's timezone, UTC without one), as in the chat.

What the caller's tier shows is `handlers.analytics`'s, as for `/stats` and the coach: a tier
with basic analytics gets the figures without the advanced ones (`withheld` says what the next
tier adds), and 403 `tier_required` for `period=1y` and for `/analytics/trends`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import Field

from coaching.analytics import ClimberAnalytics, Period
from coaching.analytics.common import Fact
from coaching.analytics.grades import MaxGradeSeries, Pyramid
from coaching.analytics.trends import Trends
from grammar.dates import local_today
from handlers.analytics import analytics_for, require_trends
from server.api import Call, Endpoint
from server.routes.pages import Query

TAGS = ("analytics",)


class Metric(StrEnum):
    MAX_GRADE = "max_grade"
    WEEKLY_LOAD = "weekly_load"
    SESSIONS = "sessions"
    VOLUME = "volume"
    PYRAMID = "pyramid"


class PeriodQuery(Query):
    """`?period=30d|90d|1y` (default 30d)."""

    period: Period = Field(default=Period.DAYS_30, description="30d, 90d or 1y")


class ProgressQuery(PeriodQuery):
    """`?metric=…&period=…`."""

    metric: Metric = Field(description="max_grade, weekly_load, sessions, volume or pyramid")


class TrendsQuery(Query):
    """No parameters."""


class WeekValue(Fact):
    week_start: date
    value: float
    days: int
    """Days of the week inside the data (7 except the current week)."""
    climbs: int | None = None
    """Volume only: climbs sent that week."""


class Progress(Fact):
    """One metric's series. Weekly metrics fill `points` (every week, oldest first, zeros
    included); `max_grade` fills `maxGrade` (weeks with sends); `pyramid` fills `pyramids`."""

    metric: Metric
    period: Period
    start: date
    end: date
    unit: str | None = None
    points: list[WeekValue] | None = None
    max_grade: list[MaxGradeSeries] | None = None
    pyramids: list[Pyramid] | None = None


async def _analytics(call: Call[Any], period: Period) -> ClimberAnalytics:
    zone = call.user.timezone  # read with the account when the request was authenticated
    today = local_today(call.services.clock(), zone)
    return await analytics_for(call.services.table, call.services.policy, call.user, period, today)


async def summary(call: Call[Any]) -> ClimberAnalytics:
    query: PeriodQuery = call.query
    return await _analytics(call, query.period)


def progress_of(analytics: ClimberAnalytics, metric: Metric) -> Progress:
    """The series of `metric` out of the whole analytics."""
    result = Progress(
        metric=metric, period=analytics.period, start=analytics.start, end=analytics.end
    )
    weeks = analytics.load.weeks
    if metric is Metric.MAX_GRADE:
        result.max_grade = analytics.grades.max_by_week
    elif metric is Metric.PYRAMID:
        result.pyramids = analytics.grades.pyramids
    elif metric is Metric.WEEKLY_LOAD:
        result.unit = "AU"
        result.points = [
            WeekValue(week_start=w.week_start, value=w.load, days=w.days) for w in weeks
        ]
    elif metric is Metric.SESSIONS:
        result.unit = "sessions"
        result.points = [
            WeekValue(week_start=w.week_start, value=w.sessions, days=w.days) for w in weeks
        ]
    else:
        result.unit = "minutes"
        result.points = [
            WeekValue(week_start=w.week_start, value=w.minutes, days=w.days, climbs=w.climbs)
            for w in weeks
        ]
    return result


async def progress(call: Call[Any]) -> Progress:
    query: ProgressQuery = call.query
    return progress_of(await _analytics(call, query.period), query.metric)


async def trends(call: Call[Any]) -> Trends:
    require_trends(call.services.policy, call.user.tier)
    return (await _analytics(call, Period.DAYS_30)).trends


endpoints = [
    Endpoint("GET", "/analytics/summary", summary,
             "Every figure of the period: grades, pyramids, load, soreness, injuries, goals, "
             "nutrition vs targets, plan adherence, week-over-week trends (basic analytics: "
             "the advanced figures are null and `withheld` says what Pro adds; `1y` is 403 "
             "tier_required)",
             query=PeriodQuery, response=ClimberAnalytics, tags=TAGS, errors=(403,)),
    Endpoint("GET", "/analytics/progress", progress,
             "One metric's series for a chart: weekly load, sessions or volume by week, max "
             "grade by week, or the grade pyramids (`1y`: advanced analytics, else 403 "
             "tier_required)",
             query=ProgressQuery, response=Progress, tags=TAGS, errors=(403,)),
    Endpoint("GET", "/analytics/trends", trends,
             "Week over week: the last 7 days against the 7 before (load, sessions, minutes, "
             "climbs, soreness, max grade); advanced analytics, else 403 tier_required",
             query=TrendsQuery, response=Trends, tags=TAGS, errors=(403,)),
]  # fmt: skip
