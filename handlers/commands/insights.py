"""`/insights`: what changed, what to watch and one thing to try, computed from the climber's
own log (`coaching.insights`), as a `reply` whose `data.insights` carries them in wire form.
A read, like `/stats`: it writes nothing and costs no AI message."""

from __future__ import annotations

from coaching.insights import render
from grammar.insights import parse_insights
from handlers.commands.context import Turn
from handlers.insights import climber_insights


async def run(turn: Turn, args: str) -> None:
    parse_insights(args)
    found = await climber_insights(turn.repos.table, turn.caller, turn.today)
    await turn.reply(render(found), {"insights": [insight.to_wire() for insight in found]})
