"""`/history` numbers sessions and sends; `/edit N` and `/delete N` change or delete entry N of
the last listing, whatever its age, version-checked and undoable."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from grammar.log import parse_log
from grammar.send import parse_send
from store.repos import JournalRepo, SendRepo
from tests.handlers.conftest import Harness


async def listed(chat: Harness, text: str = "/history", user: str = "alice") -> list[str]:
    """The numbered lines of a `/history` reply, without their numbers."""
    reply = await chat.reply(text, user)
    lines = [line for line in reply.text.splitlines() if line[:1].isdigit()]
    for number, line in enumerate(lines, start=1):
        assert line.startswith(f"{number}. ")
    return [line.split(". ", 1)[1] for line in lines]


async def entries(chat: Harness, user: str = "alice") -> list[dict[str, Any]]:
    reply = await chat.reply("/history", user)
    assert reply.data is not None
    return [entry["item"] for entry in reply.data["entries"]]


# ---- the listing's order --------------------------------------------------------------------


async def test_history_orders_by_date_then_by_when_logged_newest_first(chat: Harness) -> None:
    await chat.saved("/log gym 1h 2026-03-09")
    await chat.saved("/log board 1h")  # today, logged first
    await chat.saved("/send V5")  # today, logged second
    await chat.saved("/log hangboard 30min 2026-03-10")
    await chat.saved("/log training 45min")  # today, logged last
    assert await listed(chat) == [
        "2026-03-11 training 45min",
        "2026-03-11 send V5",
        "2026-03-11 board 60min",
        "2026-03-10 hangboard 30min",
        "2026-03-09 gym 60min",
    ]


async def test_a_short_history_keeps_the_last_logged_of_a_busy_day(chat: Harness) -> None:
    # Entries of one day are stored in id order (random); the listing still picks the ones
    # logged last.
    for minutes in range(10, 70, 10):
        await chat.saved(f"/log gym {minutes}min")
    await chat.saved("/send V4 yesterday")
    assert await listed(chat, "/history 2") == ["2026-03-11 gym 60min", "2026-03-11 gym 50min"]
    assert await listed(chat, "/history 7") == [
        *(f"2026-03-11 gym {minutes}min" for minutes in range(60, 0, -10)),
        "2026-03-10 send V4",
    ]


# ---- /edit ----------------------------------------------------------------------------------


async def test_edit_changes_only_the_fields_named(chat: Harness) -> None:
    session = await chat.saved(
        "/log gym 90min rpe 7 sent V4 V5 tried V6 energy 6 fingers 3 forearms 2 @The Hangar "
        "notes: crimps"
    )
    await chat.saved("/send V7")
    assert await listed(chat) == [
        "2026-03-11 send V7",
        "2026-03-11 gym 90min @The Hangar sent V4 V5 tried V6 rpe 7",
    ]
    edited = await chat.saved("/edit 2 rpe 8 fingers 5 notes: felt strong")
    assert edited.kind == "session"
    assert edited.undo
    before, after = session.item, edited.item
    assert after["id"] == before["id"]
    assert after["rpe"] == 8
    assert after["notes"] == "felt strong"
    assert after["physicalCondition"]["soreness"] == {
        **before["physicalCondition"]["soreness"],
        "fingers": 5,
    }
    unchanged = {"rpe", "notes", "physicalCondition", "version", "updatedAt"}
    assert {k: v for k, v in after.items() if k not in unchanged} == {
        k: v for k, v in before.items() if k not in unchanged
    }
    assert after["physicalCondition"]["energy"] == 6
    stored = await JournalRepo(chat.table).get("alice", before["id"])
    assert stored.to_wire() == after


async def test_edit_moves_an_entry_to_another_day(chat: Harness) -> None:
    await chat.saved("/log gym 1h")
    await chat.saved("/log board 1h 2026-03-10")
    await listed(chat)
    moved = await chat.saved("/edit 1 date 2026-03-01")
    assert moved.item["date"] == "2026-03-01"
    await chat.saved("/edit 2 date yesterday")  # the board session, as /history showed it
    assert await listed(chat) == ["2026-03-10 board 60min", "2026-03-01 gym 60min"]


def test_the_word_date_may_come_before_a_date_and_is_a_name_word_otherwise() -> None:
    today = date(2026, 3, 11)
    assert parse_log("gym 1h date yesterday", today).date == date(2026, 3, 10)
    assert parse_send("V7 date 2026-03-01", today).date == date(2026, 3, 1)
    night = parse_send("V7 Date Night", today)
    assert (night.name, night.date) == ("Date Night", today)


async def test_edit_grades_and_type_infer_the_discipline_as_log_does(chat: Harness) -> None:
    await chat.saved("/log sport outdoor 3h sent 6a")
    await listed(chat)
    route = await chat.saved("/edit 1 sent 6b 6c tried 7a")
    assert route.item["discipline"] == "sport"
    assert [g["grade"] for g in route.item["gradesCompleted"]] == ["6b", "6c"]
    assert route.item["type"] == "outdoor"
    bouldering = await chat.saved("/edit 1 gym sent V5 tried V6")
    assert bouldering.item["sessionType"] == "gym"
    assert bouldering.item["type"] == "indoor"
    assert bouldering.item["discipline"] == "boulder"


async def test_edit_a_send_with_the_send_words(chat: Harness) -> None:
    send = await chat.saved('/send V7 "Midnight Lightning" @Yosemite attempts 12')
    await listed(chat)
    edited = await chat.saved('/edit 1 V8 flash attempts 1 "Midnight Lightning Direct"')
    assert edited.kind == "send"
    assert edited.item["id"] == send.item["id"]
    assert edited.item["grade"] == "V8"
    assert edited.item["gradeNumeric"] > send.item["gradeNumeric"]
    assert edited.item["ascentStyle"] == "flash"
    assert edited.item["attempts"] == 1
    assert edited.item["name"] == "Midnight Lightning Direct"
    assert edited.item["location"] == "Yosemite"
    stored = await SendRepo(chat.table).get("alice", send.item["id"])
    assert stored.to_wire() == edited.item
    loose = await chat.error("/edit 1 Midnight")
    assert loose.code == "invalid_entry"
    assert "a new name goes in quotes" in loose.message


async def test_undo_puts_an_edited_entry_back(chat: Harness) -> None:
    session = await chat.saved("/log gym 1h rpe 6 2026-03-02")
    await listed(chat)
    edited = await chat.saved("/edit 1 rpe 9 date yesterday")
    undone = await chat.saved(f"/undo {edited.undo}")
    assert undone.item == {"undone": "session", "id": session.item["id"]}
    stored = await JournalRepo(chat.table).get("alice", session.item["id"])
    assert (stored.rpe, stored.date.isoformat()) == (6, "2026-03-02")
    again = await chat.saved("/edit 1 rpe 7")  # the numbers still name the same entry
    assert again.item["id"] == session.item["id"]


async def test_entries_of_any_age_can_be_edited_and_deleted(chat: Harness) -> None:
    old = await chat.saved("/log outdoor 4h 2025-06-01")
    chat.clock.advance(timedelta(days=200))  # long past the day an undo lasts
    assert (await chat.error("/undo")).code == "not_found"
    await listed(chat)
    assert (await chat.saved("/edit 1 rpe 6")).item["id"] == old.item["id"]
    deleted = await chat.saved("/delete 1")
    assert deleted.item["id"] == old.item["id"]
    assert (await JournalRepo(chat.table).list("alice")).items == []


# ---- /delete --------------------------------------------------------------------------------


async def test_delete_then_undo_puts_the_entry_back(chat: Harness) -> None:
    kept = await chat.saved("/log gym 1h")
    send = await chat.saved('/send V6 "Crimpy" yesterday')
    assert await listed(chat) == ["2026-03-11 gym 60min", '2026-03-10 send V6 "Crimpy"']
    deleted = await chat.saved("/delete 2")
    assert deleted.kind == "delete"
    assert deleted.undo
    assert deleted.item == {
        "deleted": "send",
        "id": send.item["id"],
        "date": "2026-03-10",
        "description": '2026-03-10 send V6 "Crimpy"',
    }
    assert [e.id for e in (await SendRepo(chat.table).list("alice")).items] == []
    undone = await chat.saved("/undo")
    assert undone.item == {"undone": "delete", "id": send.item["id"]}
    restored = await SendRepo(chat.table).get("alice", send.item["id"])
    assert {**restored.to_wire(), "version": 1} == {**send.item, "version": 1}
    assert [item["id"] for item in await entries(chat)] == [kept.item["id"], send.item["id"]]


async def test_numbers_keep_meaning_what_the_last_history_showed(chat: Harness) -> None:
    first = await chat.saved("/log gym 1h 2026-03-07")
    second = await chat.saved("/log gym 2h 2026-03-08")
    third = await chat.saved("/log gym 3h 2026-03-09")
    assert await listed(chat) == [
        "2026-03-09 gym 180min",
        "2026-03-08 gym 120min",
        "2026-03-07 gym 60min",
    ]
    newer = await chat.saved("/log board 1h")  # logged after the listing: it has no number
    assert (await chat.saved("/edit 1 rpe 5")).item["id"] == third.item["id"]
    assert (await chat.saved("/delete 2")).item["id"] == second.item["id"]
    assert (await chat.saved("/delete 3")).item["id"] == first.item["id"]  # not shifted up
    gone = await chat.error("/edit 2 rpe 4")
    assert gone.code == "not_found"
    assert gone.message.startswith("Entry 2 of your last /history has been deleted since")
    assert [item["id"] for item in await entries(chat)] == [newer.item["id"], third.item["id"]]


async def test_an_entry_deleted_elsewhere_is_not_found_and_nothing_changes(chat: Harness) -> None:
    doomed = await chat.saved("/log gym 1h")
    kept = await chat.saved("/log gym 2h yesterday")
    await listed(chat)
    await JournalRepo(chat.table).delete("alice", doomed.item["id"])  # another tab, or REST
    for text in ("/edit 1 rpe 5", "/delete 1"):
        error = await chat.error(text)
        assert error.code == "not_found"
        assert "deleted since" in error.message
    stored = await JournalRepo(chat.table).get("alice", kept.item["id"])
    assert stored.version == 1


async def test_numbers_need_a_listing_of_your_own_from_the_last_day(chat: Harness) -> None:
    await chat.saved("/log gym 1h")
    error = await chat.error("/edit 1 rpe 5")
    assert error.code == "not_found"
    assert error.message.startswith("Number your entries first: type /history")
    await listed(chat)
    assert (await chat.error("/delete 1", user="bob")).message.startswith("Number your entries")
    too_far = await chat.error("/delete 2")
    assert too_far.code == "not_found"
    assert too_far.message.startswith("Your last /history showed 1 entry, so there is no number 2")
    chat.clock.advance(timedelta(hours=25))
    assert (await chat.error("/delete 1")).message.startswith("Number your entries first")
    assert len((await JournalRepo(chat.table).list("alice")).items) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/edit", "/edit needs the number of an entry from /history"),
        ("/edit rpe 8", "/edit needs the number of an entry from /history"),
        ("/edit 1", "/edit 1 needs what to change"),
        ("/edit 0 rpe 5", "Entries are numbered from 1"),
        ("/edit 1 rpe 11", "RPE must be 0 to 10"),
        ("/edit 1 wobble", "/log did not understand 'wobble'"),
        ("/edit 1 date soon", "'date' needs a day"),
        ("/edit 1 2026-03-20", "2026-03-20 is in the future"),
        ("/edit 1 boulder sent 5.11a", "not a boulder grade"),
        ("/delete", "/delete needs the number of an entry from /history"),
        ("/delete 1 2", "/delete needs the number of an entry from /history"),
    ],
)
async def test_wrong_edits_are_refused_and_change_nothing(
    chat: Harness, text: str, expected: str
) -> None:
    await chat.saved("/log gym 1h rpe 6")
    await listed(chat)
    before = await chat.user_items()
    error = await chat.error(text)
    assert error.code == "invalid_entry"
    assert expected in error.message
    assert await chat.user_items() == before


# ---- concurrent changes ---------------------------------------------------------------------


@pytest.fixture
def another_tab_writes_after_each_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whenever a command reads a session, another tab changes it before the command writes."""
    read = JournalRepo.get

    async def read_then_other_tab_writes(self: JournalRepo, user_id: str, record_id: str) -> Any:
        record = await read(self, user_id, record_id)
        await JournalRepo.update(self, user_id, record_id, {"notes": "from the other tab"})
        return record

    monkeypatch.setattr(JournalRepo, "get", read_then_other_tab_writes)


@pytest.mark.usefixtures("another_tab_writes_after_each_read")
async def test_a_change_landing_mid_edit_is_a_conflict_and_nothing_is_written(
    chat: Harness,
) -> None:
    session = await chat.saved("/log gym 1h rpe 6")
    await listed(chat)
    for text, what in (("/edit 1 rpe 9", "nothing was written"), ("/delete 1", "it was kept")):
        error = await chat.error(text)
        assert error.code == "conflict"
        assert what in error.message
    stored = await JournalRepo(chat.table).list("alice")
    assert [(e.id, e.rpe, e.notes) for e in stored.items] == [
        (session.item["id"], 6, "from the other tab")
    ]
