"""Every slash command a climber can type: its name, aliases, what it does, its grammar and an
example. One list, read by the command registry (`handlers.commands`), `/help`, and the offline
coach when it explains the app.

`find(name)` looks a command up by name or alias, case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass

from grammar import goal, history, injury, log, meal, profile, send, stats


@dataclass(frozen=True)
class CommandSpec:
    name: str
    summary: str
    grammar: str
    example: str
    aliases: tuple[str, ...] = ()


CATALOGUE: tuple[CommandSpec, ...] = (
    CommandSpec("log", "log a session", log.GRAMMAR, log.USAGE, ("session", "l")),
    CommandSpec("send", "log a notable send", send.GRAMMAR, send.USAGE, ("sent", "tick")),
    CommandSpec("goal", "add, list or complete goals", goal.GRAMMAR, goal.USAGE, ("goals",)),
    CommandSpec(
        "injury",
        "record, list or close injuries",
        injury.GRAMMAR,
        injury.USAGE,
        ("injuries", "hurt"),
    ),
    CommandSpec("meal", "log a meal", meal.GRAMMAR, meal.USAGE, ("food", "eat", "ate")),
    CommandSpec("water", "log water", meal.WATER_GRAMMAR, meal.WATER_USAGE, ("drink",)),
    CommandSpec("profile", "show or set your profile", profile.GRAMMAR, profile.USAGE, ("me",)),
    CommandSpec(
        "undo",
        "undo a write",
        "/undo (your last write) · /undo TOKEN (the token of a saved entry)",
        "/undo",
    ),
    CommandSpec(
        "history", "recent sessions and sends", history.GRAMMAR, history.USAGE, ("recent",)
    ),
    CommandSpec(
        "stats",
        "your numbers: grades, load, body, goals",
        stats.GRAMMAR,
        stats.USAGE,
        ("statistics",),
    ),
    CommandSpec(
        "help", "every command, or one in detail", "/help · /help COMMAND", "/help log", ("h", "?")
    ),
)

_BY_NAME = {name: spec for spec in CATALOGUE for name in (spec.name, *spec.aliases)}


def find(name: str) -> CommandSpec | None:
    """The command called `name` (or an alias of it), case-insensitively; None if none."""
    return _BY_NAME.get(name.strip().lower())
