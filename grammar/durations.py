"""Durations as climbers type them, in whole minutes.

Same 90 minutes: "90min", "90m", "90 mins", "1h30", "1h30m", "1h 30m", "1.5h", "1.5 hours",
"1:30", "90" (a bare number is minutes). "2 hours", "2h", "2hrs" are 120. Pure functions.
"""

from __future__ import annotations

import re

from grammar.tokens import Cursor

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_HOURS = r"(?:h|hr|hrs|hour|hours)"
_MINUTES = r"(?:m|min|mins|minute|minutes)"
_GLUED_MINUTES = re.compile(rf"^{_NUMBER}{_MINUTES}$")
_GLUED_HOURS = re.compile(rf"^{_NUMBER}{_HOURS}$")
_HOURS_MINUTES = re.compile(rf"^(\d+){_HOURS}(\d{{1,2}}){_MINUTES}?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_BARE = re.compile(rf"^{_NUMBER}$")
_MINUTE_WORD = re.compile(rf"^{_MINUTES}$")
_HOUR_WORD = re.compile(rf"^{_HOURS}$")

MAX_MINUTES = 24 * 60
_NOT_MINUTES = frozenset({"day", "days", "week", "weeks", "d", "w", "attempts", "x"})


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _one(word: str) -> float | None:
    """Minutes of a single self-contained word ("90min", "1h30", "1.5h", "1:30"), else None."""
    if match := _GLUED_MINUTES.match(word):
        return _number(match[1])
    if match := _HOURS_MINUTES.match(word):
        return int(match[1]) * 60 + int(match[2])
    if match := _GLUED_HOURS.match(word):
        return _number(match[1]) * 60
    if match := _CLOCK.match(word):
        return int(match[1]) * 60 + int(match[2])
    return None


def take_duration(cursor: Cursor, *, bare_minutes: bool = True) -> int | None:
    """If the cursor is at a duration, take it and return whole minutes (rounded); else None.

    Understands one word ("90min", "1h30", "1.5h", "1:30"), a number and a unit ("90 min",
    "2 hours"), hours then minutes ("1h 30m", "1h 30", "1 hour 30 minutes"), and, when
    `bare_minutes`, a bare number ("45") as minutes.
    """
    words = cursor.words(4) + [""] * 4
    first = words[0]
    minutes = _one(first)
    used = 1
    if minutes is None and _BARE.match(first):
        if _MINUTE_WORD.match(words[1]):
            minutes, used = _number(first), 2
        elif _HOUR_WORD.match(words[1]):
            minutes, used = _number(first) * 60, 2
        elif bare_minutes:
            minutes = _number(first)
    if minutes is None:
        return None
    if (used == 2 and _HOUR_WORD.match(words[1])) or _GLUED_HOURS.match(first):
        # "1h 30m", "1h 30", "1 hour 30 minutes": the minutes that follow whole hours.
        rest = words[used : used + 2]
        extra = _GLUED_MINUTES.match(rest[0])
        if extra is not None:
            minutes, used = minutes + _number(extra[1]), used + 1
        elif rest[0].isdigit() and int(rest[0]) < 60 and rest[1] not in _NOT_MINUTES:
            minutes, used = minutes + int(rest[0]), used + 1
            if _MINUTE_WORD.match(rest[1]):
                used += 1
    cursor.take(used)
    return round(minutes)
