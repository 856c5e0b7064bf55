"""Max grade, pyramid, max by week and sends by significance, per discipline × setting."""

from __future__ import annotations

from datetime import date, timedelta

from coaching.analytics import Period, Window, compute, render_text
from store.grades import Discipline
from store.records import Setting
from tests.coaching.builders import TODAY, inputs, send, session

WINDOW = Window(Period.DAYS_90, TODAY)


def test_pyramid_from_known_sends_against_the_2_4_8_rule() -> None:
    entries = [
        session(TODAY - timedelta(days=10), sent=[{"grade": "V5", "count": 2}, "V4", "V3"]),
        session(TODAY - timedelta(days=8), sent=[{"grade": "V4", "count": 2}, "V2", "V2"]),
        session(TODAY - timedelta(days=3), sent=[{"grade": "V3", "count": 7}, "V1"]),
    ]
    grades = compute(inputs(entries), WINDOW).grades
    [pyramid] = grades.pyramids
    assert (pyramid.discipline, pyramid.setting, pyramid.max_grade) == ("boulder", "indoor", "V5")
    assert [(r.grade, r.count, r.target) for r in pyramid.rows[:5]] == [
        ("V5", 2, 2),
        ("V4", 3, 4),
        ("V3", 8, 8),
        ("V2", 2, None),
        ("V1", 1, None),
    ]
    assert pyramid.total == 16
    assert not pyramid.next_max_ready
    assert pyramid.missing == ["1 more at V4"]
    entries.append(session(TODAY, sent=["V4"]))
    [ready] = compute(inputs(entries), WINDOW).grades.pyramids
    assert ready.next_max_ready
    assert ready.missing == []


def test_a_send_logged_in_a_session_and_as_a_benchmark_counts_once() -> None:
    day = TODAY - timedelta(days=2)
    entries = [session(day, sent=[{"grade": "V5", "count": 2}, "V4"])]
    sends = [
        send(day, "V5"),  # the same climb as one of the session's two V5s
        send(TODAY - timedelta(days=1), "V6", significance="breakthrough", type="indoor"),
    ]  # the V6: no session that day
    grades = compute(inputs(entries, sends), WINDOW).grades
    [pyramid] = grades.pyramids
    assert [(r.grade, r.count) for r in pyramid.rows[:3]] == [("V6", 1), ("V5", 2), ("V4", 1)]
    [best] = grades.max_grades
    assert (best.grade, best.first_sent, best.times) == ("V6", TODAY - timedelta(days=1), 1)


def test_routes_and_boulders_and_indoor_and_outdoor_are_never_mixed() -> None:
    entries = [
        session(TODAY - timedelta(days=9), sent=["5.11a", "5.10c"], discipline="sport"),
        session(TODAY - timedelta(days=6), sent=["V7"], type="outdoor", sessionType="outdoor"),
        session(TODAY - timedelta(days=4), sent=["V5", "V4"]),
    ]
    grades = compute(inputs(entries), WINDOW).grades
    tops = {(m.discipline, m.setting): m.grade for m in grades.max_grades}
    assert tops == {
        (Discipline.BOULDER, Setting.INDOOR): "V5",
        (Discipline.BOULDER, Setting.OUTDOOR): "V7",
        (Discipline.ROUTE, Setting.INDOOR): "5.11a",
    }
    route = next(p for p in grades.pyramids if p.discipline == "route")
    assert route.system == "yds"
    assert [(r.grade, r.count) for r in route.rows[:3]] == [
        ("5.11a", 1),
        ("5.10d", 0),
        ("5.10c", 1),
    ]
    assert route.total == 2  # no boulder in the route pyramid


