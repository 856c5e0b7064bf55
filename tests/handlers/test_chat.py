"""Routing in `Chat`, the user's timezone, /history and /help."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grammar.catalogue import CATALOGUE as COMMANDS
from store.records import Preferences, UserIn
from store.repos import UserRepo
from tests.handlers.conftest import Harness


async def test_commands_are_case_insensitive_and_have_aliases(chat: Harness) -> None:
    assert (await chat.saved("/LOG Gym 1H")).kind == "session"
    assert (await chat.saved("/Session gym 1h")).kind == "session"
    assert (await chat.saved("/log\tgym\t1h")).item["durationMinutes"] == 60
    assert (await chat.reply("/HELP")).text.startswith("Commands")


async def test_unknown_command_lists_the_commands(chat: Harness) -> None:
    error = await chat.error("/dance now")
    assert error.code == "unknown_command"
    for command in COMMANDS:
        assert f"/{command.name}" in error.message


async def test_plain_text_without_a_coach_points_to_help(chat: Harness) -> None:
    # The harness builds `Chat` without a coach (tests/handlers/test_coach.py has one).
    error = await chat.error("how do I get stronger fingers?")
    assert error.code == "bad_request"
    assert "try /help" in error.message


async def test_no_quota_on_connect_without_allowances(chat: Harness) -> None:
    from core.caller import Caller

    assert await chat.chat.on_connect(Caller("alice")) is None


@pytest.mark.parametrize(
    ("zone", "today", "thursday"),
    [("UTC", "2026-03-12", "2026-03-12"), ("America/Los_Angeles", "2026-03-11", "2026-03-05")],
)
async def test_date_words_follow_the_users_timezone(
    chat: Harness, zone: str, today: str, thursday: str
) -> None:
    await UserRepo(chat.table).create(
        "alice", UserIn(email="alice@example.com", preferences=Preferences(timezone=zone))
    )
    chat.clock.now = datetime(2026, 3, 12, 3, 0, tzinfo=UTC)  # Wednesday evening in Los Angeles
    assert (await chat.saved("/log gym 1h")).item["date"] == today
    assert (await chat.saved("/log gym 1h thursday")).item["date"] == thursday


async def test_history_lists_recent_sessions_and_sends(chat: Harness) -> None:
    empty = await chat.reply("/history")
    assert "Nothing logged yet" in empty.text
    await chat.saved("/log gym 90min sent V4 2026-03-01")
    await chat.saved("/log outdoor 3h @Red River Gorge sent 5.11a yesterday")
    await chat.saved('/send V7 "Midnight Lightning" @Yosemite')
    await chat.saved("/log board 1h", user="bob")
    history = await chat.reply("/history")
    lines = history.text.splitlines()
    assert lines[0] == "Sessions:"
    assert lines[1].startswith("- 2026-03-10 outdoor 180min @Red River Gorge sent 5.11a")
    assert lines[2].startswith("- 2026-03-01 gym 90min sent V4")
    assert 'V7 "Midnight Lightning" @Yosemite' in history.text
    assert "board" not in history.text
    assert history.data is not None
    assert len(history.data["sessions"]) == 2
    assert len(history.data["sends"]) == 1
    week = await chat.reply("/history 7d")
    assert "2026-03-01" not in week.text
    assert "2026-03-10" in week.text
    one = await chat.reply("/history 1")
    assert one.data is not None
    assert [s["date"] for s in one.data["sessions"]] == ["2026-03-10"]
    assert (await chat.error("/history forever")).code == "invalid_entry"


async def test_help_lists_every_command_with_grammar_and_example(chat: Harness) -> None:
    everything = await chat.reply("/help")
    for command in COMMANDS:
        assert f"/{command.name} — {command.summary}" in everything.text
        assert f"e.g. {command.example}" in everything.text
    one = await chat.reply("/help /meal")
    assert one.text.startswith("/meal — log a meal")
    assert "e.g. /meal lunch 650kcal protein 35 carbs 80 fat 20" in one.text
    assert (await chat.error("/help dance")).code == "unknown_command"


async def test_every_help_example_works_as_written(chat: Harness) -> None:
    for command in COMMANDS:
        await chat.say(command.example)
