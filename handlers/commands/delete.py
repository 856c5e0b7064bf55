"""`/delete N`: delete entry N of the last `/history`, whatever its age.

Deleted only if it is still as it was read (a change landing in between is a conflict and it is
kept). Answers with a `saved` frame of kind "delete" naming what was deleted, and an undo token
that puts it back (`/undo`, for a day, like every write).
"""

from __future__ import annotations

from core.errors import Conflict
from grammar.edit import DELETE_USAGE, parse_delete
from handlers.commands.context import Turn
from handlers.commands.listing import gone, numbered
from handlers.undo import GONE, UndoAction
from store.errors import ConditionFailed, NotFound


async def run(turn: Turn, args: str) -> None:
    number = parse_delete(args)
    entry = await numbered(turn, number, DELETE_USAGE)
    repo = turn.repos.journal if entry.kind == "session" else turn.repos.sends
    try:
        await repo.delete(turn.user_id, entry.id, expected_version=entry.record.version)
    except ConditionFailed:
        raise Conflict(
            f"Entry {number} changed while you were deleting it, so it was kept. Try again."
        ) from None
    except NotFound:
        raise gone(number) from None
    item = {
        "deleted": entry.kind,
        "id": entry.id,
        "date": entry.day.isoformat(),
        "description": entry.line(),
    }
    action = UndoAction(
        "delete", entry.entity, entry.id, "restore", 0, entry.record.to_wire(), GONE
    )
    await turn.saved(action, item)
