"""`/send` writes a benchmark send."""

from __future__ import annotations

from datetime import date

import pytest

from grammar.send import parse_send
from store.grades import GradeSystem
from store.repos import SendRepo
from tests.handlers.conftest import Harness

TODAY = date(2026, 3, 11)


async def test_send_example(chat: Harness) -> None:
    saved = await chat.saved(
        '/send V7 "Midnight Lightning" @Yosemite outdoor overhang attempts 12 breakthrough'
    )
    item = saved.item
    assert saved.kind == "send"
    assert (item["grade"], item["gradeType"], item["discipline"]) == ("V7", "v", "boulder")
    assert item["name"] == "Midnight Lightning"
    assert item["location"] == "Yosemite"
    assert item["type"] == "outdoor"
    assert item["style"] == "overhang"
    assert item["attempts"] == 12
    assert item["significance"] == "breakthrough"
    assert item["date"] == "2026-03-11"
    stored = await SendRepo(chat.table).get("alice", item["id"])
    assert stored.to_wire() == item
    hardest = await SendRepo(chat.table).list_by_grade("alice", stored.discipline)
    assert [send.id for send in hardest.items] == [item["id"]]


def test_unquoted_name_ascent_style_date_and_notes() -> None:
    send = parse_send("5.12a Biographie flash milestone yesterday notes: finally!", TODAY)
    assert send.grade == "5.12a"
    assert send.name == "Biographie"
    assert send.ascent_style is not None
    assert send.ascent_style.value == "flash"
    assert send.significance.value == "milestone"
    assert send.date == date(2026, 3, 10)
    assert send.notes == "finally!"


def test_font_and_french_grades_and_attempts_before_the_word() -> None:
    assert parse_send("7A+ 3 attempts slab", TODAY).grade == "7A+"
    assert parse_send("7A+ 3 attempts slab", TODAY).attempts == 3
    french = parse_send("8a redpoint @Céüse", TODAY)
    assert (french.grade, french.grade_system) == ("8a", GradeSystem.FRENCH)
    assert french.location == "Céüse"
    assert parse_send("boulder 7a", TODAY).grade == "7A"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('/send "Midnight Lightning" @Yosemite', "/send needs a grade"),
        ("/send V7 attempts many", "'attempts' needs a whole number"),
        ('/send V7 "A" extra words', "did not understand 'extra words'"),
        ("/send V25", "not a V-scale grade"),
    ],
)
async def test_wrong_send_is_refused(chat: Harness, text: str, expected: str) -> None:
    error = await chat.error(text)
    assert error.code == "invalid_entry"
    assert expected in error.message
    assert await chat.user_items() == []


async def test_a_send_records_only_what_the_climber_said(chat: Harness) -> None:
    flash = (await chat.saved("/send f6C+ flash")).item
    assert (flash["grade"], flash["ascentStyle"]) == ("6C+", "flash")
    assert "type" not in flash  # a flash says nothing about indoor or outdoor
    assert "attempts" not in flash
    redpoint = (await chat.saved("/send V5 redpoint")).item
    assert "attempts" not in redpoint  # not logged, never "1"
    counted = (await chat.saved("/send V5 redpoint attempts 12 indoor")).item
    assert (counted["attempts"], counted["type"]) == (12, "indoor")
    outdoors = (await chat.saved("/send 5.12a @Céüse outdoor 3 attempts")).item
    assert (outdoors["attempts"], outdoors["type"]) == (3, "outdoor")
    at_a_place = (await chat.saved('/send V4 "Pinch problem" @The Arch')).item
    assert "type" not in at_a_place  # a place name alone does not say indoor or outdoor

    repo = SendRepo(chat.table)
    stored = await repo.get("alice", flash["id"])
    assert (stored.setting, stored.attempts) == (None, None)
    assert stored.to_wire() == flash
    hardest = await repo.list_by_grade("alice", stored.discipline)
    assert len(hardest.items) == 4  # boulders; unset fields keep no send out of the index


async def test_stats_keep_a_send_without_indoor_or_outdoor_apart(chat: Harness) -> None:
    await chat.saved("/log gym 90min rpe 7 sent V4 V4 2026-03-09")
    await chat.saved("/send V4 2026-03-09")  # one of that gym session's V4s
    await chat.saved("/send V6 flash 2026-03-10")  # no session that day: where is unknown
    reply = await chat.reply("/stats 30d")
    assert "boulder indoor V4 (first 2026-03-09)" in reply.text
    assert "boulder (indoor/outdoor not given) V6 (first 2026-03-10)" in reply.text
    assert "Pyramid boulder indoor: V4 2/2" in reply.text  # the send counted once, not thrice
    assert reply.data is not None
    unknown = reply.data["grades"]["maxGrades"][-1]
    assert unknown["grade"] == "V6"
    assert "type" not in unknown
