"""`/help [command]`: every command with its grammar and an example, or one in detail."""

from __future__ import annotations

from handlers.commands.context import Turn
from handlers.commands.errors import UnknownCommand

USAGE = "/help log"
GRAMMAR = "/help · /help COMMAND"


async def run(turn: Turn, args: str) -> None:
    # Imported here: the registry imports this module.
    from handlers.commands import COMMANDS, lookup

    name = args.strip().lstrip("/")
    if name:
        command = lookup(name)
        if command is None:
            names = ", ".join(f"/{c.name}" for c in COMMANDS)
            raise UnknownCommand(f"there is no /{name}; the commands are {names}")
        aliases = ", ".join(f"/{a}" for a in command.aliases)
        text = f"/{command.name} — {command.summary}\n{command.grammar}\ne.g. {command.example}"
        if aliases:
            text += f"\n(also {aliases})"
        await turn.reply(text, {"commands": [command.name]})
        return
    blocks = [
        f"/{command.name} — {command.summary}\n  {command.grammar}\n  e.g. {command.example}"
        for command in COMMANDS
    ]
    text = "Commands (case does not matter; words may come in any order):\n" + "\n".join(blocks)
    await turn.reply(text, {"commands": [command.name for command in COMMANDS]})
