"""`/undo`: every kind of write can be reverted once, by its owner, if nothing changed since."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from handlers.frames import Saved
from store.errors import NotFound
from store.records import MealIn, MealType
from store.repos import AthleteRepo, GoalRepo, InjuryRepo, JournalRepo, NutritionLogRepo, SendRepo
from tests.handlers.conftest import Harness

TODAY = date(2026, 3, 11)


async def undo(chat: Harness, text: str = "/undo", user: str = "alice") -> Saved:
    frame = await chat.saved(text, user)
    assert frame.kind == "undo"
    assert frame.undo is None
    return frame


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("/log gym 90min sent V4", "session"),
        ("/send V7 @Yosemite", "send"),
        ("/goal V8 boulder by 2027-06-30", "goal"),
        ("/injury ring finger A2 pulley strain", "injury"),
    ],
)
async def test_undo_deletes_what_was_created(chat: Harness, text: str, kind: str) -> None:
    saved = await chat.saved(text)
    undone = await undo(chat)
    assert undone.item == {"undone": kind, "id": saved.item["id"]}
    assert await chat.user_items() == []


async def test_created_items_are_really_gone_from_their_repositories(chat: Harness) -> None:
    session = await chat.saved("/log gym 1h")
    send = await chat.saved("/send V5")
    await undo(chat)
    await undo(chat)
    with pytest.raises(NotFound):
        await JournalRepo(chat.table).get("alice", session.item["id"])
    with pytest.raises(NotFound):
        await SendRepo(chat.table).get("alice", send.item["id"])


async def test_undo_restores_a_goal_marked_done(chat: Harness) -> None:
    goal = await chat.saved("/goal V8")
    await chat.saved("/goal done 1")
    await undo(chat)
    restored = await GoalRepo(chat.table).get("alice", goal.item["id"])
    assert restored.status.value == "active"
    assert restored.achieved_at is None
    assert "1. Climb V8" in (await chat.reply("/goal list")).text
    # Undoing again reverts the write before (the goal's creation), although the restore
    # above moved the goal's version on.
    await undo(chat)
    assert await chat.user_items() == []


async def test_undo_restores_an_injury_marked_recovered(chat: Harness) -> None:
    injury = await chat.saved("/injury wrist sprain")
    await chat.saved("/injury recovered 1")
    undone = await undo(chat)
    assert undone.item == {"undone": "injury", "id": injury.item["id"]}
    restored = await InjuryRepo(chat.table).get("alice", injury.item["id"])
    assert not restored.recovered
    assert restored.recovered_date is None


async def test_undo_meal_and_water_restore_the_day(chat: Harness) -> None:
    await chat.saved("/meal lunch 650kcal")
    await chat.saved("/meal dinner 800kcal")
    await chat.saved("/water 500ml")
    water = await undo(chat)
    assert water.item == {"undone": "water", "id": TODAY.isoformat()}
    day = await NutritionLogRepo(chat.table).get("alice", TODAY)
    assert day.hydration_ml == 0
    assert [m.meal_type.value for m in day.meals] == ["lunch", "dinner"]
    await undo(chat)
    day = await NutritionLogRepo(chat.table).get("alice", TODAY)
    assert [m.meal_type.value for m in day.meals] == ["lunch"]
    await undo(chat)
    assert await chat.user_items() == []


async def test_undo_profile_restores_the_previous_profile(chat: Harness) -> None:
    await chat.saved("/profile weight 68kg")
    await chat.saved("/profile weight 70kg boulder V6")
    await undo(chat)
    profile = await AthleteRepo(chat.table).get("alice")
    assert profile.weight_kg == 68
    assert profile.current_grades.indoor.boulder is None
    await undo(chat)
    assert await AthleteRepo(chat.table).find("alice") is None


async def test_undo_by_token_picks_that_write_and_only_once(chat: Harness) -> None:
    first = await chat.saved("/log gym 1h")
    second = await chat.saved("/log gym 2h")
    assert first.undo
    assert second.undo
    assert first.undo != second.undo
    undone = await undo(chat, f"/undo {first.undo}")
    assert undone.item["id"] == first.item["id"]
    remaining = await JournalRepo(chat.table).list("alice")
    assert [e.id for e in remaining.items] == [second.item["id"]]
    again = await chat.error(f"/undo {first.undo}")
    assert again.code == "not_found"


async def test_nothing_to_undo(chat: Harness) -> None:
    assert (await chat.error("/undo")).code == "not_found"
    assert (await chat.error("/undo not-a-token")).code == "not_found"


async def test_another_users_token_is_not_found_and_changes_nothing(chat: Harness) -> None:
    alices = await chat.saved("/log gym 1h")
    error = await chat.error(f"/undo {alices.undo}", user="mallory")
    assert error.code == "not_found"
    assert (await chat.error("/undo", user="mallory")).code == "not_found"
    stored = await JournalRepo(chat.table).get("alice", alices.item["id"])
    assert stored.id == alices.item["id"]
    await undo(chat, f"/undo {alices.undo}")


async def test_undo_after_the_item_changed_is_a_conflict_and_changes_nothing(
    chat: Harness,
) -> None:
    saved = await chat.saved("/log gym 1h")
    journal = JournalRepo(chat.table)
    edited = await journal.update("alice", saved.item["id"], {"notes": "edited elsewhere"})
    error = await chat.error("/undo")
    assert error.code == "conflict"
    assert "changed since" in error.message
    after = await journal.get("alice", saved.item["id"])
    assert after.notes == "edited elsewhere"
    assert after.version == edited.version
    # The write stays undoable-in-principle: the same token still answers conflict.
    assert (await chat.error(f"/undo {saved.undo}")).code == "conflict"


async def test_undo_of_a_meal_after_another_meal_landed_is_a_conflict(chat: Harness) -> None:
    saved = await chat.saved("/meal lunch 650kcal")
    await NutritionLogRepo(chat.table).add_meal(
        "alice", TODAY, MealIn(meal_type=MealType.SNACK, calories=100)
    )
    assert (await chat.error(f"/undo {saved.undo}")).code == "conflict"
    day = await NutritionLogRepo(chat.table).get("alice", TODAY)
    assert len(day.meals) == 2


async def test_undo_expires_after_a_day(chat: Harness) -> None:
    await chat.saved("/log gym 1h")
    chat.clock.advance(timedelta(hours=25))
    assert (await chat.error("/undo")).code == "not_found"
    assert len(await chat.user_items()) > 0
