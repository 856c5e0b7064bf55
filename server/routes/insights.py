"""`POST /chat/generate-insights` (the seed's name): a few insights computed from the climber's
own log (what changed, what to watch, one thing to try), the same as `/insights` in the chat.

Computed offline, in code: no model is called and no AI message is used; the call counts
against the REST rate limit like any other. "Today" is the caller's local date (their
profile's timezone, UTC without one), as in the chat.
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, ConfigDict

from coaching.analytics.common import Fact
from coaching.insights import Insight
from grammar.dates import local_today
from handlers.insights import climber_insights
from server.api import Call, Endpoint
from store.records.base import Record


class GenerateInsightsRequest(Record):
    """Nothing to choose yet: send `{}` or no body at all."""

    model_config = ConfigDict(extra="forbid")


class GeneratedInsights(Fact):
    insights: list[Insight]
    """What changed, what to watch, then one suggestion (2–4 in all)."""
    generated_at: AwareDatetime


async def generate(call: Call[Any]) -> GeneratedInsights:
    now = call.services.clock()
    today = local_today(now, call.user.timezone)
    found = await climber_insights(call.services.table, call.user, today)
    return GeneratedInsights(insights=found, generated_at=now)


endpoints = [
    Endpoint("POST", "/chat/generate-insights", generate,
             "A few insights computed from the climber's own log: what changed, what to watch "
             "(each with the facts it came from) and one thing to try. Computed offline: no "
             "model is called and it costs no AI message",
             body=GenerateInsightsRequest, response=GeneratedInsights, tags=("chat",)),
]  # fmt: skip
