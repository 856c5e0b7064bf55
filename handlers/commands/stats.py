"""`/stats [30d|90d|1y]`: the climber's analytics for a period, as a reply (not an AI message).

The figures are computed in code (`coaching.analytics`); the reply's `data` carries the whole
`ClimberAnalytics` in wire form for clients that draw it.
"""

from __future__ import annotations

from coaching.analytics import Period, render_text
from context.reads import assemble
from grammar.stats import parse_period
from handlers.commands.context import Turn


async def run(turn: Turn, args: str) -> None:
    period = Period(parse_period(args))
    analytics = await assemble(
        turn.repos.table, turn.user_id, period, turn.today, turn.caller.timezone
    )
    await turn.reply(render_text(analytics), analytics.to_wire())
