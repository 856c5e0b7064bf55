"""The grammar of `/plan` and of training days (`/profile days`, a custom `/plan new`)."""

from __future__ import annotations

from datetime import date

import pytest

from coaching.analytics.adherence import FITS, LOGGED_AS
from coaching.plans import EMPHASES
from core.errors import InvalidEntry
from grammar.catalogue import find
from grammar.plan import EMPHASES as EMPHASIS_WORDS
from grammar.plan import parse_plan, plan_action, planned_session
from grammar.profile import parse_changes
from store.records.journal import SessionType

TODAY = date(2026, 3, 11)


@pytest.mark.parametrize(
    ("args", "action"),
    [("", "show"), ("week", "show"), ("NEW V8", "new"), ("done rpe 7", "done"), ("did", "done")],
)
def test_the_first_word_says_what_plan_does(args: str, action: str) -> None:
    assert plan_action(args) == action
    assert parse_plan(args, TODAY).action == action


def test_plan_new_reads_the_goal_as_goal_does() -> None:
    request = parse_plan("new V8 by 2027-06-30", TODAY)
    assert request.goal is not None
    assert (request.goal.target_grade, request.goal.target_date) == ("V8", date(2027, 6, 30))
    assert request.goal.description == "Climb V8 boulder"
    assert not request.custom
    assert parse_plan("new", TODAY).goal is None


def test_custom_choices_are_read_apart_from_the_goal() -> None:
    request = parse_plan("new V8 boulder training days mon, wed Fri emphasis finger", TODAY)
    assert request.days == ("monday", "wednesday", "friday")
    assert request.emphasis == "fingers"
    assert request.goal is not None
    assert request.goal.target_grade == "V8"
    assert request.custom


def test_every_emphasis_word_names_an_emphasis_the_generator_has() -> None:
    assert set(EMPHASIS_WORDS.values()) == set(EMPHASES)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("tomorrow", "/plan did not understand 'tomorrow'"),
        ("new days", "the days are missing"),
        ("new days none", "at least one training day"),
        ("new emphasis legs", "fingers, power, endurance or technique"),
        ("new V8 by 2020-01-01", "has passed"),
    ],
)
def test_wrong_plan_words_say_what_was_expected(args: str, expected: str) -> None:
    with pytest.raises(InvalidEntry, match=expected):
        parse_plan(args, TODAY)


def test_todays_planned_session_takes_the_plans_type_and_minutes() -> None:
    entry = planned_session("", TODAY, SessionType.GYM, 75)
    assert (entry.date, entry.session_type, entry.duration_minutes) == (
        TODAY,
        SessionType.GYM,
        75,
    )
    rated = planned_session("rpe 7 fingers 3 notes: felt strong", TODAY, SessionType.TRAINING, 60)
    assert (rated.rpe, rated.physical_condition.soreness.fingers) == (7, 3)
    assert rated.notes == "felt strong"
    own = planned_session("board 45min today", TODAY, SessionType.GYM, 75)
    assert (own.session_type, own.duration_minutes) == (SessionType.BOARD, 45)


def test_plan_done_is_for_today_only() -> None:
    with pytest.raises(InvalidEntry, match="for another day use /log"):
        planned_session("yesterday", TODAY, SessionType.GYM, 75)


def test_a_planned_day_is_logged_as_a_session_that_does_its_work() -> None:
    assert set(LOGGED_AS) == set(FITS)
    for kind, session in LOGGED_AS.items():
        assert session in FITS[kind], kind


@pytest.mark.parametrize(
    ("args", "days"),
    [
        ("days mon wed fri sat", ["monday", "wednesday", "friday", "saturday"]),
        ("training days Sat,mon", ["monday", "saturday"]),
        ("days weekend", ["saturday", "sunday"]),
        ("days none", []),
    ],
)
def test_profile_days_are_weekday_names_in_week_order(args: str, days: list[str]) -> None:
    assert parse_changes(args) == {"trainingDays": days}


def test_profile_days_mix_with_the_rest_of_the_profile() -> None:
    assert parse_changes("strengths crimps, slab days tue thu weight 60kg") == {
        "strengths": ["crimps", "slab"],
        "trainingDays": ["tuesday", "thursday"],
        "weight": 60.0,
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [("days", "the days are missing"), ("days mon funday", "'funday' is not a weekday")],
)
def test_wrong_profile_days_are_refused(args: str, expected: str) -> None:
    with pytest.raises(InvalidEntry, match=expected):
        parse_changes(args)


def test_the_catalogue_lists_plan_with_its_aliases() -> None:
    spec = find("training")
    assert spec is not None
    assert spec.name == "plan"
    assert find("PLAN") is spec
    assert parse_plan(spec.example.removeprefix("/plan"), TODAY).action == "show"
