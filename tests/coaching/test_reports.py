"""The weekly report's figures over built weeks: every number is one the records give, the
week is Monday to Sunday, and nothing is compared before there is history to compare with."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from coaching.reports import iso_week, report_window, week_of, week_report
from store.records import JournalEntry, NutritionProfile
from store.records.reference import Exercise
from store.seed import load_reference
from tests.coaching.builders import TODAY, food, inputs, plan, send, session

MONDAY = TODAY - timedelta(days=6)  # Monday 9 March 2026, ISO week 2026-W11
LIBRARY: list[Exercise] = list(load_reference().exercises)
PLAN_DAYS = {
    "tuesday": {"type": "climb", "duration": 90, "intensity": "high"},
    "thursday": {"type": "hangboard", "duration": 30},
    "saturday": {"type": "climb", "duration": 120},
}


def history(weeks: int = 6) -> list[JournalEntry]:
    """Three 60-minute RPE 6 gym sessions (1,080 AU) a week for `weeks` weeks before MONDAY."""
    return [
        session(MONDAY - timedelta(days=7 * week) + timedelta(days=offset), 60, 6, sent=["V4"])
        for week in range(1, weeks + 1)
        for offset in (0, 2, 4)
    ]


def the_week() -> list[JournalEntry]:
    return [
        session(MONDAY + timedelta(days=1), 90, 7, sent=["V5", "V6"]),  # Tue: 630 AU
        session(MONDAY + timedelta(days=3), 30, 7, sessionType="hangboard"),  # Thu: 210 AU
        session(MONDAY + timedelta(days=5), 120, 7, sent=["V5"]),  # Sat: 840 AU
        session(MONDAY + timedelta(days=6), 45, None, sessionType="board"),  # Sun: unrated
        session(MONDAY + timedelta(days=2), 30, None, sessionType="rest"),  # not a session
    ]


def test_a_built_week_gives_its_own_figures() -> None:
    profile = NutritionProfile.model_validate(
        {"weight": 60, "heightCm": 170, "age": 30, "sex": "female", "activityLevel": "active"}
    )
    records = inputs(
        [*history(), *the_week()],
        [send(MONDAY + timedelta(days=5), "V6", name="Crimp <b>line</b>")],
        plans=[plan(MONDAY - timedelta(days=14), PLAN_DAYS)],
        logs=[food(MONDAY + timedelta(days=d), 2000, 100) for d in (0, 1, 2)],
        nutrition=profile,
    )
    report = week_report(records, MONDAY, "Europe/Berlin", LIBRARY)
    assert (report.week, report.start, report.end) == ("2026-W11", MONDAY, TODAY)
    assert report.sessions == 4
    assert report.minutes == 90 + 30 + 120 + 45
    assert [(row.type.value, row.count) for row in report.by_type] == [
        ("gym", 2),
        ("board", 1),
        ("hangboard", 1),
    ]
    assert report.load == 630 + 210 + 840
    assert report.load_last_week == 1080
    assert report.load_change_percent == 55.6  # (1,680 − 1,080) / 1,080
    assert report.unrated_sessions == 1
    assert report.climbs == 3
    [boulders] = report.sends
    assert (boulders.discipline.value, boulders.sends, boulders.hardest) == ("boulder", 1, "V6")
    assert [insight.title for insight in report.new_maxes] == ["V6, a new top grade"]
    assert report.adherence is not None
    assert (report.adherence.planned_days, report.adherence.done_days) == (3, 3)
    assert report.adherence.percent == 100
    assert report.nutrition is not None
    assert report.nutrition.days_logged == 3
    assert report.nutrition.calories.average == 2000
    assert report.nutrition.protein_g.average == 100
    assert report.nutrition.calories.target is not None
    assert report.suggestion.kind == "suggestion"
    assert any(insight.title.startswith("Load rising") for insight in report.watch)
    assert not report.empty


def test_a_new_climber_gets_no_comparison_but_the_day_it_starts() -> None:
    report = week_report(inputs(the_week()), MONDAY, None, LIBRARY)
    assert report.load == 1680
    assert report.load_last_week is None
    assert report.load_change_percent is None
    assert report.load_note is not None
    assert "three weeks after your first log" in report.load_note
    assert report.adherence is None
    assert report.nutrition is None
    assert report.new_maxes == []  # a first week's sends are not a new max


def test_a_week_with_nothing_logged_is_empty_and_later_days_do_not_count() -> None:
    after = [session(TODAY + timedelta(days=1), 60, 6)]  # the Monday after
    report = week_report(inputs([*history(), *after]), MONDAY, None, LIBRARY)
    assert report.empty
    assert report.sessions == 0
    assert report.load == 0
    assert report.load_change_percent == -100


def test_a_planned_sunday_not_logged_counts_as_missed() -> None:
    days = {"sunday": {"type": "climb", "duration": 60}, "tuesday": {"type": "climb"}}
    entries = [session(MONDAY + timedelta(days=1), 60, 6)]
    records = inputs(entries, plans=[plan(MONDAY, days)])
    report = week_report(records, MONDAY, None, LIBRARY)
    assert report.adherence is not None
    assert (report.adherence.planned_days, report.adherence.done_days) == (2, 1)
    assert report.adherence.percent == 50


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)))
def test_iso_weeks_round_trip(day: date) -> None:
    week = iso_week(day)
    monday = week_of(week)
    assert monday.weekday() == 0
    assert monday <= day < monday + timedelta(days=7)
    assert report_window(monday, None).today == monday + timedelta(days=6)