def test_a_send_without_indoor_or_outdoor_is_never_assumed_indoor() -> None:
    gym_day, crag_day = TODAY - timedelta(days=6), TODAY - timedelta(days=4)
    entries = [
        session(gym_day, sent=[{"grade": "V4", "count": 2}]),
        session(crag_day, sent=["V5"], type="outdoor", sessionType="outdoor"),
    ]
    sends = [
        send(gym_day, "V4"),  # one of that gym session's V4s: counted there, once
        send(crag_day, "V6"),  # sent on the crag day: outdoor, like the day's session
        send(TODAY - timedelta(days=2), "V3", ascentStyle="flash"),  # no session: unknown
    ]
    analytics = compute(inputs(entries, sends), WINDOW)
    grades = analytics.grades
    tops = {(m.discipline, m.setting): m.grade for m in grades.max_grades}
    assert tops == {
        (Discipline.BOULDER, Setting.INDOOR): "V4",
        (Discipline.BOULDER, Setting.OUTDOOR): "V6",
        (Discipline.BOULDER, None): "V3",
    }
    assert [p.setting for p in grades.pyramids] == [Setting.INDOOR, Setting.OUTDOOR, None]
    assert [(r.grade, r.count) for r in grades.pyramids[0].rows[:1]] == [("V4", 2)]
    assert grades.pyramids[2].total == 1
    assert [s.setting for s in grades.max_by_week] == [Setting.INDOOR, Setting.OUTDOOR, None]
    text = render_text(analytics)
    assert "boulder (indoor/outdoor not given) V3" in text
    assert "Pyramid boulder (indoor/outdoor not given): V3 1/2" in text
    # On the wire an unknown setting is left out, never sent as "indoor".
    assert "type" not in grades.pyramids[2].to_wire()


def test_a_notable_send_shows_its_setting_only_when_given() -> None:
    sends = [
        send(TODAY - timedelta(days=1), "V7", significance="breakthrough"),
        send(TODAY - timedelta(days=3), "V6", significance="milestone", type="outdoor"),
    ]
    analytics = compute(inputs(sends=sends), WINDOW)
    assert [s.setting for s in analytics.grades.sends.notable] == [None, Setting.OUTDOOR]
    text = render_text(analytics)
    assert f"- {TODAY - timedelta(days=1)} V7 (breakthrough)" in text
    assert f"- {TODAY - timedelta(days=3)} V6 (milestone, outdoor)" in text


def test_a_grade_in_another_system_is_converted_and_marked_approximate() -> None:
    entries = [
        session(TODAY - timedelta(days=5), sent=["V4", "V4", "V5"]),
        session(TODAY - timedelta(days=2), sent=["7A"]),  # Font, the climber mostly logs V
    ]
    analytics = compute(inputs(entries), WINDOW)
    assert analytics.grades.systems[Discipline.BOULDER] == "v"
    [best] = analytics.grades.max_grades
    assert (best.grade, best.logged_as) == ("V6", "7A")
    assert "boulder indoor ≈V6 (logged as 7A)" in render_text(analytics)


def test_max_grade_by_week_and_the_period_boundary() -> None:
    entries = [
        session(TODAY - timedelta(days=200), sent=["V9"]),  # long before the period
        session(date(2026, 2, 24), sent=["V4"]),
        session(date(2026, 2, 26), sent=["V5", "V3"]),
        session(date(2026, 3, 12), sent=["V6"]),
    ]
    grades = compute(inputs(entries), WINDOW).grades
    [series] = grades.max_by_week
    assert [(p.week_start, p.grade) for p in series.points] == [
        (date(2026, 2, 23), "V5"),
        (date(2026, 3, 9), "V6"),
    ]
    assert [m.grade for m in grades.max_grades] == ["V6"]


def test_sends_by_significance() -> None:
    sends = [
        send(TODAY - timedelta(days=1), "V5"),
        send(TODAY - timedelta(days=2), "V5"),
        send(TODAY - timedelta(days=3), "V6", significance="milestone", name="Green 12"),
        send(TODAY - timedelta(days=9), "5.12a", significance="breakthrough"),
        send(TODAY - timedelta(days=120), "V8", significance="breakthrough"),  # outside
    ]
    counts = compute(inputs(sends=sends), WINDOW).grades.sends
    assert (counts.routine, counts.milestone, counts.breakthrough) == (2, 1, 1)
    assert [(s.grade, s.significance, s.name) for s in counts.notable] == [
        ("V6", "milestone", "Green 12"),
        ("5.12a", "breakthrough", None),
    ]
