"""`/stats [30d|90d|1y]`: the climber's analytics for a period, as a reply (not an AI message).

The figures are computed in code (`context.analytics`); the reply's `data` carries the whole
`ClimberAnalytics` in wire form for clients that draw it.
"""

from __future__ import annotations

import re

from context.analytics import Period, assemble, render_text
from handlers.commands.context import Turn
from handlers.errors import InvalidEntry

USAGE = "/stats 30d"
GRAMMAR = "/stats (last 30 days) · /stats 30d | 90d | 1y"
_ALIASES = {
    "30": Period.DAYS_30,
    "30d": Period.DAYS_30,
    "30days": Period.DAYS_30,
    "month": Period.DAYS_30,
    "90": Period.DAYS_90,
    "90d": Period.DAYS_90,
    "90days": Period.DAYS_90,
    "1y": Period.YEAR,
    "1year": Period.YEAR,
    "year": Period.YEAR,
    "365d": Period.YEAR,
}


def parse_period(args: str) -> Period:
    """The period named by `args` (30 days when empty). Raises `InvalidEntry`."""
    text = re.sub(r"\s+", "", args.lower())
    if not text:
        return Period.DAYS_30
    period = _ALIASES.get(text)
    if period is None:
        raise InvalidEntry(f"/stats takes 30d, 90d or 1y — e.g. {USAGE}")
    return period


async def run(turn: Turn, args: str) -> None:
    period = parse_period(args)
    analytics = await assemble(turn.repos.table, turn.user_id, period, turn.today)
    await turn.reply(render_text(analytics), analytics.to_wire())
