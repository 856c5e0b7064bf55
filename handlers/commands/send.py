"""`/send`: one notable ascent (a benchmark send).

`/send V7 "Midnight Lightning" @Yosemite outdoor overhang attempts 12 breakthrough`: a grade
in any system, an optional "quoted name" (or the leftover words), `@location`, indoor/outdoor,
terrain (slab, vertical, overhang, roof, …), ascent style (onsight, flash, redpoint, repeat),
`attempts N`, significance (breakthrough, milestone), a date word, `notes: …`."""

from __future__ import annotations

from grammar.send import parse_send
from handlers.commands.context import Turn
from handlers.undo import UndoAction


async def run(turn: Turn, args: str) -> None:
    send_in = parse_send(args, turn.today)
    send = await turn.repos.sends.create(turn.user_id, send_in)
    await turn.saved(UndoAction("send", "send", send.id, "delete", send.version), send.to_wire())
