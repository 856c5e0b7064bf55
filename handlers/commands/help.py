"""`/help [command]`: every command on one line each, or one command in detail (its grammar,
an example and its aliases)."""

from __future__ import annotations

from core.errors import UnknownCommand
from grammar.catalogue import CATALOGUE, CommandSpec, find, unknown_command
from handlers.commands.context import Turn

CLOSING = "Type /help log for the details of one."


def short_list() -> str:
    """One line per command ("/log — log a session"), then how to see one in detail."""
    lines = [f"/{command.name} — {command.summary}" for command in CATALOGUE]
    return "\n".join(
        ["Commands (case does not matter; words may come in any order):", *lines, CLOSING]
    )


def details(command: CommandSpec) -> str:
    """The command's summary, grammar, an example and its aliases."""
    text = f"/{command.name} — {command.summary}\n{command.grammar}\nExample: {command.example}"
    if command.aliases:
        text += "\nAlso: " + ", ".join(f"/{alias}" for alias in command.aliases)
    return text


async def run(turn: Turn, args: str) -> None:
    name = args.strip().lstrip("/")
    if not name:
        await turn.reply(short_list(), {"commands": [command.name for command in CATALOGUE]})
        return
    command = find(name)
    if command is None:
        raise UnknownCommand(unknown_command(name))
    await turn.reply(details(command), {"commands": [command.name]})
