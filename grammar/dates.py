"""Date words as climbers type them, resolved against the climber's own calendar.

"today", "yesterday", ISO dates (2026-03-14), weekday names ("monday", "mon", "last monday"),
"3 days ago" / "2 weeks ago". Every function is pure: "today" is passed in, computed once per
turn from the injected clock and the user's timezone by `local_today`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from core.zones import local_date
from grammar.tokens import Cursor

WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UNITS = {"day": 1, "days": 1, "d": 1, "week": 7, "weeks": 7, "w": 7}
_AGO = re.compile(r"^(\d{1,3})(d|w)$")


class DateError(ValueError):
    """A date word that cannot be a date (e.g. 2026-02-30)."""


def local_today(now: datetime, timezone: str | None) -> date:
    """The calendar date at instant `now` in `timezone` (an IANA name; UTC when not set or
    unknown)."""
    return local_date(now, timezone)


def parse_iso(text: str) -> date | None:
    """`YYYY-MM-DD` as a date, None when `text` is not shaped like one.

    Raises `DateError` for the right shape but an impossible day.
    """
    match = _ISO.match(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise DateError(f"{text} is not a calendar date; write it like 2026-03-14") from None


def take_date(cursor: Cursor, today: date) -> date | None:
    """If the cursor is at a date phrase, take it and return the date it names; else None.

    A bare weekday is the most recent such day, today included; "last monday" is the most recent
    one before today. Raises `DateError` for an impossible ISO date.
    """
    word = cursor.word()
    if word == "today":
        cursor.take()
        return today
    if word == "yesterday":
        cursor.take()
        return today - timedelta(days=1)
    if word in ("last", "on") and cursor.word(1) in WEEKDAYS:
        strictly_before = word == "last"
        cursor.take(2)
        return _weekday(today, WEEKDAYS[cursor.tokens[cursor.pos - 1].word], strictly_before)
    if word in WEEKDAYS:
        cursor.take()
        return _weekday(today, WEEKDAYS[word], strictly_before=False)
    iso = parse_iso(word)
    if iso is not None:
        cursor.take()
        return iso
    return _take_ago(cursor, today)


def _take_ago(cursor: Cursor, today: date) -> date | None:
    # "3 days ago", "2 weeks ago", "3d ago"
    first, second, third = cursor.words(3) + [""] * (3 - len(cursor.words(3)))
    if first.isdigit() and second in _UNITS and third == "ago":
        cursor.take(3)
        return today - timedelta(days=int(first) * _UNITS[second])
    short = _AGO.match(first)
    if short is not None and second == "ago":
        cursor.take(2)
        return today - timedelta(days=int(short[1]) * _UNITS[short[2]])
    return None


def _weekday(today: date, weekday: int, strictly_before: bool) -> date:
    back = (today.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return today - timedelta(days=back)
