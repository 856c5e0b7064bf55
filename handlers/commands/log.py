"""`/log`: a climbing session, written as a journal entry.

Order-free words, case-insensitive: a session type (gym/indoor, outdoor/crag, board,
hangboard, training, rest), a duration ("90min", "1h30", "1.5h"), a date word, `@location`,
`sent`/`tried` then grades, `rpe N`, `energy N`, soreness by body part (`fingers 3`),
`injury …`, `focus …`, `mental …`/`felt …`, and `notes: …` (the rest of the line, verbatim)."""

from __future__ import annotations

from grammar.log import parse_log
from handlers.commands.context import Turn
from handlers.undo import UndoAction


async def run(turn: Turn, args: str) -> None:
    entry_in = parse_log(args, turn.today)
    entry = await turn.repos.journal.create(turn.user_id, entry_in)
    await turn.saved(
        UndoAction("session", "journal", entry.id, "delete", entry.version), entry.to_wire()
    )
