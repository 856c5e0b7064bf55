"""Every slash command a climber can type: its name, aliases, what it does, its grammar and an
example. One list, read by the command registry (`handlers.commands`), `/help`, and the offline
coach when it explains the app.

`find(name)` looks a command up by name or alias, case-insensitively; `suggest(name)` finds the
one a mistyped name most likely meant; `unknown_command(name)` is what a climber reads for a
command that does not exist (from the chat and from `/help NAME`).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from grammar import (
    edit,
    goal,
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
)


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
    CommandSpec(
        "supplement",
        "log a supplement",
        nutrition.SUPPLEMENT_GRAMMAR,
        nutrition.SUPPLEMENT_USAGE,
        ("supp", "supplements"),
    ),
    CommandSpec(
        "nutrition",
        "see your daily targets and today's intake, or set what they're computed from",
        nutrition.GRAMMAR,
        nutrition.USAGE,
        ("fuel", "targets", "diet"),
    ),
    CommandSpec("profile", "show or set your profile", profile.GRAMMAR, profile.USAGE, ("me",)),
    CommandSpec(
        "plan",
        "your training plan: this week, a new plan, today's session done",
        plan.GRAMMAR,
        plan.EXAMPLE,
        ("training", "plans"),
    ),
    CommandSpec(
        "history",
        "your recent sessions and sends, numbered",
        history.GRAMMAR,
        history.USAGE,
        ("recent",),
    ),
    CommandSpec(
        "edit",
        "change an entry /history numbered",
        edit.EDIT_GRAMMAR,
        edit.EDIT_USAGE,
        ("change", "fix"),
    ),
    CommandSpec(
        "delete",
        "delete an entry /history numbered",
        edit.DELETE_GRAMMAR,
        edit.DELETE_USAGE,
        ("remove", "del"),
    ),
    CommandSpec(
        "undo",
        "undo a write",
        "/undo (your last write) · /undo TOKEN (the token of a saved entry)",
        "/undo",
    ),
    CommandSpec(
        "stats",
        "your numbers: grades, load, body, goals",
        stats.GRAMMAR,
        stats.USAGE,
        ("statistics",),
    ),
    CommandSpec(
        "insights",
        "what changed, what to watch, one thing to try",
        insights.GRAMMAR,
        insights.USAGE,
        ("insight",),
    ),
    CommandSpec(
        "help", "every command, or one in detail", "/help · /help COMMAND", "/help log", ("h", "?")
    ),
)

_BY_NAME = {name: spec for spec in CATALOGUE for name in (spec.name, *spec.aliases)}

SIMILAR_ENOUGH = 0.6
"""How alike a typed name and a command must be (difflib's ratio, 0-1) to suggest it: "lgo" and
"log" are 0.67, "histroy" and "history" 0.86, "dance" and any command under 0.5."""

SHOWN_NAME = 24
"""How much of an unknown name a message repeats (a pasted paragraph is not a command name)."""


def find(name: str) -> CommandSpec | None:
    """The command called `name` (or an alias of it), case-insensitively; None if none."""
    return _BY_NAME.get(name.strip().lower())


def suggest(name: str) -> str | None:
    """The command name or alias (3 letters or more) a mistyped `name` most likely meant, or
    None when none is similar enough. Ties go to a word with the same first letter, then to a
    command's own name over an alias, then to the catalogue's order."""
    typed = name.strip().lower()
    if not typed:
        return None
    best: tuple[float, bool, bool] | None = None
    chosen = None
    for spec in CATALOGUE:
        for word in (spec.name, *spec.aliases):
            if len(word) < 3:
                continue
            ratio = SequenceMatcher(None, typed, word).ratio()
            if ratio < SIMILAR_ENOUGH:
                continue
            rank = (ratio, word[0] == typed[0], word == spec.name)
            if best is None or rank > best:
                best, chosen = rank, word
    return chosen


def command_list() -> str:
    """Every command's name: "/log, /send, …, /help"."""
    return ", ".join(f"/{spec.name}" for spec in CATALOGUE)


def unknown_command(name: str) -> str:
    """What a climber reads for `/name` when no command has that name: "There's no /lgo. Did
    you mean /log?", or the commands when nothing is close."""
    shown = name.strip()
    if not shown:
        return (
            f"Type a command after the /, e.g. /log gym 90min. The commands are {command_list()}."
        )
    if len(shown) > SHOWN_NAME:
        shown = shown[: SHOWN_NAME - 1] + "…"
    guess = suggest(name)
    if guess is not None:
        return f"There's no /{shown}. Did you mean /{guess}?"
    return f"There's no /{shown}. The commands are {command_list()} — /help says what each does."
