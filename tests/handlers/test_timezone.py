"""`/profile timezone ZONE`: the account's time zone, set from the chat and undone like any
other write (sans-I/O harness, real table, fixed clock)."""

from __future__ import annotations

from datetime import UTC, datetime

from store.records.user import UserIn
from store.repos import UserRepo
from tests.handlers.conftest import Harness

THURSDAY_NIGHT_UTC = datetime(2026, 12, 3, 22, 2, tzinfo=UTC)
"""Friday 09:02 in Sydney."""


async def climber(chat: Harness) -> UserRepo:
    users = UserRepo(chat.table)
    await users.create("alice", UserIn(email="alice@example.com"))
    chat.clock.now = THURSDAY_NIGHT_UTC
    return users


async def test_setting_the_zone_moves_today_and_undo_brings_back_not_set(chat: Harness) -> None:
    users = await climber(chat)
    assert (await chat.saved("/log gym 1h")).item["date"] == "2026-12-03"  # not set: UTC
    shown = await chat.reply("/profile")
    assert "Time zone: not set, so UTC. Set yours: /profile timezone Europe/Berlin" in shown.text
    moved = await chat.saved("/profile time zone Australia/Sydney")
    assert (moved.kind, moved.item) == ("timezone", {"timezone": "Australia/Sydney"})
    assert (await users.get("alice")).preferences.timezone == "Australia/Sydney"
    assert (await chat.saved("/log gym 1h")).item["date"] == "2026-12-04"

    await chat.saved(f"/undo {moved.undo}")
    assert (await users.get("alice")).preferences.timezone is None
    assert (await chat.saved("/log gym 1h")).item["date"] == "2026-12-03"


async def test_undo_refuses_once_the_zone_changed_again_and_keeps_the_newer_one(
    chat: Harness,
) -> None:
    users = await climber(chat)
    first = await chat.saved("/profile timezone Australia/Sydney")
    await chat.saved("/profile timezone Europe/Berlin")
    refused = await chat.error(f"/undo {first.undo}")
    assert refused.code == "conflict"
    assert (await users.get("alice")).preferences.timezone == "Europe/Berlin"
    # Other changes of the account do not stand in the way of undoing the latest zone.
    await users.update("alice", {"name": "Alice"})
    await chat.saved("/undo")
    assert (await users.get("alice")).preferences.timezone == "Australia/Sydney"
    assert (await users.get("alice")).name == "Alice"


async def test_a_wrong_zone_writes_nothing(chat: Harness) -> None:
    users = await climber(chat)
    before = await chat.user_items()
    error = await chat.error("/profile timezone Europe/Paaris")
    assert error.code == "invalid_entry"
    assert error.message == (
        "'Europe/Paaris' is not a time zone I know (did you mean Europe/Paris?); time zones "
        "are IANA names like Europe/Berlin or Australia/Sydney — e.g. /profile timezone "
        "Europe/Berlin"
    )
    assert await chat.user_items() == before
    assert (await users.get("alice")).preferences.timezone is None
    shown = await chat.reply("/profile timezone")
    assert shown.data == {"timezone": None}
