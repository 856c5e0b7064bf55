"""Goals with progress toward their grade and their date."""

from __future__ import annotations

from datetime import date, timedelta

from coaching.analytics import Period, Window, compute, render_text
from coaching.analytics.goals import setting_named
from store.records import Setting
from tests.coaching.builders import TODAY, goal, inputs, send, session

WINDOW = Window(Period.DAYS_30, TODAY)


def test_grade_goal_progress_toward_grade_and_date() -> None:
    goals = [
        goal("Climb V7", date(2026, 1, 14), type="grade", targetGrade="V7", discipline="boulder",
             targetDate=date(2026, 5, 14)),
    ]  # fmt: skip
    entries = [
        session(
            TODAY - timedelta(days=3), sent=["V5", "V4"], tried=["V6", {"grade": "V7", "count": 2}]
        ),
    ]
    analytics = compute(inputs(entries, goals=goals), WINDOW)
    [progress] = analytics.goals
    assert (progress.best_grade, progress.grades_to_go, progress.reached) == ("V5", 2, False)
    assert progress.tries_at_target == 2
    assert (progress.days_left, progress.days_since_set) == (60, 60)
    assert progress.time_used_percent == 50.0
    assert "Goal: Climb V7 — best V5, 2 grades to go; 60 days left" in render_text(analytics)


def test_an_outdoor_goal_counts_outdoor_sends_only() -> None:
    goals = [goal("Send V6 outdoors this season", date(2026, 2, 1), type="grade",
                  targetGrade="V6", discipline="boulder")]  # fmt: skip
    entries = [
        session(TODAY - timedelta(days=4), sent=["V6"]),
        session(TODAY - timedelta(days=2), sent=["V4"], type="outdoor", sessionType="outdoor"),
    ]
    [progress] = compute(inputs(entries, goals=goals), WINDOW).goals
    assert progress.named_setting == "outdoor"
    assert (progress.best_grade, progress.grades_to_go, progress.reached) == ("V4", 2, False)
    outdoor_send = send(TODAY, "V6", type="outdoor")
    [done] = compute(inputs(entries, [outdoor_send], goals=goals), WINDOW).goals
    assert (done.best_grade, done.grades_to_go, done.reached) == ("V6", 0, True)


def test_a_send_without_a_setting_counts_only_for_goals_that_name_none() -> None:
    goals = [
        goal("Send V6 outdoors", date(2026, 2, 1), type="grade", targetGrade="V6"),
        goal("Climb V6", date(2026, 2, 1), type="grade", targetGrade="V6"),
    ]
    sends = [send(TODAY - timedelta(days=1), "V6")]  # indoor or outdoor: not said
    progress = {g.description: g for g in compute(inputs(sends=sends, goals=goals), WINDOW).goals}
    assert progress["Send V6 outdoors"].best_grade is None
    assert progress["Climb V6"].reached is True
    # On a day climbed outdoors, the send counts as outdoor.
    crag = session(TODAY - timedelta(days=1), sent=["V4"], type="outdoor", sessionType="outdoor")
    placed = compute(inputs([crag], sends, goals=goals), WINDOW).goals
    assert all(g.reached for g in placed)


def test_progress_is_counted_in_the_targets_system_and_never_across_disciplines() -> None:
    goals = [goal("7a+ this year", date(2026, 1, 1), type="grade", targetGrade="7a+",
                  discipline="sport")]  # fmt: skip
    entries = [
        session(TODAY - timedelta(days=5), sent=["V9"]),  # a boulder never counts for a route
        session(TODAY - timedelta(days=2), sent=["5.11b"], discipline="sport"),
    ]
    [progress] = compute(inputs(entries, goals=goals), WINDOW).goals
    assert progress.best_grade == "6c"  # 5.11b converted to the French ladder
    assert progress.best_logged_as == "5.11b"
    assert progress.grades_to_go == 3  # 6c → 6c+ → 7a → 7a+
    assert "best ≈6c, 3 grades to go" in render_text(compute(inputs(entries, goals=goals), WINDOW))


def test_goals_without_a_grade_and_achieved_goals() -> None:
    goals = [
        goal("10 pull-ups", date(2026, 3, 1), type="fitness", targetDate=date(2026, 3, 10)),
        goal("V5", date(2026, 1, 1), type="grade", targetGrade="V5", status="achieved",
             achievedAt="2026-03-02T10:00:00Z"),
        goal("V4", date(2025, 1, 1), type="grade", targetGrade="V4", status="achieved",
             achievedAt="2025-06-02T10:00:00Z"),  # achieved before the period: not shown
        goal("quit", date(2026, 1, 1), type="other", status="abandoned"),
    ]  # fmt: skip
    analytics = compute(inputs(goals=goals), WINDOW)
    assert [g.description for g in analytics.goals] == ["10 pull-ups", "V5"]
    pullups, achieved = analytics.goals
    assert pullups.days_left == -5
    assert pullups.time_used_percent == 100.0
    assert achieved.best_grade is None  # no sends in the period
    text = render_text(analytics)
    assert "Goal: 10 pull-ups; target date passed 5 days ago" in text
    assert "Goal: V5 — no sends yet (achieved)" in text


def test_setting_named_in_a_goal() -> None:
    assert setting_named("Send V6 outdoors this season") is Setting.OUTDOOR
    assert setting_named("first 7a in the gym") is Setting.INDOOR
    assert setting_named("V8") is None
    assert setting_named("V6 in the gym and outdoors") is None


def test_the_day_a_goal_was_set_is_the_climbers_own() -> None:
    # Set at 22:00 UTC on Saturday 14 March: already Sunday the 15th, 09:00, in Sydney.
    set_late = goal("Climb V7", TODAY, type="grade", targetGrade="V7", discipline="boulder")
    saturday_night = set_late.created_at.replace(hour=22) - timedelta(days=1)
    set_late = set_late.model_copy(update={"created_at": saturday_night})
    in_sydney = Window(Period.DAYS_30, TODAY, "Australia/Sydney")
    [progress] = compute(inputs([], goals=[set_late]), in_sydney).goals
    assert progress.days_since_set == 0
    [in_utc] = compute(inputs([], goals=[set_late]), WINDOW).goals
    assert in_utc.days_since_set == 1
