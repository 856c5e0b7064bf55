"""Soreness trends by body part; open injuries with time since onset and Schöffl's caps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coaching.analytics import Period, Window, compute, render_text
from coaching.analytics.body import return_caps
from store.records import JournalEntry
from tests.coaching.builders import TODAY, injury, inputs, session

WINDOW = Window(Period.DAYS_30, TODAY)


def sore(day: date, **parts: int) -> JournalEntry:
    return session(day, physicalCondition={"soreness": parts})


def test_soreness_trend_compares_the_last_7_days_with_the_7_before() -> None:
    entries = [
        sore(TODAY - timedelta(days=12), fingers=2, shoulders=4),
        sore(TODAY - timedelta(days=9), fingers=2, shoulders=4),
        sore(TODAY - timedelta(days=4), fingers=5, shoulders=4),
        sore(TODAY - timedelta(days=1), fingers=6, shoulders=3),
    ]
    analytics = compute(inputs(entries), WINDOW)
    trends = {t.part: t for t in analytics.body.soreness}
    fingers = trends["fingers"]
    assert (fingers.last_7_days, fingers.previous_7_days, fingers.change) == (5.5, 2.0, 3.5)
    assert fingers.direction == "rising"
    assert fingers.peak == 6
    assert (trends["shoulders"].change, trends["shoulders"].direction) == (-0.5, "steady")
    assert trends["legs"].direction == "steady"
    assert "fingers 5.5 (rising +3.5)" in render_text(analytics)
    weeks = {w.week_start: w for w in analytics.body.soreness_weeks}
    assert weeks[date(2026, 3, 9)].fingers == 5.5
    assert weeks[date(2026, 3, 9)].sessions == 2
    assert weeks[date(2026, 2, 16)].fingers is None  # no sessions that week


def test_a_trend_needs_sessions_in_both_weeks() -> None:
    entries = [sore(TODAY, back=3)]
    back = next(t for t in compute(inputs(entries), WINDOW).body.soreness if t.part == "back")
    assert (back.last_7_days, back.previous_7_days, back.direction) == (3.0, None, None)


ONSET = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("severity", "grade", "easy", "full_from", "full_by"),
    [
        (1, "I", date(2026, 1, 29), date(2026, 2, 12), date(2026, 2, 12)),  # 4 / 6 weeks
        (2, "II", date(2026, 1, 29), date(2026, 2, 12), date(2026, 2, 26)),  # 4 / 6–8 weeks
        (3, "III", date(2026, 2, 12), date(2026, 4, 1), date(2026, 4, 1)),  # 6–8 w / 3 months
        (4, "IV", date(2026, 5, 1), date(2026, 7, 1), date(2026, 7, 1)),  # 4 / 6 months
    ],
)
def test_return_to_climbing_caps_per_grade(
    severity: int, grade: str, easy: date, full_from: date, full_by: date
) -> None:
    caps = return_caps(severity, ONSET)
    assert caps.grade == grade
    assert (caps.easy_climbing_from, caps.full_climbing_from, caps.full_climbing_by) == (
        easy,
        full_from,
        full_by,
    )


def test_open_injuries_with_time_since_onset_and_phase() -> None:
    injuries = [
        injury(date(2026, 2, 1), severity=2, side="right"),  # 42 days ago: 6 weeks
        injury(date(2026, 3, 5), type="shoulder strain", bodyPart="shoulder",
               expectedDurationDays=7),
        injury(date(2025, 10, 1), severity=1, bodyPart="Ring finger", recovered=True,
               recoveredDate=date(2025, 11, 20)),
    ]  # fmt: skip
    analytics = compute(inputs(injuries=injuries), WINDOW)
    body = analytics.body
    assert body.recovered_injuries == 1
    shoulder, finger = body.open_injuries  # most recent onset first
    assert (finger.days_since_onset, finger.phase) == (42, "building_to_full")
    assert finger.caps is not None
    assert finger.caps.full_climbing_by == date(2026, 3, 29)
    assert finger.previously_injured  # the same body part healed before
    assert (shoulder.days_since_onset, shoulder.caps, shoulder.phase) == (10, None, None)
    assert shoulder.overdue  # expected back 12 March, still open
    assert not shoulder.previously_injured
    text = render_text(analytics)
    assert (
        "right ring finger (A2 pulley strain), 42 days since onset; grade II return to climbing: "
        "easy from 2026-03-01 (4 weeks), full from 2026-03-15–2026-03-29 (6–8 weeks); "
        "now: building toward full climbing"
    ) in text
    assert "no grade logged, so no return-to-climbing schedule" in text
    for word in ("diagnos", "risk", "probab"):
        assert word not in text.lower()


def test_phases_before_easy_and_full() -> None:
    early = compute(inputs(injuries=[injury(TODAY - timedelta(days=3), severity=3)]), WINDOW)
    assert early.body.open_injuries[0].phase == "before_easy_climbing"
    easy = compute(inputs(injuries=[injury(TODAY - timedelta(days=30), severity=2)]), WINDOW)
    assert easy.body.open_injuries[0].phase == "easy_climbing"
    late = compute(inputs(injuries=[injury(TODAY - timedelta(days=60), severity=1)]), WINDOW)
    assert late.body.open_injuries[0].phase == "full_climbing"
