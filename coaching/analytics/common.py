"""What every analytics module shares: periods, ISO weeks, display rounding, the model base.

Every figure is computed from unrounded values and rounded once, on output, half away from
zero (so 2,632.5 stays 2,632.5 and 0.125 shows as 0.13, never banker's rounding).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from core.zones import local_date
from store.records.base import Wire


class Period(StrEnum):
    """The windows `/stats` and `/analytics/*?period=` accept."""

    DAYS_30 = "30d"
    DAYS_90 = "90d"
    YEAR = "1y"

    @property
    def days(self) -> int:
        return {Period.DAYS_30: 30, Period.DAYS_90: 90, Period.YEAR: 365}[self]


class Fact(Wire):
    """Base of every analytics model: camelCase on the wire (REST and `reply.data`)."""


def rounded(value: float, places: int = 0) -> float:
    """`value` rounded half away from zero to `places` decimals (display rounding)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def shown(value: float, places: int = 0) -> str:
    """`value` as a climber reads it: rounded half up like every stored figure (`rounded`),
    thousands separated. One rule, so a number reads the same in a sentence and in the facts."""
    return f"{rounded(value, places):,.{places}f}"


def monday(day: date) -> date:
    """The Monday starting `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def days(start: date, end: date) -> Iterator[date]:
    """Every day from `start` to `end`, inclusive."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


@dataclass(frozen=True)
class Window:
    """The period asked for, ending `today` (inclusive), and the ISO weeks that cover it.

    `first_week` is the Monday of the week holding `start`: weekly series cover whole weeks so
    the first bar of a chart is not a stub; the current week runs to `today` only. `zone` is the
    climber's time zone (None: UTC), the calendar `today` and every day here belong to.
    """

    period: Period
    today: date
    zone: str | None = None

    def day_of(self, instant: datetime) -> date:
        """The climber's calendar date at `instant` (e.g. the day a goal was set)."""
        return local_date(instant, self.zone)

    @property
    def start(self) -> date:
        return self.today - timedelta(days=self.period.days - 1)

    @property
    def first_week(self) -> date:
        return monday(self.start)

    def weeks(self) -> list[date]:
        """The Mondays of every week from `first_week` to the current week, oldest first."""
        count = (monday(self.today) - self.first_week).days // 7 + 1
        return [self.first_week + timedelta(weeks=index) for index in range(count)]

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.today


def percent_change(now: float, before: float) -> float | None:
    """The change from `before` to `now` in percent (1 decimal); None when `before` is 0."""
    if before == 0:
        return None
    return rounded((now - before) / before * 100, 1)
