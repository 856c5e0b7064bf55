"""Training load: coaching.md's worked example, the bands, and the edge cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coaching.analytics import Period, Window, compute, render_text
from coaching.analytics.load import ewma_ratio, jump_band, load_jump, monotony_band, week_load
from store.records import JournalEntry
from tests.coaching.builders import TODAY, inputs, session

WORKED_DAILY = [630, 0, 480, 0, 720, 1200, 0]


def worked_example_sessions() -> list[JournalEntry]:
    """coaching.md's week as logged sessions ending TODAY, after weeks of 2,400, 2,600 and
    2,500 AU (each two sessions)."""
    monday = TODAY - timedelta(days=6)
    week = [
        session(monday, 90, 7),  # 630
        session(monday + timedelta(days=2), 60, 8),  # 480
        session(monday + timedelta(days=4), 90, 8),  # 720
        session(monday + timedelta(days=5), 120, 10),  # 1,200
    ]
    earlier = []
    for weeks_back, minutes in ((1, 125), (2, 130), (3, 120)):
        start = monday - timedelta(weeks=weeks_back)
        earlier += [session(start, minutes, 10), session(start + timedelta(days=3), minutes, 10)]
    return week + earlier


def test_worked_example_week_comes_out_exactly() -> None:
    week = week_load(WORKED_DAILY, TODAY)
    assert week.load == 3030
    assert week.mean == 432.9
    assert week.sd == 426.6  # population SD
    assert week.monotony == 1.01
    # Strain uses the unrounded monotony (1.01457…): 3,030 × 1.01457… = 3,074.17 → 3,074.
    # With the rounded 1.01 it would be 3,060, which is not coaching.md's figure.
    assert week.strain == 3074
    assert week.monotony_band == "fine"
    assert not week.strain_high
    assert week.note is None


def test_worked_example_coupled_ratio() -> None:
    jump = load_jump([3030, 2500, 2600, 2400])
    assert jump.acute == 3030
    assert jump.chronic == 2632.5
    assert jump.ratio == 1.15
    assert jump.band == "typical"
    assert jump.change_percent == 15.1
    assert "15 % over your 4-week baseline" in jump.summary


def test_worked_example_from_logged_sessions_and_in_the_stats_text() -> None:
    analytics = compute(inputs(worked_example_sessions()), Window(Period.DAYS_30, TODAY))
    week, jump = analytics.load.last_7_days, analytics.load.jump
    assert (week.start, week.end) == (date(2026, 3, 9), TODAY)
    assert (week.load, week.mean, week.sd, week.monotony, week.strain) == (
        3030,
        432.9,
        426.6,
        1.01,
        3074,
    )
    assert (jump.chronic, jump.ratio) == (2632.5, 1.15)
    assert [row.load for row in analytics.load.weeks[-4:]] == [2400, 2600, 2500, 3030]
    text = render_text(analytics)
    # Issue 13 labels the jargon in plain words beside each figure (the figures are unchanged).
    assert (
        "Load, last 7 days: 3,030 AU (effort 0–10 × minutes, summed) · training monotony 1.01 "
        "(how alike your days are: fine) · strain 3,074 AU (load × monotony)"
    ) in text
    assert "acute:chronic 1.15, typical 0.8–1.3 (this week over your average week" in text
    assert "over your 4-week baseline" in text


@pytest.mark.parametrize(
    ("monotony", "band"),
    [(0.4, "fine"), (1.49, "fine"), (1.5, "caution"), (2.0, "caution"), (2.01, "warning")],
)
def test_monotony_bands(monotony: float, band: str) -> None:
    assert monotony_band(monotony) == band


@pytest.mark.parametrize(
    ("ratio", "band"),
    [
        (0.79, "below_typical"),
        (0.8, "typical"),
        (1.3, "typical"),
        (1.31, "above_typical"),
        (1.49, "above_typical"),
        (1.5, "sharp_jump"),
        (2.4, "sharp_jump"),
    ],
)
def test_acute_chronic_bands(ratio: float, band: str) -> None:
    assert jump_band(ratio) == band


def test_a_sharp_jump_is_described_as_a_load_jump_never_a_risk() -> None:
    jump = load_jump([2900, 1400, 1400, 1400])  # 2,900 vs a 1,775 AU baseline
    assert jump.ratio == 1.63
    assert jump.band == "sharp_jump"
    assert jump.summary.startswith("your load jumped 63 % over your 4-week baseline")
    for word in ("risk", "injur", "probab", "danger"):
        assert word not in jump.summary.lower()
    lower = load_jump([1000, 2000, 2000, 3000])
    assert lower.band == "below_typical"
    assert "50 % below your 4-week baseline" in lower.summary


def test_all_rest_days_leave_monotony_undefined_instead_of_dividing_by_zero() -> None:
    week = week_load([0] * 7, TODAY)
    assert (week.load, week.sd, week.monotony, week.strain) == (0, 0, None, None)
    assert week.note is not None
    assert "undefined" in week.note
    same = week_load([300] * 7, TODAY)
    assert same.monotony is None
    assert same.note is not None
    assert "same load every day" in same.note
    empty = load_jump([0, 0, 0, 0])
    assert (empty.ratio, empty.band, empty.change_percent) == (None, None, None)
    assert "no baseline" in empty.summary


def test_no_data_at_all() -> None:
    analytics = compute(inputs(), Window(Period.DAYS_30, TODAY))
    assert analytics.load.last_7_days.monotony is None
    assert analytics.load.jump.ratio is None
    assert analytics.load.jump.ewma_ratio is None
    assert all(row.load == 0 and row.sessions == 0 for row in analytics.load.weeks)
    assert analytics.grades.max_grades == []
    text = render_text(analytics)
    assert "no sends logged in this period" in text
    assert "monotony and strain are undefined" in text


def test_a_week_must_have_seven_days_and_a_baseline_four_weeks() -> None:
    with pytest.raises(ValueError, match="7 daily loads"):
        week_load([100] * 6, TODAY)
    with pytest.raises(ValueError, match="4 weekly loads"):
        load_jump([100] * 3)


def test_ewma_ratio_follows_a_steady_load_and_rises_with_a_spike() -> None:
    steady = ewma_ratio([300.0] * 84)
    assert steady is not None
    assert steady == pytest.approx(1.0, abs=0.01)
    spiked = ewma_ratio([300.0] * 77 + [900.0] * 7)
    assert spiked is not None
    assert spiked > 1.5
    assert ewma_ratio([0.0] * 30) is None


def test_sessions_without_rpe_are_reported_not_silently_zero() -> None:
    entries = [session(TODAY - timedelta(days=1), 90, None), session(TODAY, 60, 5)]
    analytics = compute(inputs(entries), Window(Period.DAYS_30, TODAY))
    assert analytics.load.last_7_days.load == 300
    assert analytics.load.unrated_sessions == 1
    assert analytics.load.weeks[-1].unrated == 1
    assert analytics.load.weeks[-1].sessions == 2
    assert "(1 session without an RPE counts as 0 load)" in render_text(analytics)


def test_weekly_volume_rows_cover_whole_weeks() -> None:
    entries = [
        session(date(2026, 2, 16), 60, 5, sent=["V3", {"grade": "V4", "count": 2}], tried=["V5"]),
        session(date(2026, 3, 15), 45, 4, sent=["V2"], sessionType="board"),
        session(date(2026, 3, 14), 30, None, sessionType="rest"),
    ]
    weeks = compute(inputs(entries), Window(Period.DAYS_30, TODAY)).load.weeks
    # 30 days back from Sunday 15 March is Sunday 14 February: its week starts Monday 9th.
    assert [w.week_start for w in weeks][:2] == [date(2026, 2, 9), date(2026, 2, 16)]
    assert weeks[-1].week_start == date(2026, 3, 9)
    first = weeks[1]
    assert (first.sessions, first.minutes, first.climbs, first.attempts, first.load) == (
        1,
        60,
        3,
        1,
        300,
    )
    last = weeks[-1]
    assert (last.sessions, last.minutes, last.finger_sessions, last.unrated) == (1, 45, 1, 0)


def test_finger_load_counts_hangboard_board_and_near_max_climbs() -> None:
    entries = [
        session(TODAY - timedelta(days=20), 90, 7, sent=["V6", "V5"]),  # sets the max: V6
        session(TODAY - timedelta(days=5), 45, 8, sessionType="hangboard"),
        session(TODAY - timedelta(days=3), 60, 8, sessionType="board", sent=["V3"]),
        session(
            TODAY - timedelta(days=1), 90, 7, sent=["V5", "V3"], tried=[{"grade": "V6", "count": 3}]
        ),
    ]
    load = compute(inputs(entries), Window(Period.DAYS_30, TODAY)).load
    week, period = load.finger_last_7_days, load.finger_period
    assert week is not None
    assert period is not None
    assert (week.hangboard_sessions, week.hangboard_minutes, week.board_sessions) == (1, 45, 1)
    assert week.near_max_climbs == 4  # V5 sent + 3 × V6 tried; V3s are not near V6
    assert week.finger_days == 3
    assert period.near_max_climbs == 6
    assert period.finger_days == 4


def test_a_short_history_says_its_baseline_is_short() -> None:
    # Issue 13 changes this: 10 days of logs are too few to compare with (it used to report a
    # ratio of 2.0, this week's 300 AU over 4 weeks that were mostly before the first log).
    entries = [session(TODAY - timedelta(days=9), 60, 5), session(TODAY, 60, 5)]
    analytics = compute(inputs(entries), Window(Period.DAYS_30, TODAY))
    assert analytics.load.baseline_days == 10
    jump = analytics.load.jump
    assert (jump.ratio, jump.change_percent, jump.band, jump.ewma_ratio) == (None,) * 4
    text = render_text(analytics)
    # First log Friday 6 March; three weeks later is Friday 27 March.
    assert "Load comparisons start on 27 March, three weeks after your first log" in text
    assert "%" not in jump.summary
    assert "covers only" not in text


def test_from_three_weeks_the_baseline_averages_the_days_logged() -> None:
    """Exactly three weeks after the first log, 300 AU every day: the 6 days of the 4 weeks
    before the first log are not rest days, so the baseline is the 22 days' average week and
    the load matches it (counted as zeros they made it a 27 % rise)."""
    entries = [session(TODAY - timedelta(days=back), 60, 5) for back in range(22)]
    analytics = compute(inputs(entries), Window(Period.DAYS_30, TODAY))
    assert analytics.history.days == 21
    assert analytics.history.enough_for_baseline
    load = analytics.load
    assert load.baseline_days == 22
    assert load.last_7_days.load == 2100
    assert load.jump.chronic == 2100  # 22 × 300 AU over 22 days, as 7 days' worth
    assert load.jump.ratio == 1.0
    assert load.jump.band == "typical"
    assert load.jump.summary == "your load matches your 3-week baseline (2,100 AU this week)"
    # Started from the first log (bias-corrected), the EWMA of a steady load is 1 too.
    assert load.jump.ewma_ratio == 1.0
    text = render_text(analytics)
    assert "(The baseline covers only 22 days of logs)" in text
    assert "Load comparisons start" not in text
