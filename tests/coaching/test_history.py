"""Baselines that respect history length, and 7-day windows that include today (issue 13).

A new climber is never told their load jumped: comparisons with a baseline wait three weeks
from the first logged session, and until then the coach says when they start.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from coaching.analytics import Period, Window, compute, render_text
from coaching.analytics.history import BASELINE_DAYS, history_depth
from tests.coaching.builders import TODAY, inputs, session

SIGN_UP = date(2026, 12, 3)
"""A brand-new climber's first day."""
YEAR_AGO = TODAY - timedelta(days=365)


def test_a_new_climbers_first_session_is_no_load_jump() -> None:
    """One 2-hour session at RPE 7 on the day they signed up: the 4 weeks before are unknown,
    not rest, so no ratio, no percentage, no EWMA; the coach says when comparisons start."""
    first = session(SIGN_UP, 120, 7)
    analytics = compute(inputs([first]), Window(Period.DAYS_30, SIGN_UP))
    history = analytics.history
    assert (history.first_log, history.days, history.enough_for_baseline) == (SIGN_UP, 0, False)
    assert history.baseline_ready_on == date(2026, 12, 24)
    jump = analytics.load.jump
    assert (jump.ratio, jump.change_percent, jump.band, jump.ewma_ratio) == (None,) * 4
    assert jump.acute == 840  # this week's load is a fact, not a comparison
    assert jump.summary == (
        "Load comparisons start on 24 December, three weeks after your first log: then I can "
        "tell you how a week compares with your usual load."
    )
    assert analytics.trends.comparable is False
    assert analytics.trends.load.this_week == 840
    assert (analytics.trends.load.last_week, analytics.trends.load.change) == (None, None)
    assert analytics.trends.load.change_percent is None
    text = render_text(analytics)
    assert "Load, last 7 days: 840 AU" in text
    assert "Load comparisons start on 24 December, three weeks after your first log" in text
    for claim in ("%", "jump", "acute:chronic", "EWMA", "baseline"):
        assert claim not in text, claim


def test_the_day_before_three_weeks_still_waits_and_the_day_itself_compares() -> None:
    entries = [session(SIGN_UP, 120, 7), session(SIGN_UP + timedelta(days=18), 120, 7)]
    day_20 = compute(inputs(entries), Window(Period.DAYS_30, SIGN_UP + timedelta(days=20)))
    assert day_20.history.days == 20
    assert day_20.load.jump.ratio is None
    assert "Load comparisons start on 24 December" in render_text(day_20)
    day_21 = compute(inputs(entries), Window(Period.DAYS_30, date(2026, 12, 24)))
    assert day_21.history.days == BASELINE_DAYS
    assert day_21.history.enough_for_baseline
    assert day_21.history.note is None
    # 1,680 AU over 22 days logged is 534.5 AU a week; 840 this week is 1.57 of that.
    assert day_21.load.jump.chronic == 534.5
    assert day_21.load.jump.ratio == 1.57
    assert day_21.load.jump.summary.startswith("your load jumped 57 % over your 3-week baseline")
    assert "Load comparisons start" not in render_text(day_21)


def test_logs_older_than_the_window_read_count_as_history() -> None:
    """The 30-day read holds one session, but the journal's first session is a year old: the
    climber has history, so their week is compared (the earlier weeks were rest)."""
    data = replace(inputs([session(TODAY - timedelta(days=2), 120, 7)]), first_log=YEAR_AGO)
    seasoned = compute(data, Window(Period.DAYS_30, TODAY))
    assert seasoned.history.enough_for_baseline
    assert seasoned.load.baseline_days == 28
    assert seasoned.load.jump.chronic == 210  # 840 AU over 4 weeks
    assert seasoned.load.jump.ratio == 4.0
    assert seasoned.trends.comparable
    assert (seasoned.trends.load.last_week, seasoned.trends.load.change) == (0, 840)


def test_nothing_logged_says_comparisons_start_three_weeks_after_the_first_log() -> None:
    analytics = compute(inputs(), Window(Period.DAYS_30, TODAY))
    assert analytics.history.first_log is None
    assert analytics.history.baseline_ready_on is None
    assert analytics.load.jump.ratio is None
    assert "three weeks after your first logged session" in analytics.load.jump.summary


@pytest.mark.parametrize(
    ("first", "today", "ready", "words"),
    [
        (date(2026, 12, 3), date(2026, 12, 3), False, "24 December"),
        (date(2026, 12, 20), date(2026, 12, 31), False, "10 January"),  # across the new year
        (date(2028, 2, 8), date(2028, 2, 20), False, "29 February"),  # a leap day
        (date(2026, 1, 1), date(2026, 1, 22), True, None),
    ],
)
def test_the_start_date_is_three_weeks_after_the_first_log(
    first: date, today: date, ready: bool, words: str | None
) -> None:
    depth = history_depth(first, today)
    assert depth.enough_for_baseline is ready
    assert depth.baseline_ready_on == first + timedelta(days=21)
    if words is None:
        assert depth.note is None
    else:
        assert depth.note is not None
        assert f"Load comparisons start on {words}," in depth.note


def test_every_seven_day_window_includes_today() -> None:
    """A session logged today counts in the last 7 days' load, finger load, week-over-week
    trend and soreness; one 7 days ago (the 8th day back) does not."""
    today_session = session(TODAY, 60, 8, sessionType="board", physicalCondition={
        "soreness": {"fingers": 4}
    })  # fmt: skip
    old = session(TODAY - timedelta(days=7), 90, 5, physicalCondition={"soreness": {"fingers": 2}})
    analytics = compute(inputs([today_session, old]), Window(Period.DAYS_30, TODAY))
    week = analytics.load.last_7_days
    assert (week.start, week.end, week.load) == (TODAY - timedelta(days=6), TODAY, 480)
    finger = analytics.load.finger_last_7_days
    assert finger is not None
    assert finger.board_sessions == 1
    assert analytics.trends.this_week_start == TODAY - timedelta(days=6)
    assert analytics.trends.sessions.this_week == 1
    fingers = next(t for t in analytics.body.soreness if t.part == "fingers")
    assert (fingers.last_7_days, fingers.previous_7_days) == (4.0, 2.0)


def test_the_last_30_days_include_today() -> None:
    entries = [session(TODAY, 60, 5), session(TODAY - timedelta(days=30), 60, 5)]
    analytics = compute(inputs(entries), Window(Period.DAYS_30, TODAY))
    assert (analytics.start, analytics.end) == (TODAY - timedelta(days=29), TODAY)
    assert analytics.totals.sessions == 1  # today's; the 31st day back is outside
    assert render_text(analytics).startswith("Last 30 days (2026-02-14 – 2026-03-15): 1 session")
