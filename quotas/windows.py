"""Quota windows: UTC calendar months (AI messages) and ISO weeks (journal entries).

A window is named by a key (`2026-11`, `2026-W01`) and resets at its first instant: `resets_at`
is the first instant of the next window, UTC. Pure functions of an explicit instant, so the
boundaries are testable without a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


@dataclass(frozen=True)
class Window:
    """One window: `key` names it in Redis keys and the ledger; `start` ≤ t < `resets_at`."""

    key: str
    start: datetime
    resets_at: datetime

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        """The last calendar day inside the window (inclusive)."""
        return (self.resets_at - timedelta(days=1)).date()


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(UTC)


def month_window(instant: datetime) -> Window:
    """The UTC calendar month containing `instant` (aware; raises `ValueError` if naive)."""
    t = _utc(instant)
    start = datetime(t.year, t.month, 1, tzinfo=UTC)
    if t.month == 12:
        resets_at = datetime(t.year + 1, 1, 1, tzinfo=UTC)
    else:
        resets_at = start.replace(month=t.month + 1)
    return Window(f"{t:%Y-%m}", start, resets_at)


def iso_week_window(instant: datetime) -> Window:
    """The ISO week (Monday 00:00 UTC to the next Monday) containing `instant`; its key uses the
    ISO week-numbering year, so 2025-12-29 is `2026-W01` and 2027-01-01 is `2026-W53`."""
    t = _utc(instant)
    day = t.date()
    iso = day.isocalendar()
    monday = day - timedelta(days=iso.weekday - 1)
    start = datetime.combine(monday, time(), tzinfo=UTC)
    return Window(f"{iso.year}-W{iso.week:02d}", start, start + timedelta(days=7))
