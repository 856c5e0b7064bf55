"""Dates as logbooks write them: ISO (2026-03-14, with or without a time), slashed
(14/03/2026 or 03/14/2026) and dotted European (14.03.2026).

Which of day and month comes first in slashed dates is decided once per file, never per row:
a date with a first number over 12 means day first, one with a second number over 12 means
month first; when no date decides, the format's documented convention does (Mountain Project
and KAYA: month first; 8a.nu and theCrag: day first). A file whose dates contradict each other
has the rows against the decided order refused. Dotted dates are always day first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:[ T].*)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T].*)?$")

DAY_FIRST = "d/m/y"
MONTH_FIRST = "m/d/y"


def slashed_order(texts: Iterable[str], default: str) -> str:
    """The order of day and month in this file's slashed dates (see the module doc)."""
    for text in texts:
        found = _SLASHED.match(text.strip())
        if found is None:
            continue
        first, second = int(found.group(1)), int(found.group(2))
        if first > 12 >= second:
            return DAY_FIRST
        if second > 12 >= first:
            return MONTH_FIRST
    return default


def parse_date(text: str, order: str) -> date:
    """The date `text` names, slashed dates read in `order`. Raises `ValueError` with a
    message a climber understands."""
    value = text.strip()
    if not value:
        raise ValueError("the date is missing")
    try:
        if found := _ISO.match(value):
            year, month, day = (int(part) for part in found.groups())
        elif found := _DOTTED.match(value):
            day, month, year = (int(part) for part in found.groups())
        elif found := _SLASHED.match(value):
            first, second, year = (int(part) for part in found.groups())
            year = year + 2000 if year < 100 else year
            day, month = (first, second) if order == DAY_FIRST else (second, first)
        else:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        reading = "day/month/year" if order == DAY_FIRST else "month/day/year"
        raise ValueError(
            f"{value!r} is not a date (expected 2026-03-14, 14.03.2026 or {reading})"
        ) from None


def start_of(day: date) -> datetime:
    """Midnight UTC of `day`: the instant an imported record is stamped as logged."""
    from datetime import UTC

    return datetime(day.year, day.month, day.day, tzinfo=UTC)
