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
    assert (await chat.saved("/log\tgym\t1h")).item["duration"] == 60
    assert (await chat.reply("/HELP")).text.startswith("Commands")


async def test_unknown_command_lists_the_commands(chat: Harness) -> None:
    error = await chat.error("/dance now")
    assert error.code == "unknown_command"
    assert error.message.startswith("There's no /dance. The commands are ")
    assert "Did you mean" not in error.message
    for command in COMMANDS:
        assert f"/{command.name}" in error.message


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("/lgo gym 90min", "/log"),
        ("/sned V7", "/send"),
        ("/hlep", "/help"),
        ("/histroy 7d", "/history"),
        ("/HISTROY", "/history"),
        ("/delte 2", "/delete"),
        ("/injry wrist sprain", "/injury"),
    ],
)
async def test_a_mistyped_command_suggests_the_one_meant_and_writes_nothing(
    chat: Harness, typed: str, meant: str
) -> None:
    error = await chat.error(typed)
    assert error.code == "unknown_command"
    name = typed.split()[0]
    assert error.message == f"There's no {name}. Did you mean {meant}?"
    assert await chat.user_items() == []


async def test_help_for_a_mistyped_command_suggests_the_one_meant(chat: Harness) -> None:
    error = await chat.error("/help lgo")
    assert error.code == "unknown_command"
    assert error.message == "There's no /lgo. Did you mean /log?"
    nothing_close = await chat.error("/help dance")
    assert nothing_close.message.startswith("There's no /dance. The commands are /log, ")


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
    # One list, numbered, newest first (deliberately no longer "Sessions:" then "Sends:").
    lines = history.text.splitlines()
    assert lines[0] == "Your sessions and sends, newest first:"
    assert lines[1] == '1. 2026-03-11 send V7 "Midnight Lightning" @Yosemite'
    assert lines[2].startswith("2. 2026-03-10 outdoor 180min @Red River Gorge sent 5.11a")
    assert lines[3].startswith("3. 2026-03-01 gym 90min sent V4")
    assert lines[4].startswith("Change one with /edit N")
    assert "board" not in history.text
    assert history.data is not None
    assert len(history.data["sessions"]) == 2
    assert len(history.data["sends"]) == 1
    assert [(e["number"], e["kind"]) for e in history.data["entries"]] == [
        (1, "send"),
        (2, "session"),
        (3, "session"),
    ]
    week = await chat.reply("/history 7d")
    assert "2026-03-01" not in week.text
    assert "2026-03-10" in week.text
    # N counts entries, sessions and sends together (it used to limit each kind on its own).
    one = await chat.reply("/history 1")
    assert one.data is not None
    assert [e["item"]["date"] for e in one.data["entries"]] == ["2026-03-11"]
    assert one.data["sessions"] == []
    assert (await chat.error("/history forever")).code == "invalid_entry"
    empty_window = await chat.reply("/history 7d", user="carol")
    assert empty_window.text.startswith("Nothing logged in that window")


async def test_help_lists_every_command_on_one_line(chat: Harness) -> None:
    everything = await chat.reply("/help")
    lines = everything.text.splitlines()
    # One line per command, then how to see one in detail (the grammars moved to /help CMD).
    assert lines[1:-1] == [f"/{command.name} — {command.summary}" for command in COMMANDS]
    assert lines[-1] == "Type /help log for the details of one."
    assert "/log gym 90min" not in everything.text
    assert everything.data == {"commands": [command.name for command in COMMANDS]}


async def test_help_for_one_command_gives_its_grammar_example_and_aliases(chat: Harness) -> None:
    one = await chat.reply("/help /meal")
    assert one.text.splitlines() == [
        "/meal — log a meal",
        COMMANDS[4].grammar,
        "Example: /meal lunch 650kcal protein 35 carbs 80 fat 20",
        "Also: /food, /eat, /ate",
    ]
    edit = await chat.reply("/help EDIT")
    assert edit.text.startswith("/edit — change an entry /history numbered\n/edit N ")
    assert "Example: /edit 2 rpe 8 notes: felt strong" in edit.text
    assert "Also: /change, /fix" in edit.text
    assert (await chat.error("/help dance")).code == "unknown_command"


async def test_every_help_example_works_as_written(chat: Harness) -> None:
    for command in COMMANDS:
        await chat.say(command.example)
