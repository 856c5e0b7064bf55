"""`/history [N|7d]`: the user's recent sessions and sends in one numbered list, newest first,
as a reply; the numbers are what `/edit N` and `/delete N` refer to (`handlers.commands.listing`
says how they stay meaningful).

`N` (1-50) is how many entries; `7d`/`2w`/`30 days` lists the window's entries (the newest 50
at most)."""

from __future__ import annotations

from grammar.history import MAX_COUNT, parse_history
from handlers.commands.context import Turn
from handlers.commands.listing import newest, remember, wire

NOTHING_YET = "Nothing logged yet. Try /log gym 90min sent V4"
NOTHING_IN_WINDOW = "Nothing logged in that window. /history shows your newest entries."
HOW_TO_CHANGE = "Change one with /edit N (e.g. /edit 1 rpe 8), delete one with /delete N."


async def run(turn: Turn, args: str) -> None:
    count, since = parse_history(args, turn.today)
    entries, more = await newest(turn, limit=count or MAX_COUNT, since=since)
    await remember(turn, entries)
    if not entries:
        await turn.reply(NOTHING_YET if since is None else NOTHING_IN_WINDOW, wire(entries))
        return
    lines = ["Your sessions and sends, newest first:"]
    lines += [f"{number}. {entry.line()}" for number, entry in enumerate(entries, start=1)]
    if more and since is not None:
        lines.append(f"(The newest {MAX_COUNT} of that window.)")
    lines.append(HOW_TO_CHANGE)
    await turn.reply("\n".join(lines), wire(entries))
