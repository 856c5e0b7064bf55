"""Plan adherence: planned against logged, by weekday and by type."""

from __future__ import annotations

from datetime import date

from coaching.analytics import Period, Window, compute, render_text
from tests.coaching.builders import TODAY, inputs, plan, session

WINDOW = Window(Period.DAYS_30, TODAY)
DAYS = {
    "tuesday": {"type": "climb", "duration": 120, "intensity": "high"},
    "thursday": {"type": "hangboard", "duration": 45},
    "saturday": {"type": "climb", "duration": 180},
}


def test_planned_against_logged() -> None:
    # Two weeks of plan: Tue 3, Thu 5, Sat 7, Tue 10, Thu 12, Sat 14 March.
    entries = [
        session(date(2026, 3, 3), 110),  # Tue: climbed, as planned
        session(date(2026, 3, 5), 60, sessionType="board"),  # Thu: trained, not as planned
        session(date(2026, 3, 7), 200, sessionType="outdoor", type="outdoor"),  # Sat
        session(date(2026, 3, 8), 60),  # Sunday is a rest day in the plan: extra
        session(date(2026, 3, 12), 40, sessionType="hangboard"),  # Thu, as planned
    ]
    analytics = compute(inputs(entries, plans=[plan(date(2026, 3, 2), DAYS)]), WINDOW)
    facts = analytics.adherence
    assert facts is not None
    assert (facts.start, facts.end) == (date(2026, 3, 2), date(2026, 3, 14))
    assert (facts.planned_days, facts.done_days, facts.as_planned_days) == (6, 4, 3)
    assert (facts.percent, facts.as_planned_percent) == (67, 50)
    assert (facts.planned_minutes, facts.logged_minutes) == (690, 410)
    assert facts.extra_sessions == 1
    by_day = {row.key: (row.planned, row.done, row.as_planned) for row in facts.by_weekday}
    assert by_day == {"tuesday": (2, 1, 1), "thursday": (2, 2, 1), "saturday": (2, 1, 1)}
    by_type = {row.key: (row.planned, row.done, row.as_planned) for row in facts.by_type}
    assert by_type == {"climb": (4, 2, 2), "hangboard": (2, 2, 1)}
    assert "4 of 6 planned days trained (67 %), 3 as planned; 1 session on rest days" in (
        render_text(analytics)
    )


def test_today_counts_once_something_is_logged_today() -> None:
    days = {"sunday": {"type": "climb", "duration": 60}}
    block = plan(date(2026, 3, 9), days)
    before = compute(inputs(plans=[block]), WINDOW).adherence
    assert before is not None
    assert before.planned_days == 0  # Sunday 15th is today, not yet a miss
    after = compute(inputs([session(TODAY)], plans=[block]), WINDOW).adherence
    assert after is not None
    assert (after.planned_days, after.done_days) == (1, 1)


def test_no_active_plan() -> None:
    finished = plan(date(2026, 1, 1), DAYS, active=False)
    ended = plan(date(2025, 1, 1), DAYS, endDate=date(2025, 3, 1))
    assert compute(inputs(plans=[finished, ended]), WINDOW).adherence is None
