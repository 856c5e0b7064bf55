"""`/goal`: add, list, done."""

from __future__ import annotations

from store.records import GoalStatus
from store.repos import GoalRepo
from tests.handlers.conftest import Harness


async def test_goal_example_infers_nothing_it_was_told(chat: Harness) -> None:
    saved = await chat.saved("/goal V8 boulder by 2027-06-30")
    item = saved.item
    assert saved.kind == "goal"
    assert (item["type"], item["targetGrade"], item["discipline"]) == ("grade", "V8", "boulder")
    assert item["targetDate"] == "2027-06-30"
    assert item["status"] == "active"
    assert "V8" in item["description"]
    stored = await GoalRepo(chat.table).get("alice", item["id"])
    assert stored.to_wire() == item


async def test_discipline_is_inferred_from_the_grade(chat: Harness) -> None:
    route = await chat.saved("/goal 5.13a")
    boulder = await chat.saved("/goal project Midnight Lightning 7B+")
    assert route.item["discipline"] == "sport"
    assert boulder.item["discipline"] == "boulder"
    assert boulder.item["type"] == "project"
    assert boulder.item["description"] == "Midnight Lightning"


async def test_list_then_done_by_number(chat: Harness) -> None:
    first = await chat.saved("/goal V8 boulder by 2027-06-30")
    second = await chat.saved("/goal 10 pull-ups")
    listed = await chat.reply("/goal list")
    assert listed.text.splitlines()[1:3] == [
        "1. Climb V8 boulder by 2027-06-30",
        "2. 10 pull-ups",
    ]
    assert listed.data is not None
    assert [g["id"] for g in listed.data["goals"]] == [first.item["id"], second.item["id"]]
    done = await chat.saved("/goal done 2")
    assert done.item["id"] == second.item["id"]
    assert done.item["status"] == "achieved"
    assert done.item["achievedAt"] == f"{chat.clock():%Y-%m-%dT%H:%M:%SZ}"  # when it was said
    stored = await GoalRepo(chat.table).get("alice", second.item["id"])
    assert stored.status is GoalStatus.ACHIEVED
    after = await chat.reply("/goals")
    assert "10 pull-ups" not in after.text
    assert "1. Climb V8 boulder" in after.text


async def test_done_by_id_and_errors(chat: Harness) -> None:
    goal = await chat.saved("/goal V8")
    assert (await chat.saved(f"/goal done {goal.item['id']}")).item["status"] == "achieved"
    missing = await chat.error("/goal done 1")
    assert missing.code == "not_found"
    assert "no goal number 1" in missing.message
    unknown = await chat.error("/goal done 0123456789abcdef")
    assert unknown.code == "not_found"
    assert (await chat.error("/goal done")).code == "invalid_entry"
    past = await chat.error("/goal V9 by 2025-01-01")
    assert "has passed" in past.message
    empty = await chat.reply("/goal list")
    assert "No active goals" in empty.text


async def test_goal_needs_something(chat: Harness) -> None:
    error = await chat.error("/goal by 2027-01-01")
    assert error.code == "invalid_entry"
    assert "e.g. /goal V8 boulder by 2027-06-30" in error.message
    assert await chat.user_items() == []
