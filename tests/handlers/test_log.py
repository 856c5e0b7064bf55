"""`/log` writes a session with the fields the climber typed."""

from __future__ import annotations

from datetime import date

import pytest

from grammar.log import parse_log
from store.repos import JournalRepo
from tests.handlers.conftest import Harness

TODAY = date(2026, 3, 11)


async def test_gym_session_example(chat: Harness) -> None:
    saved = await chat.saved(
        "/log gym 90min rpe 7 sent V4 V5 tried V6 energy 6 fingers 3 notes: crimps felt strong"
    )
    item = saved.item
    assert saved.kind == "session"
    assert saved.undo
    assert item["sessionType"] == "gym"
    assert item["type"] == "indoor"
    assert item["date"] == "2026-03-11"
    assert item["duration"] == 90
    assert item["rpe"] == 7
    assert [g["grade"] for g in item["gradesCompleted"]] == ["V4", "V5"]
    assert [g["grade"] for g in item["gradesAttempted"]] == ["V6"]
    assert item["physicalCondition"]["energy"] == 6
    assert item["physicalCondition"]["soreness"]["fingers"] == 3
    assert item["notes"] == "crimps felt strong"
    stored = await JournalRepo(chat.table).get("alice", item["id"])
    assert stored.to_wire() == item


async def test_outdoor_session_example(chat: Harness) -> None:
    saved = await chat.saved(
        "/log yesterday outdoor 3h @Red River Gorge sent 5.11a 5.10c tried 5.12a"
    )
    item = saved.item
    assert item["date"] == "2026-03-10"
    assert item["sessionType"] == "outdoor"
    assert item["type"] == "outdoor"
    assert item["duration"] == 180
    assert item["location"] == "Red River Gorge"
    assert [(g["grade"], g["system"]) for g in item["gradesCompleted"]] == [
        ("5.11a", "yds"),
        ("5.10c", "yds"),
    ]
    assert [g["grade"] for g in item["gradesAttempted"]] == ["5.12a"]
    stored = await JournalRepo(chat.table).get("alice", item["id"])
    assert stored.location == "Red River Gorge"


@pytest.mark.parametrize("duration", ["90min", "90m", "1h30", "1.5h", "1h 30m", "90"])
def test_every_duration_spelling_logs_ninety_minutes(duration: str) -> None:
    assert parse_log(f"gym {duration} sent V3", TODAY).duration_minutes == 90


def test_order_and_case_do_not_matter() -> None:
    one = parse_log("GYM 90MIN RPE 7 SENT v4", TODAY)
    two = parse_log("sent V4 rpe 7 90min gym", TODAY)
    assert one == two
    assert one.rpe == 7
    assert [g.grade for g in one.grades_completed] == ["V4"]


def test_counts_merge_and_grades_of_any_system() -> None:
    entry = parse_log("board 1h sent 2xV5 V5x2 V5 x2 7A+ tried font 7b", TODAY)
    completed = {g.grade: g.count for g in entry.grades_completed}
    assert completed == {"V5": 6, "7A+": 1}
    assert entry.grades_attempted[0].grade == "7B"
    assert entry.grades_attempted[0].system.value == "font"
    assert entry.discipline is not None
    assert entry.discipline.value == "boulder"


def test_commas_between_grades_are_fine() -> None:
    entry = parse_log("gym 1h sent V4, V5, tried V6", TODAY)
    assert [g.grade for g in entry.grades_completed] == ["V4", "V5"]
    assert [g.grade for g in entry.grades_attempted] == ["V6"]


def test_route_grades_in_french_and_uiaa() -> None:
    entry = parse_log("outdoor 4h sent 6b+ 7a uiaa 7+ tried 7b", TODAY)
    assert [(g.grade, g.system.value) for g in entry.grades_completed] == [
        ("6b+", "french"),
        ("7a", "french"),
        ("7+", "uiaa"),
    ]


def test_soreness_focus_mental_and_injuries() -> None:
    entry = parse_log(
        "gym 2h forearms 2 shoulders 4 back 1 legs 0 focus heel hooks, drop knees "
        "felt calm and patient injury tweaky left ring finger",
        TODAY,
    )
    soreness = entry.physical_condition.soreness
    assert (soreness.forearms, soreness.shoulders, soreness.back, soreness.legs) == (2, 4, 1, 0)
    assert entry.technical_focus == ["heel hooks", "drop knees"]
    assert entry.mental_state == "calm and patient"
    assert entry.physical_condition.injuries == ["tweaky left ring finger"]


def test_session_types_and_discipline_words() -> None:
    assert parse_log("crag 3h", TODAY).session_type.value == "outdoor"
    assert parse_log("indoor 1h", TODAY).session_type.value == "gym"
    assert parse_log("hangboard 30min", TODAY).session_type.value == "hangboard"
    assert parse_log("training 45", TODAY).session_type.value == "training"
    assert parse_log("1h", TODAY).session_type.value == "gym"
    trad = parse_log("outdoor trad 5h sent 5.9", TODAY)
    assert trad.discipline is not None
    assert trad.discipline.value == "trad"


def test_boulder_word_reads_lowercase_letter_grades_as_font() -> None:
    entry = parse_log("gym boulder 1h sent 7a", TODAY)
    assert entry.grades_completed[0].grade == "7A"


async def test_missing_duration_says_what_is_expected_and_writes_nothing(chat: Harness) -> None:
    error = await chat.error("/log gym rpe 7 sent V4")
    assert error.code == "invalid_entry"
    assert "needs a duration like 90min or 1h30" in error.message
    assert "e.g. /log gym 90min" in error.message
    assert await chat.user_items() == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/log gym 90min rpe 11", "RPE must be 0 to 10"),
        ("/log gym 90min energy 0", "Energy must be 1 to 10"),
        ("/log gym 90min rpe", "'rpe' needs a number"),
        ("/log gym 90min sent", "'sent' needs one or more grades"),
        ("/log gym 90min sent V25", "'V25' is not a V-scale grade"),
        ("/log gym 90min boulder sent 5.11a", "not a boulder grade"),
        ("/log gym 90min fingers 12", "Fingers must be 0 to 10"),
        ("/log gym 90min wobble", "did not understand 'wobble'"),
        ("/log gym 90min 2026-02-30", "not a calendar date"),
        ("/log gym 90min 2026-03-12", "in the future"),
        ("/log gym 90min @", "@ needs a place"),
    ],
)
async def test_wrong_input_is_refused_with_the_reason(
    chat: Harness, text: str, expected: str
) -> None:
    error = await chat.error(text)
    assert error.code == "invalid_entry"
    assert expected in error.message
    assert await chat.user_items() == []
