"""`/help [command]`: every command with its grammar and an example, or one in detail."""

from __future__ import annotations

from core.errors import UnknownCommand
from grammar.catalogue import CATALOGUE, find
from handlers.commands.context import Turn


async def run(turn: Turn, args: str) -> None:
    name = args.strip().lstrip("/")
    if name:
        command = find(name)
        if command is None:
            names = ", ".join(f"/{c.name}" for c in CATALOGUE)
            raise UnknownCommand(f"there is no /{name}; the commands are {names}")
        aliases = ", ".join(f"/{a}" for a in command.aliases)
        text = f"/{command.name} — {command.summary}\n{command.grammar}\ne.g. {command.example}"
        if aliases:
            text += f"\n(also {aliases})"
        await turn.reply(text, {"commands": [command.name]})
        return
    blocks = [
        f"/{command.name} — {command.summary}\n  {command.grammar}\n  e.g. {command.example}"
        for command in CATALOGUE
    ]
    text = "Commands (case does not matter; words may come in any order):\n" + "\n".join(blocks)
    await turn.reply(text, {"commands": [command.name for command in CATALOGUE]})
