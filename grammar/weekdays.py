"""A list of weekdays as climbers type it: `mon wed fri sat`, `mon, wed, fri`, `Tuesday
Thursday`, `weekdays`, `weekend`, or `none` (no days said).

Used for the training days of `/profile days …` and of a custom `/plan new … days …`. Pure.
"""

from __future__ import annotations

from core.errors import InvalidEntry
from grammar.dates import WEEKDAYS
from grammar.tokens import Cursor
from store.records.common import WEEKDAY_NAMES

GROUPS = {
    "weekdays": (0, 1, 2, 3, 4),
    "weekend": (5, 6),
    "weekends": (5, 6),
    "everyday": (0, 1, 2, 3, 4, 5, 6),
    "daily": (0, 1, 2, 3, 4, 5, 6),
}
NONE = frozenset({"none", "clear", "-"})
"""Words that say "no days" (clears the profile's days)."""


def _parts(word: str) -> list[str]:
    return [part for part in word.replace("/", ",").split(",") if part]


def is_weekday_word(word: str) -> bool:
    """Whether `word` (lower-cased) is a weekday, a group of days, or several joined by commas."""
    parts = _parts(word)
    return bool(parts) and all(part in WEEKDAYS or part in GROUPS for part in parts)


def take_weekdays(cursor: Cursor, *, example: str) -> list[str]:
    """The weekdays at the cursor (taken), as full names in week order, each once; `[]` for
    `none`. Raises `InvalidEntry` naming `example` when no weekday follows."""
    if cursor.word() in NONE:
        cursor.take()
        return []
    days: set[int] = set()
    while not cursor.done and is_weekday_word(cursor.word()):
        for part in _parts(cursor.take()[0].word):
            days.update(GROUPS[part] if part in GROUPS else (WEEKDAYS[part],))
    if not days:
        shown = cursor.peek()
        what = f"{shown.text!r} is not a weekday" if shown else "the days are missing"
        raise InvalidEntry(f"Training days: {what}; list them like mon wed fri — e.g. {example}")
    return [WEEKDAY_NAMES[day] for day in sorted(days)]
