"""How long a climber has been logging, and so whether their numbers can be compared with a
baseline yet.

A load jump, the acute:chronic ratio (coupled and EWMA) and week-over-week load changes set
recent days against earlier ones. The days before a climber's first log are not rest days, they
are unknown: read as zero, they would tell a brand-new climber that one 2-hour session is a
300 % jump. So every such comparison waits until `BASELINE_DAYS` have passed since the first
logged session; until then the facts carry None (never 0, never a made-up percentage) and
`HistoryDepth.note` tells the climber what comes and when.
"""

from __future__ import annotations

from datetime import date, timedelta

from coaching.analytics.common import Fact
from core.text import day_and_month

BASELINE_DAYS = 21
"""Days from the first logged session to today before any "vs your baseline" comparison: three
weeks of logs, so at least three whole weeks stand behind the average a week is compared with."""


class HistoryDepth(Fact):
    """The climber's logged history as of `today`."""

    first_log: date | None
    """The date of the earliest session in the journal (of all time); None before any."""
    days: int
    """Whole days from `first_log` to today (0 on the day of the first log, and without one)."""
    enough_for_baseline: bool
    """At least `BASELINE_DAYS` of history: load jumps, ratios and trends may be compared."""
    baseline_ready_on: date | None
    """The first day comparisons are made (`first_log` + `BASELINE_DAYS`); None before any log."""
    note: str | None
    """Until comparisons start, what the coach will be able to tell and when; None after."""


def history_depth(first_log: date | None, today: date) -> HistoryDepth:
    """How deep the history starting `first_log` is on `today`. Pure."""
    if first_log is None:
        return HistoryDepth(
            first_log=None,
            days=0,
            enough_for_baseline=False,
            baseline_ready_on=None,
            note=(
                "Load comparisons start three weeks after your first logged session: then I can "
                "tell you how a week compares with your usual load."
            ),
        )
    days = max((today - first_log).days, 0)
    ready_on = first_log + timedelta(days=BASELINE_DAYS)
    enough = days >= BASELINE_DAYS
    note = None
    if not enough:
        note = (
            f"Load comparisons start on {day_and_month(ready_on)}, three weeks after your first "
            "log: then I can tell you how a week compares with your usual load."
        )
    return HistoryDepth(
        first_log=first_log,
        days=days,
        enough_for_baseline=enough,
        baseline_ready_on=ready_on,
        note=note,
    )
