"""The slash commands: names, aliases, grammar and examples, and the function that runs each.

`lookup(name)` finds a command by name or alias, case-insensitively. Every command's `run`
takes the `Turn` and the text after the command name, and raises `HandlerError`s (writing
nothing) for input it cannot use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.commands import goal, help, history, injury, log, meal, profile, send, stats, undo
from handlers.commands.context import Turn


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    grammar: str
    example: str
    run: Callable[[Turn, str], Awaitable[None]]
    aliases: tuple[str, ...] = ()


COMMANDS: tuple[Command, ...] = (
    Command("log", "log a session", log.GRAMMAR, log.USAGE, log.run, ("session", "l")),
    Command("send", "log a notable send", send.GRAMMAR, send.USAGE, send.run, ("sent", "tick")),
    Command("goal", "add, list or complete goals", goal.GRAMMAR, goal.USAGE, goal.run, ("goals",)),
    Command(
        "injury",
        "record, list or close injuries",
        injury.GRAMMAR,
        injury.USAGE,
        injury.run,
        ("injuries", "hurt"),
    ),
    Command("meal", "log a meal", meal.GRAMMAR, meal.USAGE, meal.run, ("food", "eat", "ate")),
    Command("water", "log water", meal.WATER_GRAMMAR, meal.WATER_USAGE, meal.run_water, ("drink",)),
    Command(
        "profile", "show or set your profile", profile.GRAMMAR, profile.USAGE, profile.run, ("me",)
    ),
    Command("undo", "undo a write", undo.GRAMMAR, undo.USAGE, undo.run),
    Command(
        "history",
        "recent sessions and sends",
        history.GRAMMAR,
        history.USAGE,
        history.run,
        ("recent",),
    ),
    Command(
        "stats",
        "your numbers: grades, load, body, goals",
        stats.GRAMMAR,
        stats.USAGE,
        stats.run,
        ("statistics",),
    ),
    Command(
        "help", "every command, or one in detail", help.GRAMMAR, help.USAGE, help.run, ("h", "?")
    ),
)

_BY_NAME = {name: command for command in COMMANDS for name in (command.name, *command.aliases)}


def lookup(name: str) -> Command | None:
    """The command called `name` (or an alias of it), case-insensitively; None if none."""
    return _BY_NAME.get(name.strip().lower())
