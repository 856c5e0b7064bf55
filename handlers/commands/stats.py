"""`/stats [30d|90d|1y]`: the climber's analytics for a period, as a reply (not an AI message).

The figures are computed in code (`coaching.analytics`); the reply's `data` carries the
`ClimberAnalytics` the climber's tier shows (`handlers.analytics`) in wire form for clients
that draw it. `/stats 1y` on a tier without advanced analytics is refused with `tier_required`.
"""

from __future__ import annotations

from coaching.analytics import Period, render_text
from grammar.stats import parse_period
from handlers.analytics import analytics_for
from handlers.commands.context import Turn
from quotas.policy import load_policy


async def run(turn: Turn, args: str) -> None:
    period = Period(parse_period(args))
    policy = turn.policy or load_policy()
    analytics = await analytics_for(turn.repos.table, policy, turn.caller, period, turn.today)
    await turn.reply(render_text(analytics), analytics.to_wire())
