"""The climber's time zone: naming one, and reading instants in it.

A climber's zone is an IANA name (`Australia/Sydney`) or None while they have not set one;
None reads as UTC wherever a zone is needed, so every date and time still has one meaning.
Names are matched without regard to case and stored in IANA's own spelling; a chosen UTC is
stored as `Etc/UTC`, because a bare "UTC" in a stored user is the old default that nobody chose
(`store.repos.users` reads it as not set).
"""

from __future__ import annotations

import difflib
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

CHOSEN_UTC = "Etc/UTC"
"""How a climber's choice of UTC is stored."""

EXAMPLE = "Europe/Berlin"

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class UnknownZone(ValueError):
    """A name that is not an IANA time zone; the message suggests the nearest one, if any."""


@cache
def _names() -> dict[str, str]:
    """Every IANA zone name of the machine's tz database, by its lower-cased spelling."""
    return {name.lower(): name for name in available_timezones()}


def zone_named(text: str) -> str:
    """The IANA name `text` spells (any case, spaces for underscores), as stored:
    `australia/sydney` → `Australia/Sydney`, `America/New York` → `America/New_York`, `UTC` →
    `Etc/UTC`. Raises `UnknownZone` for anything else."""
    typed = text.strip()
    wanted = typed.replace(" ", "_")
    name = _names().get(wanted.lower()) or _loadable(wanted)
    if name is None:
        raise UnknownZone(_unknown(typed))
    return CHOSEN_UTC if name == "UTC" else name


def _loadable(name: str) -> str | None:
    """`name` if the zone database loads it although it is not listed (e.g. a `posix/` name a
    user was stored with before names were matched against the list), else None."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _unknown(text: str) -> str:
    guess = _nearest(text)
    hint = f" (did you mean {guess}?)" if guess else ""
    return (
        f"{text!r} is not a time zone I know{hint}; time zones are IANA names like "
        f"{EXAMPLE} or Australia/Sydney"
    )


def _nearest(text: str) -> str | None:
    """The zone a climber most likely meant: the one whose city is `text` ("berlin"), else the
    closest spelling."""
    lowered = text.lower().replace(" ", "_")
    names = _names()
    cities = [name for key, name in names.items() if key.rsplit("/", 1)[-1] == lowered]
    if len(cities) == 1:
        return cities[0]
    close = difflib.get_close_matches(lowered, list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


def zone_of(name: str | None) -> tzinfo:
    """The zone called `name`; UTC for None (not set) or a name the database does not have."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def label(name: str | None) -> str:
    """The zone as a climber reads it: its IANA name, or "UTC" for UTC and for not set."""
    return "UTC" if not name or name in ("UTC", CHOSEN_UTC) else name


def local_date(instant: datetime, name: str | None) -> date:
    """The calendar date at `instant` (timezone-aware) in the zone `name`."""
    return instant.astimezone(zone_of(name)).date()


def shown_at(instant: datetime, name: str | None) -> str:
    """`instant` as a climber in `name` reads it: "Mon 7 Dec, 11:00 (Australia/Sydney)".
    English names on purpose: the server's locale is not the climber's."""
    local = instant.astimezone(zone_of(name))
    day = f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"
    return f"{day}, {local:%H:%M} ({label(name)})"
