"""The slash commands: the catalogue's commands (`grammar.catalogue`) with the function that
runs each.

`lookup(name)` finds a command by name or alias, case-insensitively. Every command's `run`
takes the `Turn` and the text after the command name, and raises `HandlerError`s (writing
nothing) for input it cannot use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from grammar.catalogue import CATALOGUE, CommandSpec, find
from handlers.commands import (
    delete,
    edit,
    goal,
    help,
    history,
    injury,
    insights,
    log,
    meal,
    nutrition,
    plan,
    profile,
    send,
    stats,
    undo,
)
from handlers.commands.context import Turn

Run = Callable[[Turn, str], Awaitable[None]]

RUNS: dict[str, Run] = {
    "log": log.run,
    "send": send.run,
    "goal": goal.run,
    "injury": injury.run,
    "meal": meal.run,
    "water": meal.run_water,
    "supplement": meal.run_supplement,
    "nutrition": nutrition.run,
    "profile": profile.run,
    "plan": plan.run,
    "undo": undo.run,
    "history": history.run,
    "edit": edit.run,
    "delete": delete.run,
    "stats": stats.run,
    "insights": insights.run,
    "help": help.run,
}


@dataclass(frozen=True)
class Command:
    spec: CommandSpec
    run: Run

    @property
    def name(self) -> str:
        return self.spec.name


COMMANDS: tuple[Command, ...] = tuple(Command(spec, RUNS[spec.name]) for spec in CATALOGUE)
_BY_SPEC = {command.spec.name: command for command in COMMANDS}


def lookup(name: str) -> Command | None:
    """The command called `name` (or an alias of it), case-insensitively; None if none."""
    spec = find(name)
    return None if spec is None else _BY_SPEC[spec.name]
