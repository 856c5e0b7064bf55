"""Small matchers shared by the commands: "keyword number" pairs and validation messages."""

from __future__ import annotations

import re

from pydantic import ValidationError

from core.errors import InvalidEntry
from core.text import sentence
from core.validation import one_line, problems
from grammar.tokens import Cursor

_NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?)(?:/10)?$")


def number(text: str) -> int | float | None:
    """The number `text` writes ("7", "7.5", "7,5", "7/10"), None if it writes none."""
    match = _NUMBER.match(text)
    return None if match is None else whole(float(match[1].replace(",", ".")))


def whole(value: float) -> int | float:
    """`value` as an int when it is a whole number: records take integers strictly, so a
    climber's "energy 7" must reach them as 7, not 7.0 (a float field takes either)."""
    return int(value) if value.is_integer() else value


def take_keyword_number(
    cursor: Cursor, names: dict[str, str], *, example: str
) -> tuple[str, int | float] | None:
    """At "rpe 7", "rpe7", "rpe:7" or "rpe 7/10" (any alias in `names`, mapped to its field),
    take it and return (field, value); else None. A keyword without a number raises
    `InvalidEntry` naming `example`."""
    word = cursor.word()
    for alias, field in names.items():
        if not word.startswith(alias):
            continue
        rest = word[len(alias) :].lstrip(":=")
        if rest:
            value = number(rest)
            if value is None:
                continue
            cursor.take()
            return field, value
        cursor.take()
        following = cursor.word()
        value = number(following.lstrip(":=")) if following else None
        if value is None:
            raise InvalidEntry(f"'{alias}' needs a number, e.g. {example}")
        cursor.take()
        return field, value
    return None


def in_range(name: str, value: float, low: float, high: float, example: str) -> float:
    if not low <= value <= high:
        raise InvalidEntry(f"{sentence(name)} must be {low:g} to {high:g}, e.g. {example}")
    return value


def invalid(error: ValidationError, usage: str) -> InvalidEntry:
    """A pydantic error as one readable line, followed by the command's usage example."""
    return InvalidEntry(f"{one_line(problems(error, whole='entry'))} — e.g. {usage}")
